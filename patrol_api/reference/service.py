"""Create, update and retire reference records; references are resolved from codes."""
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models.accounts import User
from patrol_api.models.base import utcnow
from patrol_api.models.reference import Department, RoutingRule, Site
from patrol_api.preconditions import NONE, Precondition
from patrol_api.reference import geo
from patrol_api.reference.kinds import KINDS, Kind


def get(kind: Kind, record_id: int, include_deleted: bool = False):
    """A record by id, or 404."""
    record = db.session.get(kind.model, record_id)
    if record is None or (record.deleted_at is not None and not include_deleted):
        raise ApiError(404, "not_found", f"No {kind.name} record with id {record_id}.")
    return record


def by_code(model, code: str):
    """A live record of a model by its code, or None."""
    return db.session.execute(sa.select(model).where(
        model.code == code, model.deleted_at.is_(None))).scalar()


def _resolve_refs(kind: Kind, data: dict) -> dict:
    """Replace `*_code` inputs with the related records, or 422 naming the field."""
    values = dict(data)
    for field_name, (relationship, target) in kind.refs.items():
        if field_name not in values:
            continue
        code = values.pop(field_name)
        related = by_code(target, code) if code is not None else None
        if code is not None and related is None:
            raise ApiError(422, "unknown_reference", f"No {target.__tablename__} with code "
                           f"'{code}'.", field_name)
        values[relationship] = related
    return values


def _apply(kind: Kind, record, data: dict) -> None:
    """Set validated values on a record, deriving what is derived.

    Everything is looked up before the first attribute is set, with autoflush off: a query
    that flushed a half-changed record would stamp it twice (two versions for one change).
    Pending work is flushed first so that the lookups still see it.
    """
    db.session.flush()
    with db.session.no_autoflush:
        values = _resolve_refs(kind, data)
        if "geometry" in values:
            values.update(geo.bounds_columns(geo.parse_polygon(values["geometry"])))
        if isinstance(record, Site):
            _place_site(record, values)
        if isinstance(record, RoutingRule):
            _check_rule_dates(record, values)
    for name, value in values.items():
        setattr(record, name, value)


def _place_site(site: Site, values: dict) -> None:
    """Derive a site's area from its position when it moves or its area is cleared.

    An explicit area wins; without one the area is the live dong containing the position.
    """
    if values.get("area") is not None:
        return
    if not {"area", "lat", "lon"} & values.keys():
        return
    lat, lon = values.get("lat", site.lat), values.get("lon", site.lon)
    values["area"] = geo.area_containing(lat, lon) if None not in (lat, lon) else None


def _check_rule_dates(rule: RoutingRule, values: dict) -> None:
    """Refuse a rule whose end, after this change, lies before its start."""
    start = values.get("effective_from", rule.effective_from)
    end = values.get("effective_to", rule.effective_to)
    if start is not None and end is not None and end < start:
        raise ApiError(422, "validation_error", "effective_to: Must not be before "
                       "effective_from.", "effective_to")


def _check_unique_code(kind: Kind, code: str, exclude_id: int | None = None) -> None:
    """Refuse a code that a live record of the same kind already has."""
    existing = by_code(kind.model, code)
    if existing is not None and existing.id != exclude_id:
        raise ApiError(409, "duplicate_code", f"A {kind.name} record with code '{code}' "
                       "already exists.", "code")


def create(kind: Kind, data: dict):
    """Create a record from validated data."""
    if kind.keyed_by_code:
        _claim_code(kind, data["code"])
    record = kind.model()
    _apply(kind, record, data)
    db.session.add(record)
    return record


def _claim_code(kind: Kind, code: str, exclude_id: int | None = None) -> None:
    """Make `code` free for a record: 409 when a live record has it, a retired one yields it."""
    _check_unique_code(kind, code, exclude_id)
    _free_retired_code(kind, code)


def _free_retired_code(kind: Kind, code: str) -> None:
    """Rename a retired record's code (within the column's width) so it can be used again.

    The rename is flushed at once, before the record taking the code is changed: in one
    flush the unit of work might update the taker first and break the unique index.
    """
    retired = db.session.execute(sa.select(kind.model).where(
        kind.model.code == code, kind.model.deleted_at.is_not(None))).scalar()
    if retired is None:
        return
    suffix = f"~{retired.id}"
    width = kind.model.__table__.c.code.type.length
    retired.code = code[: width - len(suffix)] + suffix
    db.session.flush()


def update(kind: Kind, record, data: dict):
    """Apply a partial update from validated data."""
    if kind.keyed_by_code and "code" in data and data["code"] != record.code:
        _claim_code(kind, data["code"], exclude_id=record.id)
    _apply(kind, record, data)
    return record


def retire(record) -> None:
    """Retire a record no live record refers to; it stays as a tombstone for phones."""
    users = _referring_users(record)
    if users:
        raise ApiError(409, "in_use", f"{users} active user(s) belong to this record; move "
                       "them first.", None, referenced_by={"users": users})
    referrers = _referrers(record)
    if referrers:
        raise ApiError(409, "in_use", "Live records still refer to this record: "
                       + ", ".join(f"{n} {k}" for k, n in referrers.items()) + ".", None,
                       referenced_by=referrers)
    if record.deleted_at is None:
        record.deleted_at = utcnow()


def _referrers(record) -> dict[str, int]:
    """How many live records of each kind refer to the record."""
    counts = {}
    for kind in KINDS.values():
        for relationship, target in kind.refs.values():
            if target is not type(record):
                continue
            column = next(iter(getattr(kind.model, relationship).property.local_columns))
            count = db.session.execute(sa.select(sa.func.count()).select_from(kind.model).where(
                column == record.id, kind.model.deleted_at.is_(None))).scalar()
            if count:
                counts[kind.name] = counts.get(kind.name, 0) + count
    return counts


def _referring_users(record) -> int:
    """Active users bound to a department being retired."""
    if not isinstance(record, Department):
        return 0
    return db.session.execute(sa.select(sa.func.count()).where(
        User.department_id == record.id, User.active.is_(True))).scalar()


def save(record=None, precondition: Precondition = NONE) -> None:
    """Commit; a write that lost a race with another one is a 412 or 409, not a 500.

    With If-Match the version is checked before the change, but another writer can commit
    in between: the versioned UPDATE then matches no row. Two creations of one code can
    both pass the uniqueness check and meet at the unique index.
    """
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        message = "The record was changed by someone else meanwhile; merge with `current`."
        if record is None:
            raise ApiError(412, "version_mismatch", message, "If-Match") from error
        raise precondition.refusal(record, message) from error
    except sa.exc.IntegrityError as error:
        db.session.rollback()
        raise ApiError(409, "conflict", "The change conflicts with a change made meanwhile "
                       "(a code taken by someone else?); try again.") from error
