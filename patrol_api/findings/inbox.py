"""Read side: the department inbox (filters, sort), the coordination queue, one finding."""
import sqlalchemy as sa

from patrol_api.auth.roles import FIELD_ROLES, Role
from patrol_api.extensions import db
from patrol_api.findings import exif_privacy, visibility
from patrol_api.models import Finding, FindingEvent, Observation

SORTS = {"due": Finding.resolve_due_at, "ack_due": Finding.ack_due_at,
         "first_seen": Finding.first_seen_at, "last_seen": Finding.last_seen_at,
         "created": Finding.id, "observations": Finding.observation_count}
SORT_CHOICES = sorted(SORTS) + [f"-{name}" for name in sorted(SORTS)]
EVENT_FIELDS = ("id", "seq", "kind", "at", "from_state", "to_state", "actor_user_id",
                "actor_role", "department_id", "reason", "note")


def _filters(args: dict) -> list:
    """WHERE clauses of the list filters."""
    where = []
    if args.get("state"):
        where.append(Finding.state == args["state"])
    if args.get("states"):  # the console's inbox: the states still waiting for the department
        where.append(Finding.state.in_(sorted(args["states"])))
    if args.get("open") is not None:
        where.append(Finding.is_open.is_(args["open"]))
    for field in ("department_id", "area_id", "category_id"):
        if args.get(field):
            where.append(getattr(Finding, field) == args[field])
    if args.get("due_before"):
        where.append(Finding.resolve_due_at < args["due_before"])
    if args.get("due_after"):
        where.append(Finding.resolve_due_at >= args["due_after"])
    for flag in ("overdue", "in_coordination", "ping_pong"):
        if args.get(flag) is not None:
            where.append(getattr(Finding, flag).is_(args[flag]))
    return where


def _order(sort: str) -> list:
    """ORDER BY for a sort key ("-" for descending); empty values last; id breaks ties."""
    column = SORTS[sort.lstrip("-")]
    direction = column.desc() if sort.startswith("-") else column.asc()
    return [column.is_(None), direction, Finding.id]


def select_findings(user, args: dict):
    """The findings the user may see, filtered and sorted (a select for pagination)."""
    stmt = sa.select(Finding).where(*visibility.conditions(user), *_filters(args))
    return stmt.order_by(*_order(args.get("sort") or "due"))


def coordination_queue():
    """Open findings waiting for a manager to choose the department, oldest first."""
    return sa.select(Finding).where(Finding.is_open.is_(True),
                                    Finding.in_coordination.is_(True)).order_by(
        Finding.first_seen_at, Finding.id)


def events(user, finding: Finding) -> list[dict]:
    """The finding's history as the user may read it: citizen auditors see neither comments,
    notes nor who acted, and only managers and admins the photos' private EXIF facts."""
    rows = db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.finding_id == finding.id).order_by(FindingEvent.seq)).scalars().all()
    if visibility.is_internal_reader(user):
        return [_as_read(event, user.role) for event in rows]
    return [public_event(event) for event in rows if event.kind != "comment"]


def _fields(event: FindingEvent) -> dict:
    """An event's attributes but its data."""
    return {name: getattr(event, name) for name in EVENT_FIELDS}


def _as_read(event: FindingEvent, role: str) -> dict:
    """An event with its data as a reader of this role may see it (EXIF facts redacted)."""
    return {**_fields(event), "data": exif_privacy.public_event_data(event.data, role)}


def public_event(event: FindingEvent) -> dict:
    """An event as citizen auditors read it: without its internal note, data and who acted
    (neither the user nor their role)."""
    return {**_fields(event), "note": None, "actor_user_id": None, "actor_role": None,
            "data": {}}


def observations(user, finding: Finding) -> list[Observation]:
    """The finding's observations; field roles get only their own."""
    rows = db.session.execute(sa.select(Observation).where(
        Observation.finding_id == finding.id, Observation.deleted_at.is_(None))
        .order_by(Observation.recorded_at, Observation.id)).scalars().all()
    if Role(user.role) in FIELD_ROLES:
        return [obs for obs in rows if obs.user_id == user.id]
    return list(rows)

