"""Frozen monthly rankings: computed by a job, stored with data and formula versions.

Only a completed Seoul month is frozen (a final ranking of a month still running, or of one
in the future, would be wrong), and none before the year of the system's first finding: the
awards average a year's months, so that year's earlier months may be frozen (empty), but
1999-01 may not.
"""
from datetime import UTC, datetime

import sqlalchemy as sa

from patrol_api import changefeed
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Finding, RankingSnapshot
from patrol_api.rankings import metrics, months, refresh, scoring, settings


def params() -> dict:
    """The settings a snapshot was computed with."""
    return {name: settings.get(name) for name in settings.DEFAULTS}


FLOOR = "2000-01"  # no month before this one, whatever the data say


def first_month(now: datetime | None = None) -> str:
    """The earliest month that may be frozen: January of the year of the first finding (of
    the current year without any finding), never before FLOOR."""
    first = db.session.execute(sa.select(sa.func.min(Finding.first_seen_at))).scalar()
    moment = first if first is not None else (now or datetime.now(UTC))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(f"{moment.astimezone(SEOUL).year:04d}-01", FLOOR)


def check_final(month: str, now: datetime | None = None) -> None:
    """422 unless `month` (YYYY-MM) is a completed Seoul month, from first_month() on."""
    months.parse(month)
    if month >= months.current(now):
        raise ApiError(422, "month_not_over", f"{month}은(는) 아직 끝나지 않은 달이라 확정할 수 "
                       f"없습니다. Only a completed month can be frozen; {month} is not over.",
                       "month")
    earliest = first_month(now)
    if month < earliest:
        raise ApiError(422, "month_before_data", f"{month}은(는) 자료가 있는 기간({earliest} "
                       f"이후) 전이라 확정할 수 없습니다. Months before {earliest} cannot be "
                       "frozen.", "month", earliest=earliest)


def compute(month: str, user_id: int | None = None, reason: str | None = None,
            now: datetime | None = None) -> RankingSnapshot:
    """Compute a completed month's ranking (check_final; `now`: the moment it is judged at) and
    store it as the next version, with why it was made (a correction is a new, visible version
    with a reason); the caller commits."""
    check_final(month, now)
    refresh.refresh()
    rows = metrics.month_metrics(month)
    latest = db.session.execute(sa.select(sa.func.max(RankingSnapshot.version)).where(
        RankingSnapshot.month == month)).scalar() or 0
    snapshot = RankingSnapshot(
        month=month, version=latest + 1, data_version=changefeed.current(db.session),
        formula_version=settings.FORMULA_VERSION, params=params(),
        tables=scoring.tables(rows), created_by_id=user_id,
        reason=(reason or ("first freeze" if not latest else "recomputed on request"))[:200])
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def compute_job(month: str, user_id: int | None = None, reason: str | None = None) -> int:
    """Job: compute and commit a month's snapshot; its id."""
    snapshot = compute(month, user_id, reason)
    db.session.commit()
    return snapshot.id


def listing(first: str | None = None, last: str | None = None) -> list[RankingSnapshot]:
    """Snapshots, newest month and version first, optionally within a month range."""
    stmt = sa.select(RankingSnapshot)
    if first:
        stmt = stmt.where(RankingSnapshot.month >= "-".join(map(_pad, months.parse(first))))
    if last:
        stmt = stmt.where(RankingSnapshot.month <= "-".join(map(_pad, months.parse(last, "to"))))
    stmt = stmt.order_by(RankingSnapshot.month.desc(), RankingSnapshot.version.desc())
    return list(db.session.execute(stmt).scalars())


def _pad(number: int) -> str:
    """Two digits at least."""
    return f"{number:02d}"


def get(snapshot_id: int) -> RankingSnapshot:
    """One snapshot; 404 when missing."""
    snapshot = db.session.get(RankingSnapshot, snapshot_id)
    if snapshot is None:
        raise ApiError(404, "not_found", "No such snapshot.")
    return snapshot


def latest_of_year(year: int) -> list[RankingSnapshot]:
    """The latest version of each month's snapshot in a year."""
    found: dict[str, RankingSnapshot] = {}
    for snapshot in listing(f"{year:04d}-01", f"{year:04d}-12"):
        found.setdefault(snapshot.month, snapshot)
    return [found[month] for month in sorted(found)]


def latest(month: str) -> RankingSnapshot | None:
    """The latest version of a month's snapshot, or None."""
    return db.session.execute(sa.select(RankingSnapshot).where(
        RankingSnapshot.month == month).order_by(RankingSnapshot.version.desc()).limit(1)
    ).scalar()
