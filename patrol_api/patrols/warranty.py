"""Warranty programme (하자점검): warn owning departments ahead of warranty ends, plan the
semi-annual inspections of sites under warranty (by hand or, for sites without a plan, by
the periodic tick), and keep each plan ending with its site's warranty when that moves.
Days are Seoul calendar days; planned checks are due at 09:00 Seoul."""
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import notify
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Notification, Site
from patrol_api.models.base import utcnow
from patrol_api.models.patrols import Schedule, ScheduleOccurrence, WarrantyNotice
from patrol_api.patrols import schedules
from patrol_api.patrols.settings import setting

TOPIC = "warranty_expiring"
PLAN_PREFIX = "warranty-"
CHECK_TIME = time(9)  # Seoul morning
WINDOW_DAYS = 30  # grace either side of a planned check


def today() -> date:
    """The district's date."""
    return datetime.now(SEOUL).date()


def expiring(today: date) -> list[Site]:
    """Live sites whose warranty ends within WARRANTY_WARN_DAYS and were not warned yet."""
    horizon = today + timedelta(days=setting("WARRANTY_WARN_DAYS"))
    warned = sa.select(WarrantyNotice.id).where(
        WarrantyNotice.site_id == Site.id, WarrantyNotice.warranty_end == Site.warranty_end)
    return db.session.execute(sa.select(Site).where(
        Site.deleted_at.is_(None), Site.warranty_end.between(today, horizon),
        ~warned.exists()).order_by(Site.warranty_end, Site.id)).scalars().all()


def payload(site: Site) -> dict:
    """What the warning says."""
    return {"topic": TOPIC, "finding": {"reference": f"warranty:{site.code}"},
            "site": {"id": site.id, "code": site.code, "name_ko": site.name_ko,
                     "contractor": site.contractor,
                     "warranty_end": site.warranty_end.isoformat()}}


def _queue(site: Site) -> int:
    """Put the warning in the notification outbox when the sender knows the topic."""
    department = site.owner_department
    if TOPIC not in notify.TOPICS or department is None or not department.email:
        return 0
    db.session.add(Notification(channel="email", target=department.email, topic=TOPIC,
                                payload=payload(site)))
    return 1


def warn(today: date) -> int:
    """Record (and queue) one warning per expiring site; how many sites were warned."""
    sites = expiring(today)
    for site in sites:
        db.session.add(WarrantyNotice(site_id=site.id, warranty_end=site.warranty_end,
                                      department_id=site.owner_department_id,
                                      queued_messages=_queue(site)))
    db.session.flush()
    return len(sites)


def plan_code(site: Site) -> str:
    """The code of a site's warranty schedule: warranty-<site code>, or warranty-site-<id>
    when that is too long or another schedule has it."""
    code = f"{PLAN_PREFIX}{site.code}"
    taken = db.session.execute(sa.select(Schedule.id).where(Schedule.code == code)).first()
    return code if len(code) <= 40 and taken is None else f"{PLAN_PREFIX}site-{site.id}"


def has_plan(site_id: int):
    """SQL: the site has a warranty schedule (planned by hand or by the tick)."""
    return sa.exists().where(Schedule.site_id == site_id, Schedule.target == "inspection",
                             Schedule.code.startswith(PLAN_PREFIX, autoescape=True))


def plan_inspections(site: Site, start: date) -> Schedule:
    """A schedule of inspections every WARRANTY_INSPECTION_MONTHS until the warranty ends,
    due at 09:00 Seoul from `start`, each with a 30-day window either side."""
    months = setting("WARRANTY_INSPECTION_MONTHS")
    schedule = Schedule(
        code=plan_code(site), title_ko=f"하자점검 {site.name_ko}"[:200],
        title_en=f"Warranty check {site.name_en or site.code}"[:200], target="inspection",
        site_id=site.id, rrule=f"FREQ=MONTHLY;INTERVAL={months}",
        dtstart=datetime.combine(start, CHECK_TIME, SEOUL).astimezone(UTC),
        until=_plan_end(site.warranty_end),
        grace_hours=24 * WINDOW_DAYS)
    db.session.add(schedule)
    db.session.flush()
    return schedule


def _plan_end(warranty_end: date) -> datetime:
    """The end of a warranty plan: 23:59 Seoul on the warranty's last day, in UTC."""
    return datetime.combine(warranty_end, time(23, 59), SEOUL).astimezone(UTC)


def follow_ends(now: datetime) -> int:
    """Active warranty plans follow their site: a moved warranty end moves the plan's end
    (planned checks past a shortened end are dropped, a longer warranty gets its further
    checks); a site whose warranty was removed, or that was deleted, ends its plan (its
    planned checks from now on are dropped; a manager can set it active again, and the next
    tick then fits it to the warranty). How many plans changed; 0 on a second run."""
    plans = db.session.execute(sa.select(Schedule).where(
        Schedule.active, Schedule.target == "inspection", Schedule.site_id.is_not(None),
        Schedule.code.startswith(PLAN_PREFIX, autoescape=True))).scalars().all()
    changed = 0
    for plan_ in plans:
        site = plan_.site
        end = _plan_end(site.warranty_end) \
            if site.warranty_end is not None and site.deleted_at is None else None
        if end is not None and end == plan_.until:
            continue
        if end is None:
            plan_.active = False
        else:
            plan_.until = end
        db.session.execute(sa.delete(ScheduleOccurrence).where(
            ScheduleOccurrence.schedule_id == plan_.id, ScheduleOccurrence.status == "planned",
            ScheduleOccurrence.due_at > (end or now)))
        if plan_.active:
            schedules.generate(plan_, now)
        changed += 1
    db.session.flush()
    return changed


def unplanned(on: date) -> list[Site]:
    """Live sites whose warranty runs on that day or later and have no warranty plan."""
    return db.session.execute(sa.select(Site).where(
        Site.deleted_at.is_(None), Site.warranty_end >= on, ~has_plan(Site.id))
        .order_by(Site.id)).scalars().all()


def plan_missing(on: date) -> int:
    """Plan the checks of every unplanned site under warranty from `on`, with their
    occurrences generated ahead; how many were planned (0 on a second run)."""
    sites = unplanned(on)
    now = utcnow()
    for site in sites:
        schedules.generate(plan_inspections(site, on), now)
    return len(sites)


def warn_job() -> int:
    """rq job (each tick): warn departments of warranties ending soon; commits."""
    count = warn(today())
    db.session.commit()
    return count


def plan_job() -> int:
    """rq job (each tick): plan the checks of sites under warranty without a plan; commits."""
    count = plan_missing(today())
    db.session.commit()
    return count


def follow_job() -> int:
    """rq job (each tick): warranty plans follow their sites' warranty ends; commits."""
    count = follow_ends(utcnow())
    db.session.commit()
    return count


def plan(site: Site, start: date) -> Schedule:
    """plan_inspections for a site under warranty; 422 when it has none or it has ended."""
    if site.warranty_end is None or site.warranty_end < start:
        raise ApiError(422, "validation_error", "The site has no warranty running then.",
                       "site_id")
    if db.session.execute(sa.select(has_plan(site.id))).scalar():
        raise ApiError(409, "duplicate_code", "This site's warranty checks are planned.",
                       "site_id")
    return plan_inspections(site, start)
