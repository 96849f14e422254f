"""Campaign progress: sites inspected of those targeted, observations and findings raised."""
from collections import defaultdict

import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import Observation
from patrol_api.models.patrols import Campaign, Inspection, PatrolRun, SiteCheck


def _inspected(campaign: Campaign) -> dict:
    """site id -> team of the first inspection or site check of a target site."""
    targets = {target.site_id for target in campaign.targets}
    rows = db.session.execute(
        sa.select(Inspection.site_id, PatrolRun.team).outerjoin(
            PatrolRun, Inspection.run_id == PatrolRun.id).where(
            Inspection.campaign_id == campaign.id)).all()
    rows += db.session.execute(
        sa.select(SiteCheck.site_id, PatrolRun.team).join(
            PatrolRun, SiteCheck.run_id == PatrolRun.id).where(
            PatrolRun.campaign_id == campaign.id)).all()
    seen: dict = {}
    for site_id, team in rows:
        if site_id in targets:
            seen.setdefault(site_id, team or "")
    return seen


def _raised(campaign: Campaign) -> tuple[int, int]:
    """(observations created by failing items, distinct findings they joined)."""
    client_ids = [failure["observation_id"] for inspection in db.session.execute(
        sa.select(Inspection).where(Inspection.campaign_id == campaign.id)).scalars()
        for failure in inspection.failures if failure.get("observation_id")]
    if not client_ids:
        return 0, 0
    findings = db.session.execute(sa.select(Observation.finding_id).where(
        Observation.client_id.in_(client_ids), Observation.deleted_at.is_(None))).scalars()
    return len(client_ids), len({f for f in findings if f is not None})


def _breakdown(campaign: Campaign, seen: dict) -> tuple[list, list]:
    """Per team and per area: targeted and inspected."""
    areas: dict = defaultdict(lambda: {"targeted": 0, "inspected": 0})
    for target in campaign.targets:
        area = target.site.area.code if target.site.area else None
        areas[area]["targeted"] += 1
        areas[area]["inspected"] += target.site_id in seen
    teams: dict = defaultdict(int)
    for team in seen.values():
        teams[team] += 1
    return ([{"team": t, "inspected": n} for t, n in sorted(teams.items())],
            [{"area": a, **c} for a, c in sorted(areas.items(), key=lambda i: i[0] or "")])


def progress(campaign: Campaign) -> dict:
    """The campaign's progress report."""
    seen = _inspected(campaign)
    observations, findings = _raised(campaign)
    teams, areas = _breakdown(campaign, seen)
    return {"targeted": len(campaign.targets), "inspected": len(seen),
            "observations_raised": observations, "findings_raised": findings,
            "per_team": teams, "per_area": areas}
