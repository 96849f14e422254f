"""Patrol activity report per month (issue #7): runs per patrol kind, per themed campaign
(with coverage), per team and per person, and citizen auditors' credited reports.

Every figure is an aggregate the database computes (GROUP BY over the runs of the months);
months are Seoul calendar months, told apart by a CASE on the run's start time. A run
belongs to the month and dong it started in; its observations are those its members
recorded between its start and end; its sites checked are the distinct sites it inspected
or checked. A category filter counts only the observations (and auditors' reports) of that
category; runs, hours and sites checked have no category and stay whole.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from patrol_api.auth.roles import ROLE_LABELS, Role
from patrol_api.extensions import db
from patrol_api.models import Area, Category, Observation, User
from patrol_api.models.base import UTCDateTime, utcnow
from patrol_api.models.patrols import (
    PATROL_KIND_LABELS,
    Campaign,
    CampaignSite,
    Inspection,
    PatrolKind,
    PatrolRun,
    PatrolRunMember,
    SiteCheck,
)
from patrol_api.patrols import credit
from patrol_api.rankings import months as month_tools

TABLES = ("per_kind", "per_campaign", "per_team", "per_officer", "auditors", "totals")


@dataclass(frozen=True)
class Filters:
    """Months (YYYY-MM, consecutive), and optionally a dong, a patrol kind, a team, a category
    (of the observations counted)."""

    months: tuple
    area_id: int | None = None
    kind: str | None = None
    team: str | None = None
    category_id: int | None = None

    @property
    def bounds(self) -> list[tuple[str, datetime, datetime]]:
        """(month, start, end) in UTC for each month."""
        return [(month, *month_tools.bounds(month)) for month in self.months]


def filters_from(args: dict) -> Filters:
    """Filters from the API's arguments (default: the current month; at most 36 months)."""
    first = args.get("from_month") or args.get("to_month") or month_tools.current()
    last = args.get("to_month") or first
    return Filters(tuple(month_tools.span(first, last)), args.get("area_id"), args.get("kind"),
                   args.get("team"), args.get("category_id"))


def _month(column, f: Filters):
    """SQL: the month a time falls in (a CASE over the months' bounds)."""
    return sa.case(*[(sa.and_(column >= start, column < end), month)
                     for month, start, end in f.bounds], else_=None)


def _in_range(column, f: Filters) -> list:
    """Conditions: the time falls in the months."""
    return [column >= f.bounds[0][1], column < f.bounds[-1][2]]


def _runs(f: Filters):
    """Subquery: the runs in scope, with their month."""
    where = [PatrolRun.deleted_at.is_(None), *_in_range(PatrolRun.started_at, f)]
    if f.kind:
        where.append(PatrolRun.kind == f.kind)
    if f.team:
        where.append(PatrolRun.team == f.team)
    if f.area_id:
        where.append(PatrolRun.area_id == f.area_id)
    return sa.select(PatrolRun.id, _month(PatrolRun.started_at, f).label("month"),
                     PatrolRun.kind, PatrolRun.team, PatrolRun.campaign_id,
                     PatrolRun.duration_s, PatrolRun.started_at, PatrolRun.ended_at).where(
        *where).subquery("runs")


def _visits(with_user: bool):
    """Subquery: (run, site[, user]) a run inspected or checked, each once (UNION)."""
    def part(model):
        columns = [model.run_id, model.site_id] + ([model.user_id] if with_user else [])
        return sa.select(*columns).where(model.run_id.is_not(None))
    return sa.union(part(SiteCheck), part(Inspection)).subquery("visits")


def _during(runs, member, f: Filters):
    """Join condition: an observation of the member (of the category asked), recorded while
    the run was under way (an open run: up to now). Both bounds are plain comparisons so
    that the database scans only that range of ix_observation_user_id_recorded_at."""
    end = sa.func.coalesce(runs.c.ended_at, sa.literal(utcnow(), UTCDateTime))
    return sa.and_(Observation.user_id == member.user_id, Observation.deleted_at.is_(None),
                   Observation.recorded_at >= runs.c.started_at, Observation.recorded_at <= end,
                   *_of_category(f))


