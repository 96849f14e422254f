"""Frozen monthly rankings: computed by a job, stored with data and formula versions."""
import sqlalchemy as sa

from patrol_api import changefeed
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import RankingSnapshot
from patrol_api.rankings import metrics, months, refresh, scoring, settings


def params() -> dict:
    """The settings a snapshot was computed with."""
    return {name: settings.get(name) for name in settings.DEFAULTS}


def compute(month: str, user_id: int | None = None,
            reason: str | None = None) -> RankingSnapshot:
    """Compute a month's ranking and store it as the next version, with why it was made (a
    correction is a new, visible version with a reason); the caller commits."""
    months.bounds(month)
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
