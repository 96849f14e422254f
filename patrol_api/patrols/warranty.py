"""Warranty programme (하자점검): warn owning departments ahead of warranty ends, plan the
semi-annual inspections of sites under warranty."""
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import notify
from patrol_api.models import Notification, Site
from patrol_api.models.patrols import Schedule, WarrantyNotice
from patrol_api.patrols.settings import setting

TOPIC = "warranty_expiring"


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


def plan_inspections(site: Site, start: date) -> Schedule:
    """A schedule of inspections every WARRANTY_INSPECTION_MONTHS until the warranty ends."""
    months = setting("WARRANTY_INSPECTION_MONTHS")
    schedule = Schedule(
        code=f"warranty-{site.code}"[:40], title_ko=f"하자점검 {site.name_ko}"[:200],
        title_en=f"Warranty check {site.name_en or site.code}"[:200], target="inspection",
        site_id=site.id, rrule=f"FREQ=MONTHLY;INTERVAL={months}",
        dtstart=datetime.combine(start, time(9), UTC),
        until=datetime.combine(site.warranty_end, time(23, 59), UTC), grace_hours=24 * 30)
    db.session.add(schedule)
    db.session.flush()
    return schedule


def warn_job() -> int:
    """rq job (daily): warn departments of warranties ending soon; commits."""
    count = warn(datetime.now(UTC).date())
    db.session.commit()
    return count


def plan(site: Site, start: date) -> Schedule:
    """plan_inspections for a site under warranty; 422 when it has none or it has ended."""
    if site.warranty_end is None or site.warranty_end < start:
        raise ApiError(422, "validation_error", "The site has no warranty running then.",
                       "site_id")
    code = f"warranty-{site.code}"[:40]
    if db.session.execute(sa.select(Schedule.id).where(Schedule.code == code)).first():
        raise ApiError(409, "duplicate_code", "This site's warranty checks are planned.",
                       "site_id")
    return plan_inspections(site, start)
