"""Schedules: RRULE occurrences generated ahead, then settled as done or missed.

Every expansion is bounded here: a rule yields at most one occurrence a day, an expansion
creates occurrences only from LOOKBACK before now to PATROL_SCHEDULE_AHEAD_DAYS ahead, steps
through at most MAX_STEPS occurrences of the rule and creates at most MAX_OCCURRENCES.
"""
import logging
from datetime import UTC, datetime, timedelta
from itertools import islice

import sqlalchemy as sa
from dateutil import rrule

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import Site
from patrol_api.models.base import utcnow
from patrol_api.models.patrols import Inspection, PatrolRun, Schedule, ScheduleOccurrence
from patrol_api.patrols.settings import setting

log = logging.getLogger(__name__)

TOO_FREQUENT = (rrule.SECONDLY, rrule.MINUTELY, rrule.HOURLY)
LOOKBACK = timedelta(days=366)  # a year of history; older occurrences are not made
MAX_STEPS = 50_000  # occurrences of a rule walked from its dtstart: 2000..2100 daily fits
MAX_OCCURRENCES = 1000  # created by one expansion (LOOKBACK + a year ahead, daily, fits)


def parse(text: str, dtstart: datetime) -> rrule.rrule:
    """The rule of a schedule; 422 naming `rrule` when it is unreadable or more than daily
    (a sub-daily frequency, or several hours, minutes or seconds a day)."""
    try:
        rule = rrule.rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError, OverflowError) as error:
        raise ApiError(422, "validation_error", f"Not an RRULE: {error}", "rrule") from None
    if not isinstance(rule, rrule.rrule) or _more_than_daily(rule):
        raise ApiError(422, "validation_error", "Use one RRULE of at most daily frequency.",
                       "rrule")
    return rule


def _more_than_daily(rule: rrule.rrule) -> bool:
    """A sub-daily frequency, or a daily one with several hours, minutes or seconds."""
    times_a_day = (rule._byhour, rule._byminute, rule._bysecond)  # noqa: SLF001
    return rule._freq in TOO_FREQUENT or any(  # noqa: SLF001
        len(times or ()) > 1 for times in times_a_day)


