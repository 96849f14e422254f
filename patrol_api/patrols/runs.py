"""Patrol runs: start, change, end, GPS track appends and the auto-close of forgotten runs.

Times a phone sends are device times: with the push's clock reading (sync/clock.py) the run
keeps the raw device time, the offset used and the corrected time, and flags doubtful ones.
"""
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import Observation, User
from patrol_api.models.base import utcnow
from patrol_api.models.patrols import PatrolRun, PatrolRunMember
from patrol_api.patrols import device_times, geo
from patrol_api.patrols.settings import setting
from patrol_api.reference.geo import area_containing

CHANGEABLE = ("team", "participant_user_ids", "auditor_user_ids", "resident_count",
              "resident_names", "campaign_id")


def start(leader: User, client_id: str, data: dict, clock=None) -> PatrolRun:
    """A new run led by `leader`; with a push's `clock`, started_at is a device time."""
    when = device_times.stamp(data["started_at"], clock)
    run = PatrolRun(client_id=client_id, leader_id=leader.id, kind=data["kind"],
                    started_at=when.at, started_at_device=when.device,
                    start_clock_offset_ms=when.offset_ms, track=[], track_simplified=[],
                    time_flags=[])
    _flag(run, "started_at", when.flags)
    _set(run, data)
    db.session.add(run)
    db.session.flush()
    _sync_members(run)
    return run


def update(run: PatrolRun, data: dict) -> PatrolRun:
    """Change the team, participants or campaign of a run."""
    _set(run, data)
    db.session.flush()
    _sync_members(run)
    return run


def _set(run: PatrolRun, data: dict) -> None:
    """Copy the changeable fields present in data."""
    for name in CHANGEABLE:
        if name in data:
            setattr(run, name, data[name])


def _flag(run: PatrolRun, what: str, flags: list[str]) -> None:
    """Add `what:flag` entries to the run's time flags (each once)."""
    found = [f"{what}:{flag}" for flag in flags]
    if any(flag not in run.time_flags for flag in found):
        run.time_flags = list(dict.fromkeys([*run.time_flags, *found]))


def _sync_members(run: PatrolRun) -> None:
    """Mirror the run's leader, officers and auditors into patrol_run_member rows."""
    wanted = {run.leader_id: "leader"}
    for user_id in run.participant_user_ids:
        wanted.setdefault(user_id, "officer")
    for user_id in run.auditor_user_ids:
        wanted.setdefault(user_id, "auditor")
    rows = db.session.execute(sa.select(PatrolRunMember).where(
        PatrolRunMember.run_id == run.id)).scalars().all()
    for row in rows:
        if wanted.get(row.user_id) != row.role:
            db.session.delete(row)
    db.session.flush()
    have = {row.user_id for row in rows if wanted.get(row.user_id) == row.role}
    db.session.add_all(PatrolRunMember(run_id=run.id, user_id=user_id, role=role)
                       for user_id, role in wanted.items() if user_id not in have)
    db.session.flush()


def end(run: PatrolRun, ended_at: datetime, clock=None) -> PatrolRun:
    """Close a run (with a push's `clock`, ended_at is a device time); not before its start."""
    when = device_times.stamp(ended_at, clock)
    if when.at < run.started_at:
        raise ApiError(422, "validation_error", "A run cannot end before it starts.",
                       "ended_at")
    run.ended_at_device, run.end_clock_offset_ms = when.device, when.offset_ms
    _flag(run, "ended_at", when.flags)
    _close(run, when.at)
    db.session.flush()
    return run


def _close(run: PatrolRun, ended_at: datetime) -> None:
    """Set the end and the duration in whole seconds."""
    run.ended_at = ended_at
    run.duration_s = int((ended_at - run.started_at).total_seconds())


LAST_SECOND = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


def _moment(t: int) -> datetime:
    """A unix time as a datetime (times past year 9999, which phones can send, are capped)."""
    return datetime.fromtimestamp(min(t, LAST_SECOND), UTC)


def _device_t(point: list) -> int:
    """The device time of a stored point (older 3-element points: their only time)."""
    return point[3] if len(point) > 3 else point[2]


def _corrected_points(run: PatrolRun, points: list, clock) -> list:
    """[lat, lon, corrected t, device t] points; doubtful device times flag the run."""
    if clock is None:
        return [[lat, lon, t, t] for lat, lon, t in points]
    shift = round(clock.offset_ms / 1000)
    flags: set[str] = set()
    for _lat, _lon, t in points:
        flags.update(clock.flags(_moment(t)))
    corrected = [[lat, lon, t + shift, t] for lat, lon, t in points]
    slack = clock.tolerance.total_seconds()
    if any(p[2] < run.started_at.timestamp() - slack for p in corrected):
        flags.add("before_start")
    if run.ended_at and any(p[2] > run.ended_at.timestamp() + slack for p in corrected):
        flags.add("after_end")
    _flag(run, "track", sorted(flags))
    return corrected


def append_track(run: PatrolRun, points: list, clock=None) -> PatrolRun:
    """Merge [lat, lon, device t] points into the track (ordered by corrected time, each
    device time once), re-simplify, and place the run in the dong of its first point."""
    merged = {_device_t(point): list(point) for point in run.track}
    merged.update({point[3]: point for point in _corrected_points(run, points, clock)})
    track = sorted(merged.values(), key=lambda point: (point[2], _device_t(point)))
    limit = setting("PATROL_MAX_TRACK_POINTS")
    if len(track) > limit:
        raise ApiError(422, "track_too_long", f"A run keeps at most {limit} track points.",
                       "points")
    first_changed = not run.track or run.track[0] != track[0]
    run.track = track
    run.track_simplified = geo.simplify(track, setting("PATROL_TRACK_TOLERANCE_M"))
    if first_changed:
        area = area_containing(track[0][0], track[0][1])
        run.area_id = area.id if area is not None else None
    db.session.flush()
    return run


def auto_close(now: datetime | None = None) -> int:
    """Close runs open longer than PATROL_AUTO_CLOSE_HOURS, flagged auto_closed; a count."""
    limit = timedelta(hours=setting("PATROL_AUTO_CLOSE_HOURS"))
    now = now or utcnow()
    stale = db.session.execute(sa.select(PatrolRun).where(
        PatrolRun.ended_at.is_(None), PatrolRun.started_at < now - limit)).scalars().all()
    for run in stale:
        _close(run, _last_sign_of_life(run, limit, now))
        run.auto_closed = True
    db.session.flush()
    return len(stale)


def _last_sign_of_life(run: PatrolRun, limit: timedelta, now: datetime) -> datetime:
    """When the run probably ended: its last track point (not after now), else start + the
    limit."""
    if run.track:
        return max(run.started_at, min(now, _moment(run.track[-1][2])))
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