def _of_category(f: Filters) -> list:
    """Conditions: the observation is of the filtered category (none without the filter)."""
    return [Observation.category_id == f.category_id] if f.category_id else []


def _rows(stmt, keys: list[str]) -> dict:
    """{(month, *keys): row dict} of an aggregate."""
    return {(row.month, *(getattr(row, k) for k in keys)): row._asdict()
            for row in db.session.execute(stmt)}


def _by_group(runs, key, name: str, f: Filters) -> dict:
    """Runs, seconds, sites checked, observations per month and group column `key`."""
    group = [runs.c.month, key.label(name)]
    base = _rows(sa.select(*group, sa.func.count().label("runs"),
                           sa.func.coalesce(sa.func.sum(runs.c.duration_s), 0)
                           .label("seconds")).group_by(*group), [name])
    visits = _visits(False)
    sites = _rows(sa.select(*group, sa.func.count().label("sites_checked")).select_from(runs)
                  .join(visits, visits.c.run_id == runs.c.id).group_by(*group), [name])
    member = aliased(PatrolRunMember)
    seen = _rows(sa.select(*group, sa.func.count(sa.distinct(Observation.id))
                           .label("observations")).select_from(runs)
                 .join(member, member.run_id == runs.c.id)
                 .join(Observation, _during(runs, member, f)).group_by(*group), [name])
    return _combine(base, sites, seen)


def _by_person(runs, f: Filters) -> dict:
    """The same figures per person on the runs (leader, officers, auditors)."""
    member = aliased(PatrolRunMember)
    group = [runs.c.month, member.user_id.label("user_id")]
    joined = sa.select(*group).select_from(runs).join(member, member.run_id == runs.c.id)
    base = _rows(joined.add_columns(
        sa.func.count().label("runs"),
        sa.func.coalesce(sa.func.sum(runs.c.duration_s), 0).label("seconds")).group_by(*group),
        ["user_id"])
    visits = _visits(True)
    sites = _rows(joined.join(visits, sa.and_(visits.c.run_id == runs.c.id,
                                              visits.c.user_id == member.user_id))
                  .add_columns(sa.func.count().label("sites_checked")).group_by(*group),
                  ["user_id"])
    seen = _rows(joined.join(Observation, _during(runs, member, f)).add_columns(
        sa.func.count(sa.distinct(Observation.id)).label("observations")).group_by(*group),
        ["user_id"])
    return _combine(base, sites, seen)


def _combine(base: dict, sites: dict, seen: dict) -> dict:
    """Merge the three aggregates of the same groups, with hours from seconds."""
    for key, row in base.items():
        row["hours"] = round(float(row.pop("seconds")) / 3600, 2)  # PostgreSQL: a Decimal
        row["sites_checked"] = sites.get(key, {}).get("sites_checked", 0)
        row["observations"] = seen.get(key, {}).get("observations", 0)
    return base


EMPTY = {"runs": 0, "hours": 0.0, "sites_checked": 0, "observations": 0}


def _per_kind(runs, f: Filters) -> list[dict]:
    """Every kind (or the filtered one) in every month, zeros included, as in the seeds."""
    found = _by_group(runs, runs.c.kind, "kind", f)
    kinds = [PatrolKind(f.kind)] if f.kind else list(PatrolKind)
    return [{"month": month, "kind": str(kind), "label_ko": PATROL_KIND_LABELS[kind][0],
             "label_en": PATROL_KIND_LABELS[kind][1],
             **{k: found.get((month, str(kind)), EMPTY)[k] for k in EMPTY}}
            for month in f.months for kind in kinds]


def _per_team(runs, f: Filters) -> list[dict]:
    """Teams with runs in the month."""
    found = _by_group(runs, sa.func.coalesce(runs.c.team, ""), "team", f)
    return [{"month": m, "team": team, **{k: row[k] for k in EMPTY}}
            for (m, team), row in sorted(found.items())]