def due_times(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """The occurrences of a schedule between two times, none after its `until`; at most
    MAX_OCCURRENCES of them, found within MAX_STEPS of the rule."""
    end = min(end, schedule.until) if schedule.until else end
    if end < start:
        return []
    found, steps = [], 0
    for moment in islice(parse(schedule.rrule, schedule.dtstart), MAX_STEPS):
        steps += 1
        if moment > end:
            return found
        if moment >= start:
            found.append(moment)
            if len(found) == MAX_OCCURRENCES:
                break
    if steps == MAX_STEPS or len(found) == MAX_OCCURRENCES:
        log.warning("schedule %s: expansion stopped at its bound (%d steps, %d occurrences)",
                    schedule.code, steps, len(found))
    return found


def generate(schedule: Schedule, now: datetime) -> int:
    """Create the planned occurrences from LOOKBACK before now (not before the schedule's
    start) up to PATROL_SCHEDULE_AHEAD_DAYS ahead; how many."""
    ahead = now + timedelta(days=setting("PATROL_SCHEDULE_AHEAD_DAYS"))
    known = set(db.session.execute(sa.select(ScheduleOccurrence.due_at).where(
        ScheduleOccurrence.schedule_id == schedule.id)).scalars())
    start = max(schedule.dtstart, now - LOOKBACK)
    new = [t for t in due_times(schedule, start, ahead) if t not in known]
    db.session.add_all(ScheduleOccurrence(schedule_id=schedule.id, due_at=t) for t in new)
    db.session.flush()
    return len(new)


def _window(occurrence: ScheduleOccurrence) -> tuple[datetime, datetime]:
    """The times within which the planned work counts for the occurrence."""
    grace = timedelta(hours=occurrence.schedule.grace_hours)
    return _shifted(occurrence.due_at, -grace), _shifted(occurrence.due_at, grace)


def _shifted(moment: datetime, delta: timedelta) -> datetime:
    """moment + delta, held at the first or last representable time (a stored year-1 time
    must not stop the job)."""
    try:
        return moment + delta
    except OverflowError:
        return (datetime.min if delta < timedelta(0) else datetime.max).replace(tzinfo=UTC)


def _run_for(occurrence: ScheduleOccurrence) -> int | None:
    """The id of a run of the scheduled kind (and team) started within the window."""
    schedule, (start, end) = occurrence.schedule, _window(occurrence)
    stmt = sa.select(PatrolRun.id).where(PatrolRun.started_at.between(start, end),
                                         PatrolRun.deleted_at.is_(None))
    if schedule.patrol_kind:
        stmt = stmt.where(PatrolRun.kind == schedule.patrol_kind)
    if schedule.team:
        stmt = stmt.where(PatrolRun.team == schedule.team)
    return db.session.execute(stmt.order_by(PatrolRun.id).limit(1)).scalar()


def _inspection_for(occurrence: ScheduleOccurrence) -> int | None:
    """The id of an inspection of the scheduled site within the window."""
    start, end = _window(occurrence)
    return db.session.execute(sa.select(Inspection.id).where(
        Inspection.site_id == occurrence.schedule.site_id,
        Inspection.inspected_at.between(start, end)).order_by(Inspection.id).limit(1)).scalar()


def settle(now: datetime) -> dict:
    """Mark planned occurrences done when their work is found, missed once past the window."""
    planned = db.session.execute(sa.select(ScheduleOccurrence).where(
        ScheduleOccurrence.status == "planned", ScheduleOccurrence.due_at <= now + timedelta(
            days=1)).order_by(ScheduleOccurrence.id)).scalars().all()
    counts = {"done": 0, "missed": 0}
    for occurrence in planned:
        status = _settle_one(occurrence, now)
        if status:
            counts[status] += 1
    db.session.flush()
    return counts


def _settle_one(occurrence: ScheduleOccurrence, now: datetime) -> str | None:
    """Settle one occurrence; its new status or None while it may still be done."""
    if occurrence.schedule.target == "patrol":
        occurrence.run_id = _run_for(occurrence)
        found = occurrence.run_id
    else:
        occurrence.inspection_id = _inspection_for(occurrence)
        found = occurrence.inspection_id
    if found is None and _window(occurrence)[1] >= now:
        return None
    occurrence.status, occurrence.settled_at = ("done" if found else "missed"), now
    return occurrence.status


def missed(since: datetime) -> list[ScheduleOccurrence]:
    """Occurrences due since a time that were missed, oldest first."""
    return db.session.execute(sa.select(ScheduleOccurrence).where(
        ScheduleOccurrence.status == "missed", ScheduleOccurrence.due_at >= since)
        .order_by(ScheduleOccurrence.due_at, ScheduleOccurrence.id)).scalars().all()


def tick_job() -> dict:
    """rq job: generate occurrences of active schedules, settle the due ones; commits."""
    now = utcnow()
    active = db.session.execute(sa.select(Schedule).where(Schedule.active)).scalars().all()
    generated = sum(_generate_alone(schedule, now) for schedule in active)
    counts = settle(now)
    db.session.commit()
    return {"generated": generated, **counts}


def _generate_alone(schedule: Schedule, now: datetime) -> int:
    """generate in a savepoint: a stored schedule that cannot be expanded (a rule refused
    since it was saved) is logged and skipped, and the others go on."""
    try:
        with db.session.begin_nested():
            return generate(schedule, now)
    except (ApiError, ValueError, OverflowError):
        log.exception("schedule %s cannot be expanded; skipped", schedule.code)
        return 0


FIELDS = ("code", "title_ko", "title_en", "target", "patrol_kind", "team", "site_id", "rrule",
          "dtstart", "until", "grace_hours", "active")


def _check(data: dict) -> None:
    """The rule reads; a patrol names its kind, an inspection a live site."""
    parse(data["rrule"], data["dtstart"])
    if data["target"] == "patrol" and not data.get("patrol_kind"):
        raise ApiError(422, "validation_error", "A patrol schedule needs a patrol_kind.",
                       "patrol_kind")
    site = db.session.get(Site, data["site_id"]) if data.get("site_id") else None
    if data["target"] == "inspection" and (site is None or site.deleted_at is not None):
        raise ApiError(422, "validation_error", "An inspection schedule needs a live site.",
                       "site_id")


def _check_code_free(code: str) -> None:
    """409 naming `code` when another schedule has it."""
    if db.session.execute(sa.select(Schedule.id).where(Schedule.code == code)).first():
        raise ApiError(409, "duplicate_code", "A schedule already has this code.", "code")


def create(data: dict) -> Schedule:
    """A new schedule (occurrences come with the next tick or `generate`)."""
    _check(data)
    _check_code_free(data["code"])
    schedule = Schedule(**{name: data[name] for name in FIELDS if name in data})
    db.session.add(schedule)
    db.session.flush()
    return schedule


def update(schedule: Schedule, data: dict, now: datetime) -> Schedule:
    """Change a schedule; its planned future occurrences are dropped to be generated anew."""
    _check({**{name: getattr(schedule, name) for name in FIELDS}, **data})
    if data.get("code", schedule.code) != schedule.code:
        _check_code_free(data["code"])
    for name in FIELDS:
        if name in data:
            setattr(schedule, name, data[name])
    db.session.execute(sa.delete(ScheduleOccurrence).where(
        ScheduleOccurrence.schedule_id == schedule.id, ScheduleOccurrence.status == "planned",
        ScheduleOccurrence.due_at > now))
    db.session.flush()
    return schedule
