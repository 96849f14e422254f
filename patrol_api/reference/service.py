"""Create, update and retire reference records; references are resolved from codes."""
import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models.base import utcnow
from patrol_api.models.reference import Site
from patrol_api.reference import geo
from patrol_api.reference.kinds import Kind


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
    """Set validated values on a record, deriving what is derived."""
    values = _resolve_refs(kind, data)
    if "geometry" in values:
        values.update(geo.bounds_columns(geo.parse_polygon(values["geometry"])))
    for name, value in values.items():
        setattr(record, name, value)
    if isinstance(record, Site) and ("lat" in values or "lon" in values):
        _place_site(record, explicit_area="area" in values and values["area"] is not None)


def _place_site(site: Site, explicit_area: bool) -> None:
    """Derive a site's area from its position unless one was given."""
    if not explicit_area:
        site.area = geo.area_containing(site.lat, site.lon)


def _check_unique_code(kind: Kind, code: str, exclude_id: int | None = None) -> None:
    """Refuse a code that a live record of the same kind already has."""
    existing = by_code(kind.model, code)
    if existing is not None and existing.id != exclude_id:
        raise ApiError(409, "duplicate_code", f"A {kind.name} record with code '{code}' "
                       "already exists.", "code")


def create(kind: Kind, data: dict):
    """Create a record from validated data."""
    if kind.keyed_by_code:
        _check_unique_code(kind, data["code"])
        _free_retired_code(kind, data["code"])
    record = kind.model()
    _apply(kind, record, data)
    db.session.add(record)
    return record


def _free_retired_code(kind: Kind, code: str) -> None:
    """Rename a retired record's code so the code can be used again."""
    retired = db.session.execute(sa.select(kind.model).where(
        kind.model.code == code, kind.model.deleted_at.is_not(None))).scalar()
    if retired is not None:
        retired.code = f"{code[:28]}~{retired.id}"[:40]


def update(kind: Kind, record, data: dict):
    """Apply a partial update from validated data."""
    if kind.keyed_by_code and "code" in data and data["code"] != record.code:
        _check_unique_code(kind, data["code"], exclude_id=record.id)
    _apply(kind, record, data)
    return record


def retire(record) -> None:
    """Retire a record: it stays as a tombstone so phones learn of the delete."""
    if record.deleted_at is None:
        record.deleted_at = utcnow()


def check_version(record, expected: int | None) -> None:
    """Optimistic concurrency: refuse an update made from a stale version (412)."""
    if expected is not None and expected != record.version:
        raise ApiError(412, "version_mismatch", f"The record is at version {record.version}, "
                       f"not {expected}.", "If-Match", current_version=record.version)