def _totals(runs, f: Filters) -> list[dict]:
    """All runs in scope per month."""
    found = _by_group(runs, sa.literal("all"), "scope", f)
    return [{"month": m, **{k: found.get((m, "all"), EMPTY)[k] for k in EMPTY}}
            for m in f.months]


def _per_officer(runs, f: Filters) -> list[dict]:
    """Each person on the runs of the month."""
    found = _by_person(runs, f)
    users = {u.id: u for u in db.session.execute(sa.select(User).where(
        User.id.in_({user_id for _, user_id in found}))).scalars()} if found else {}
    rows = [{"month": m, "user_id": user_id, "display_name": users[user_id].display_name,
             "username": users[user_id].username, "role": users[user_id].role,
             "role_label_ko": ROLE_LABELS[Role(users[user_id].role)][0],
             "role_label_en": ROLE_LABELS[Role(users[user_id].role)][1],
             "team": users[user_id].team or "", **{k: row[k] for k in EMPTY}}
            for (m, user_id), row in found.items()]
    return sorted(rows, key=lambda r: (r["month"], r["team"], r["display_name"], r["user_id"]))


def _campaign_visits():
    """Subquery: (campaign, target site, time) of inspections and checks of campaign runs."""
    inspections = sa.select(Inspection.campaign_id.label("campaign_id"), Inspection.site_id,
                            Inspection.inspected_at.label("at")).where(
        Inspection.campaign_id.is_not(None))
    checks = sa.select(PatrolRun.campaign_id.label("campaign_id"), SiteCheck.site_id,
                       SiteCheck.checked_at.label("at")).join(
        PatrolRun, SiteCheck.run_id == PatrolRun.id).where(PatrolRun.campaign_id.is_not(None))
    visits = sa.union_all(inspections, checks).subquery("campaign_visits")
    return sa.select(visits).join(CampaignSite, sa.and_(
        CampaignSite.campaign_id == visits.c.campaign_id,
        CampaignSite.site_id == visits.c.site_id)).subquery("target_visits")


def _coverage(campaign_ids: list[int], f: Filters) -> tuple[dict, dict, dict]:
    """(targeted per campaign, inspected in each month, first inspections per month)."""
    targeted = dict(db.session.execute(sa.select(
        CampaignSite.campaign_id, sa.func.count()).where(
        CampaignSite.campaign_id.in_(campaign_ids)).group_by(CampaignSite.campaign_id)).all())
    visits = _campaign_visits()
    month = _month(visits.c.at, f).label("month")
    in_month = {(row.month, row.campaign_id): row.n for row in db.session.execute(
        sa.select(month, visits.c.campaign_id, sa.func.count(sa.distinct(visits.c.site_id))
                  .label("n")).where(visits.c.campaign_id.in_(campaign_ids),
                                     *_in_range(visits.c.at, f))
        .group_by(month, visits.c.campaign_id))}
    first = sa.select(visits.c.campaign_id, visits.c.site_id,
                      sa.func.min(visits.c.at).label("at")).where(
        visits.c.campaign_id.in_(campaign_ids), visits.c.at < f.bounds[-1][2]).group_by(
        visits.c.campaign_id, visits.c.site_id).subquery("first_visits")
    first_month = sa.case((first.c.at < f.bounds[0][1], "before"),
                          else_=_month(first.c.at, f)).label("month")
    firsts = {(row.month, row.campaign_id): row.n for row in db.session.execute(
        sa.select(first_month, first.c.campaign_id, sa.func.count().label("n"))
        .group_by(first_month, first.c.campaign_id))}
    return targeted, in_month, firsts


