"""The inspection and site check lists of managers: filters over what the caller may read."""
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Site, User
from patrol_api.models.patrols import Inspection, PatrolRun, SiteCheck
from patrol_api.patrols import visibility


def seoul_day_start(day: date) -> datetime:
    """Midnight at the start of a Seoul calendar day."""
    return datetime.combine(day, time(), SEOUL)


def _common(stmt, model, at, args: dict):
    """The filters both lists share: presence flag, site, run and Seoul day range."""
    if "far_from_site" in args:
        stmt = stmt.where(model.far_from_site.is_(args["far_from_site"]))
    if args.get("site_code"):
        stmt = stmt.where(model.site_id.in_(sa.select(Site.id).where(
            Site.code == args["site_code"])))
    if args.get("patrol_run_id"):
        stmt = stmt.where(model.run_id == args["patrol_run_id"])
    if args.get("from_day"):
        stmt = stmt.where(at >= seoul_day_start(args["from_day"]))
    if args.get("to_day"):
        stmt = stmt.where(at < seoul_day_start(args["to_day"] + timedelta(days=1)))
    return stmt


def inspections(user: User, args: dict):
    """Inspections the user may read, latest first, filtered (a select for pagination)."""
    stmt = _common(sa.select(Inspection).where(*visibility.conditions(user, Inspection)),
                   Inspection, Inspection.inspected_at, args)
    if args.get("campaign_id"):
        stmt = stmt.where(Inspection.campaign_id == args["campaign_id"])
    for flag in ("not_campaign_target", "outside_campaign_window"):
        if flag in args:
            stmt = stmt.where(getattr(Inspection, flag).is_(args[flag]))
    return stmt.order_by(Inspection.inspected_at.desc(), Inspection.id.desc())


def site_checks(user: User, args: dict):
    """Site checks the user may read, latest first, filtered; campaign_id: of the check's
    run (a select for pagination)."""
    stmt = _common(sa.select(SiteCheck).where(*visibility.conditions(user, SiteCheck)),
                   SiteCheck, SiteCheck.checked_at, args)
    if args.get("campaign_id"):
        stmt = stmt.where(SiteCheck.run_id.in_(sa.select(PatrolRun.id).where(
            PatrolRun.campaign_id == args["campaign_id"])))
    if args.get("result"):
        stmt = stmt.where(SiteCheck.result == args["result"])
    return stmt.order_by(SiteCheck.checked_at.desc(), SiteCheck.id.desc())


def with_campaigns(checks: list[SiteCheck]) -> list[SiteCheck]:
    """The checks, each given `campaign_id`: the campaign of its run (None outside one)."""
    run_ids = {check.run_id for check in checks if check.run_id is not None}
    campaigns = dict(db.session.execute(sa.select(PatrolRun.id, PatrolRun.campaign_id).where(
        PatrolRun.id.in_(run_ids))).all()) if run_ids else {}
    for check in checks:
        check.campaign_id = campaigns.get(check.run_id)
    return checks
