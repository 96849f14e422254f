"""Findings in the pull: the phone-safe record, who holds which finding, and their tombstones.

A user holds a finding (that is not deleted) when it holds one of their own observations (any
state), or — except citizen auditors — when it is open (resolved ones, awaiting a check,
included) and lies in one of their patrol areas or is assigned to their department; managers,
admins and viewers hold every open finding. Tombstones come from sync.exits.
"""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import Area, Category, Department, Finding, Observation, Site
from sync.exits import FindingExit
from sync.records import _iso
from sync.scope import Scope
from sync.window import Window, entry

KIND = "findings"
_F = Finding.__table__
_CATEGORY, _SITE, _AREA, _DEPARTMENT = (
    Category.__table__.alias("fc"), Site.__table__.alias("fs"), Area.__table__.alias("fa"),
    Department.__table__.alias("fd"))
_COLUMNS = [_F.c[name] for name in (
    "id", "reference", "version", "change_seq", "state", "is_open", "priority", "lat", "lon",
    "in_coordination", "observation_count", "first_seen_at", "last_seen_at", "ack_due_at",
    "resolve_due_at", "overdue", "resolved_at", "closed_at", "recurrence_of_id",
    "merged_into_id")]
TIMES = ("first_seen_at", "last_seen_at", "ack_due_at", "resolve_due_at", "resolved_at",
         "closed_at")


def reported_by(user_id: int):
    """Condition: the finding holds one of the user's observations."""
    return _F.c.id.in_(sa.select(Observation.finding_id).where(
        Observation.user_id == user_id, Observation.finding_id.is_not(None)))


def by_rule(scope: Scope, area_id, department_id):
    """Condition: an open finding with this area/department is in the user's rule-based view."""
    if scope.reporter_only:
        return sa.false()
    if scope.sees_all:
        return sa.true()
    held = []
    if scope.area_ids:
        held.append(area_id.in_(scope.area_ids))
    if scope.department_id is not None:
        held.append(department_id == scope.department_id)
    return sa.or_(*held) if held else sa.false()


def held(scope: Scope):
    """Condition on the finding table: the user holds the finding now."""
    rule = sa.and_(_F.c.is_open.is_(True), by_rule(scope, _F.c.area_id, _F.c.department_id))
    return sa.and_(_F.c.deleted_at.is_(None), sa.or_(reported_by(scope.user_id), rule))


def findings(window: Window) -> list:
    """Upserts: findings the user holds that changed in the window."""
    stmt = (sa.select(*_COLUMNS, _CATEGORY.c.code.label("category_code"),
                      _SITE.c.code.label("site_code"), _AREA.c.code.label("area_code"),
                      _DEPARTMENT.c.code.label("department_code"),
                      _DEPARTMENT.c.name_ko.label("department_name_ko"),
                      _DEPARTMENT.c.name_en.label("department_name_en"))
            .select_from(_F.join(_CATEGORY, _CATEGORY.c.id == _F.c.category_id)
                         .outerjoin(_SITE, _SITE.c.id == _F.c.site_id)
                         .outerjoin(_AREA, _AREA.c.id == _F.c.area_id)
                         .outerjoin(_DEPARTMENT, _DEPARTMENT.c.id == _F.c.department_id))
            .where(*window.of(_F.c.change_seq), held(window.scope))
            .order_by(_F.c.change_seq).limit(window.limit))
    return [entry(row.change_seq, KIND, "upsert", row.id, record(row))
            for row in db.session.execute(stmt)]


def record(row) -> dict:
    """The phone-safe record of a finding: no notes, comments, actors or routing internals."""
    data = {name: getattr(row, name) for name in (
        "id", "reference", "version", "change_seq", "state", "is_open", "priority",
        "category_code", "site_code", "area_code", "department_code", "department_name_ko",
        "department_name_en", "lat", "lon", "in_coordination", "observation_count",
        "overdue", "recurrence_of_id", "merged_into_id")}
    data.update({name: _iso(getattr(row, name)) for name in TIMES})
    return data


def exits(window: Window) -> list:
    """Tombstones: findings that left a view matching the user and that they no longer hold."""
    scope, exit_ = window.scope, FindingExit.__table__
    matches = sa.or_(exit_.c.user_id == scope.user_id, sa.and_(
        exit_.c.user_id.is_(None), by_rule(scope, exit_.c.area_id, exit_.c.department_id)))
    still_held = sa.select(_F.c.id).where(_F.c.id == exit_.c.finding_id, held(scope))
    last = sa.func.max(exit_.c.seq).label("seq")  # one tombstone per finding, at its last exit
    stmt = (sa.select(last, exit_.c.finding_id)
            .where(*window.of(exit_.c.seq), matches, ~still_held.exists())
            .group_by(exit_.c.finding_id).order_by(last).limit(window.limit))
    return [entry(seq, KIND, "delete", finding_id, None)
            for seq, finding_id in db.session.execute(stmt)]
