"""Site coverage: per live site, when it was last inspected and last checked, with what result.

Every inspection (campaign or not) and every site check (on a run or not) the caller may read
counts (see visibility). Sites never looked at come first, then the longest unseen.
"""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import Site, User
from patrol_api.models.patrols import Inspection, SiteCheck
from patrol_api.patrols import presence, visibility
from patrol_api.patrols.listing import seoul_day_start
from patrol_api.photos import exif_privacy

RESULT_LABELS = {"ok": ("이상 없음", "No problem"), "problem": ("문제 있음", "Problem found")}


def _latest(model, at, user: User, *where):
    """Subquery: site_id and the time of the latest readable record of `model` per site."""
    return sa.select(model.site_id, sa.func.max(at).label("at")).where(
        *visibility.conditions(user, model), *where).group_by(model.site_id).subquery()


def _later(a, b):
    """SQL: the later of two nullable times (NULL when both are)."""
    return sa.case((a.is_(None), b), (b.is_(None), a), (a >= b, a), else_=b)


def select_sites(user: User, args: dict):
    """Ids of the live sites in coverage order, filtered by area, facility type and
    `not_seen_since` (nothing readable on or after that Seoul day); a select for pagination."""
    inspected = _latest(Inspection, Inspection.inspected_at, user)
    checked = _latest(SiteCheck, SiteCheck.checked_at, user)
    last = _later(inspected.c.at, checked.c.at)
    stmt = sa.select(Site.id).outerjoin(inspected, inspected.c.site_id == Site.id).outerjoin(
        checked, checked.c.site_id == Site.id).where(Site.deleted_at.is_(None),
                                                     *visibility.site_conditions(user))
    if args.get("area_id"):
        stmt = stmt.where(Site.area_id == args["area_id"])
    if args.get("facility_type_id"):
        stmt = stmt.where(Site.facility_type_id == args["facility_type_id"])
    if args.get("not_seen_since"):
        since = seoul_day_start(args["not_seen_since"])
        stmt = stmt.where(sa.or_(last.is_(None), last < since))
    return stmt.order_by(sa.case((last.is_(None), 0), else_=1), last, Site.code, Site.id)


def _latest_rows(model, at, user: User, site_ids: list[int]) -> dict:
    """site_id -> the latest readable record of `model` at each of these sites."""
    latest = _latest(model, at, user, model.site_id.in_(site_ids))
    rows = db.session.execute(sa.select(model).join(latest, sa.and_(
        latest.c.site_id == model.site_id, latest.c.at == at)).where(
        model.site_id.in_(site_ids), *visibility.conditions(user, model))
        .order_by(model.id)).scalars()
    return {row.site_id: row for row in rows}  # a tie in time: the last recorded wins


def _inspection(row: Inspection | None, role: str) -> dict | None:
    """What the coverage says of an inspection (its public keys for this reader's role)."""
    if row is None:
        return None
    return exif_privacy.public("coverage_inspection", {
        "id": row.id, "at": row.inspected_at, "result": "problem" if row.failures else "ok",
        "failures": len(row.failures), "campaign_id": row.campaign_id, "run_id": row.run_id,
        "far_from_site": row.far_from_site, "far_reason": presence.far_reason(row)}, role)


def _check(row: SiteCheck | None) -> dict | None:
    """What the coverage says of a site check."""
    if row is None:
        return None
    return {"id": row.id, "at": row.checked_at, "result": row.result, "run_id": row.run_id,
            "far_from_site": row.far_from_site, "far_reason": presence.far_reason(row)}


def _record(site: Site, inspection: dict | None, check: dict | None) -> dict:
    """One site's coverage: both latest records and the latest of the two."""
    seen = [item for item in (inspection, check) if item is not None]
    last = max(seen, key=lambda item: item["at"]) if seen else None
    result = last["result"] if last else None
    ko, en = RESULT_LABELS.get(result, (None, None))
    return {"site_id": site.id, "site_code": site.code, "name_ko": site.name_ko,
            "name_en": site.name_en,
            "area_code": site.area.code if site.area else None,
            "facility_type_code": site.facility_type.code if site.facility_type else None,
            "last_inspection": inspection, "last_check": check,
            "last_seen_at": last["at"] if last else None,
            "last_seen_by": None if last is None else (
                "inspection" if last is inspection else "site_check"),
            "last_result": result, "last_result_label_ko": ko, "last_result_label_en": en}


def records(user: User, site_ids: list[int]) -> list[dict]:
    """The coverage of a page of sites, in the page's order (read in bulk)."""
    if not site_ids:
        return []
    sites = {site.id: site for site in db.session.execute(
        sa.select(Site).where(Site.id.in_(site_ids))).scalars()}
    inspections = _latest_rows(Inspection, Inspection.inspected_at, user, site_ids)
    checks = _latest_rows(SiteCheck, SiteCheck.checked_at, user, site_ids)
    return [_record(sites[i], _inspection(inspections.get(i), user.role),
                    _check(checks.get(i))) for i in site_ids]
