"""Patrol runs: start, change, end, GPS track appends and the auto-close of forgotten runs."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import Observation, User
from patrol_api.models.base import utcnow
from patrol_api.models.patrols import PatrolRun
from patrol_api.patrols import geo
from patrol_api.patrols.settings import setting

CHANGEABLE = ("team", "participant_user_ids", "auditor_user_ids", "resident_count",
              "resident_names", "campaign_id")


def start(leader: User, client_id: str, data: dict) -> PatrolRun:
    """A new run led by `leader`."""
    run = PatrolRun(client_id=client_id, leader_id=leader.id, kind=data["kind"],
                    started_at=data["started_at"], track=[], track_simplified=[])
    _set(run, data)
    db.session.add(run)
    db.session.flush()
    return run


def update(run: PatrolRun, data: dict) -> PatrolRun:
    """Change the team, participants or campaign of a run."""
    _set(run, data)
    db.session.flush()
    return run


def _set(run: PatrolRun, data: dict) -> None:
    """Copy the changeable fields present in data."""
    for name in CHANGEABLE:
        if name in data:
            setattr(run, name, data[name])


def end(run: PatrolRun, ended_at: datetime) -> PatrolRun:
    """Close a run; the end may not precede its start."""
    if ended_at < run.started_at:
        raise ApiError(422, "validation_error", "A run cannot end before it starts.",
                       "ended_at")
    run.ended_at = ended_at
    db.session.flush()
    return run


def append_track(run: PatrolRun, points: list) -> PatrolRun:
    """Merge [lat, lon, t] points into the track (by time, duplicates once); re-simplify."""
    merged = {point[2]: list(point) for point in run.track}
    merged.update({point[2]: list(point) for point in points})
    track = [merged[t] for t in sorted(merged)]
    limit = setting("PATROL_MAX_TRACK_POINTS")
    if len(track) > limit:
        raise ApiError(422, "track_too_long", f"A run keeps at most {limit} track points.",
                       "points")
    run.track = track
    run.track_simplified = geo.simplify(track, setting("PATROL_TRACK_TOLERANCE_M"))
    db.session.flush()
    return run


def auto_close(now: datetime | None = None) -> int:
    """Close runs open longer than PATROL_AUTO_CLOSE_HOURS, flagged auto_closed; a count."""
    limit = timedelta(hours=setting("PATROL_AUTO_CLOSE_HOURS"))
    now = now or utcnow()
    stale = db.session.execute(sa.select(PatrolRun).where(
        PatrolRun.ended_at.is_(None), PatrolRun.started_at < now - limit)).scalars().all()
    for run in stale:
        run.ended_at = _last_sign_of_life(run, limit)
        run.auto_closed = True
    db.session.flush()
    return len(stale)


def _last_sign_of_life(run: PatrolRun, limit: timedelta) -> datetime:
    """When the run probably ended: its last track point, else start + the limit."""
    if run.track:
        return datetime.fromtimestamp(run.track[-1][2], tz=run.started_at.tzinfo)
    return run.started_at + limit


def auto_close_job() -> int:
    """rq job: auto-close forgotten runs and commit."""
    count = auto_close()
    db.session.commit()
    return count


def members(run: PatrolRun) -> set[int]:
    """The user ids of everyone on the run: leader, officers, citizen auditors."""
    return {run.leader_id, *run.participant_user_ids, *run.auditor_user_ids}


def observation_ids(run: PatrolRun) -> list[str]:
    """The phone ids of the observations the run's members made while it was under way."""
    end = run.ended_at or utcnow()
    return list(db.session.execute(sa.select(Observation.client_id).where(
        Observation.user_id.in_(members(run)), Observation.deleted_at.is_(None),
        Observation.recorded_at.between(run.started_at, end)).order_by(
        Observation.recorded_at, Observation.id)).scalars())
