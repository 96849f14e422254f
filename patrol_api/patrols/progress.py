"""Campaign progress: sites inspected of those targeted, observations and findings raised,
per team and per dong.

A campaign's work is its inspections and the site checks made on its runs. Work counts for
the team of its run, else for the current team of whoever did it ("" when neither has one),
and for the dong of the site. A team's targeted sites are the targets in the dongs its members
patrol (their `patrol_area_codes`), every target when none of them has dongs; only teams the
campaign lists get a targeted count. Findings are counted distinct within each row.
"""
from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import Area, Observation, Site, User
from patrol_api.models.patrols import (
    CAMPAIGN_FLAGS,
    Campaign,
    CampaignSite,
    Inspection,
    PatrolRun,
    SiteCheck,
)


@dataclass
class Work:
    """One inspection or site check of the campaign."""

    kind: str  # inspection or site_check
    site_id: int
    area: str | None
    team: str
    observation_ids: list = field(default_factory=list)
    flags: tuple = ()


def _team(run_team: str | None, user_team: str | None) -> str:
    """The team work counts for."""
    return run_team or user_team or ""


def _work(campaign: Campaign) -> list[Work]:
    """The campaign's inspections and the site checks of its runs."""
    flags = [getattr(Inspection, flag) for flag in CAMPAIGN_FLAGS]
    inspections = db.session.execute(
        sa.select(Inspection.site_id, Area.code, PatrolRun.team, User.team,
                  Inspection.failures, *flags)
        .join(User, User.id == Inspection.user_id).join(Site, Site.id == Inspection.site_id)
        .outerjoin(Area, Area.id == Site.area_id)
        .outerjoin(PatrolRun, PatrolRun.id == Inspection.run_id)
        .where(Inspection.campaign_id == campaign.id)).all()
    checks = db.session.execute(
        sa.select(SiteCheck.site_id, Area.code, PatrolRun.team, User.team)
        .join(PatrolRun, PatrolRun.id == SiteCheck.run_id)
        .join(User, User.id == SiteCheck.user_id).join(Site, Site.id == SiteCheck.site_id)
        .outerjoin(Area, Area.id == Site.area_id)
        .where(PatrolRun.campaign_id == campaign.id, PatrolRun.deleted_at.is_(None))).all()
    found = [Work("inspection", site_id, area, _team(run_team, user_team),
                  [f["observation_id"] for f in failures if f.get("observation_id")],
                  tuple(name for name, on in zip(CAMPAIGN_FLAGS, marks, strict=True) if on))
             for site_id, area, run_team, user_team, failures, *marks in inspections]
    return found + [Work("site_check", site_id, area, _team(run_team, user_team))
                    for site_id, area, run_team, user_team in checks]


def _targets(campaign: Campaign) -> dict[int, tuple]:
    """target site id -> (area id, area code)."""
    return {site_id: (area_id, code) for site_id, area_id, code in db.session.execute(
        sa.select(CampaignSite.site_id, Site.area_id, Area.code)
        .join(Site, Site.id == CampaignSite.site_id).outerjoin(Area, Area.id == Site.area_id)
        .where(CampaignSite.campaign_id == campaign.id))}


def _team_targets(teams: list[str], targets: dict) -> dict[str, set]:
    """team -> its target sites: those in the dongs its active members patrol (all without)."""
    codes: dict = defaultdict(set)
    for team, areas in db.session.execute(sa.select(User.team, User.patrol_area_codes).where(
            User.team.in_(teams), User.active.is_(True))):
        codes[team].update(areas or [])
    wanted = set().union(*codes.values()) if codes else set()
    ids = dict(db.session.execute(sa.select(Area.code, Area.id).where(
        Area.code.in_(wanted))).all()) if wanted else {}
    found = {}
    for team in teams:
        areas = {ids[code] for code in codes.get(team, ()) if code in ids}
        found[team] = {s for s, (area, _) in targets.items() if area in areas} if areas \
            else set(targets)
    return found


def _findings(work: list[Work]) -> dict[str, int | None]:
    """observation client id -> the finding it joined (None: not yet)."""
    client_ids = [i for item in work for i in item.observation_ids]
    if not client_ids:
        return {}
    return dict(db.session.execute(sa.select(Observation.client_id, Observation.finding_id)
                                   .where(Observation.client_id.in_(client_ids),
                                          Observation.deleted_at.is_(None))).all())


def _raised(items: list[Work], findings: dict) -> dict:
    """observations_raised and distinct findings_raised by some work."""
    ids = [i for item in items for i in item.observation_ids]
    joined = {findings.get(i) for i in ids} - {None}
    return {"observations_raised": len(ids), "findings_raised": len(joined)}


def _per_team(campaign: Campaign, work: list[Work], targets: dict, findings: dict) -> list:
    """One row per listed team and per team that did work."""
    by_team: dict = defaultdict(list)
    for item in work:
        by_team[item.team].append(item)
    team_targets = _team_targets(list(campaign.teams), targets)
    rows = []
    for team in sorted(set(campaign.teams) | set(by_team)):
        items = by_team.get(team, [])
        rows.append({"team": team, "assigned": team in campaign.teams,
                     "targeted": len(team_targets[team]) if team in team_targets else None,
                     "inspected": len({i.site_id for i in items if i.site_id in targets}),
                     **_raised(items, findings)})
    return rows


def _per_area(work: list[Work], targets: dict, findings: dict) -> list:
    """One row per dong of a target or of a site worked on."""
    by_area: dict = defaultdict(list)
    for item in work:
        by_area[item.area].append(item)
    targeted: dict = defaultdict(set)
    for site_id, (_, code) in targets.items():
        targeted[code].add(site_id)
    rows = []
    for area in sorted(set(targeted) | set(by_area), key=lambda code: code or ""):
        items = by_area.get(area, [])
        rows.append({"area": area, "targeted": len(targeted[area]),
                     "inspected": len({i.site_id for i in items} & targeted[area]),
                     **_raised(items, findings)})
    return rows


def progress(campaign: Campaign) -> dict:
    """The campaign's progress report."""
    targets, work = _targets(campaign), _work(campaign)
    findings = _findings(work)
    flagged = {flag: sum(flag in item.flags for item in work) for flag in CAMPAIGN_FLAGS}
    return {"targeted": len(targets),
            "inspected": len({item.site_id for item in work if item.site_id in targets}),
            "inspections": sum(item.kind == "inspection" for item in work),
            **_raised(work, findings), "flagged": flagged,
            "per_team": _per_team(campaign, work, targets, findings),
            "per_area": _per_area(work, targets, findings)}