def _per_campaign(runs, f: Filters) -> list[dict]:
    """Campaigns running in the month: their runs, observations and coverage."""
    if f.kind and f.kind != PatrolKind.CAMPAIGN:
        return []
    first_day = f.bounds[0][1].astimezone(month_tools.SEOUL).date()
    last_day = f.bounds[-1][2].astimezone(month_tools.SEOUL).date()
    campaigns = db.session.execute(sa.select(Campaign).where(
        Campaign.deleted_at.is_(None), Campaign.starts_on < last_day,
        Campaign.ends_on >= first_day).order_by(Campaign.starts_on, Campaign.code)).scalars().all()
    if not campaigns:
        return []
    found = _by_group(runs, runs.c.campaign_id, "campaign_id", f)
    targeted, in_month, firsts = _coverage([c.id for c in campaigns], f)
    rows = []
    for campaign in campaigns:
        to_date = firsts.get(("before", campaign.id), 0)
        for month, start, end in f.bounds:
            to_date += firsts.get((month, campaign.id), 0)
            if not _overlaps(campaign, start, end):
                continue
            total = targeted.get(campaign.id, 0)
            rows.append({
                "month": month, "campaign_id": campaign.id, "code": campaign.code,
                "title_ko": campaign.title_ko, "title_en": campaign.title_en,
                **{k: found.get((month, campaign.id), EMPTY)[k] for k in EMPTY},
                "targeted": total, "inspected": in_month.get((month, campaign.id), 0),
                "inspected_to_date": to_date,
                "coverage": round(to_date / total, 4) if total else None})
    return rows


def _overlaps(campaign: Campaign, start: datetime, end: datetime) -> bool:
    """True when the campaign's window meets the month."""
    first = start.astimezone(month_tools.SEOUL).date()
    last = end.astimezone(month_tools.SEOUL).date()
    return campaign.starts_on < last and campaign.ends_on >= first


def _auditors(f: Filters) -> list[dict]:
    """Citizen auditors' reports recorded in the month, by credit (see credit.py)."""
    month = _month(Observation.recorded_at, f).label("month")
    value = credit.credit_of()
    where = [User.role == "citizen_auditor", *_in_range(Observation.recorded_at, f),
             *_of_category(f)]
    if f.area_id:
        where.append(Observation.area_id == f.area_id)
    if f.team:
        where.append(User.team == f.team)
    stmt = credit.with_finding(sa.select(
        month, User.id.label("user_id"), User.display_name, User.username,
        sa.func.coalesce(User.team, "").label("team"), sa.func.count().label("reports"),
        *[sa.func.sum(sa.case((value == name, 1), else_=0)).label(name)
          for name in credit.CREDITS]).select_from(Observation).join(
        User, User.id == Observation.user_id)).where(*credit.counted(*where)).group_by(
        month, User.id, User.display_name, User.username, User.team)
    rows = [row._asdict() for row in db.session.execute(stmt)]
    return sorted(rows, key=lambda r: (r["month"], -r["accepted"], r["display_name"]))


def filter_labels(f: Filters) -> list[tuple[str, str]]:
    """The filters in force as (Korean label, readable value), for printed sheets."""
    labels = []
    if f.area_id is not None:
        area = db.session.get(Area, f.area_id)
        labels.append(("동", area.name_ko if area else f"#{f.area_id}"))
    if f.kind is not None:
        labels.append(("순찰 구분", PATROL_KIND_LABELS[PatrolKind(f.kind)][0]))
    if f.team is not None:
        labels.append(("순찰팀", f.team))
    if f.category_id is not None:
        category = db.session.get(Category, f.category_id)
        labels.append(("적출 분류", category.name_ko if category else f"#{f.category_id}"))
    return labels


def report(f: Filters) -> dict:
    """The whole activity report for the filters."""
    runs = _runs(f)
    return {"months": list(f.months),
            "filters": {"area_id": f.area_id, "kind": f.kind, "team": f.team,
                        "category_id": f.category_id},
            "filter_labels": filter_labels(f),
            "per_kind": _per_kind(runs, f), "per_campaign": _per_campaign(runs, f),
            "per_team": _per_team(runs, f), "per_officer": _per_officer(runs, f),
            "auditors": _auditors(f), "totals": _totals(runs, f)}
