"""Pull: one merged, paginated stream of what a user may hold offline, in change_seq order.

Gap-free: the counter is read first and only changes numbered up to it are returned. Every
number up to a committed counter value belongs to a committed transaction (writers hold the
counter row lock until they commit), so each later query sees all of them, whichever record
kind it reads; changes committed later carry higher numbers and come in the next pull.
"""
import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from patrol_api import changefeed
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import Area, Category, Observation, ObservationPhoto, Site, User
from patrol_api.models.patrols import Campaign, ChecklistTemplate
from patrol_api.patrols.schemas import CampaignSchema, TemplateSchema
from patrol_api.reference.kinds import KINDS
from sync import cursor as cursors
from sync import tombstones
from sync.records import _iso

REFERENCE_KINDS = ("departments", "areas", "categories", "facility-types", "sites")


@dataclass(frozen=True)
class Source:
    """A kind of pulled record: its model, who sees which rows, its id and its record."""

    kind: str
    model: type
    visible: Callable  # user -> extra WHERE clauses
    key: Callable
    dump: Callable


def sources() -> list[Source]:
    """What a user pulls: their own observations and the reference data phones use."""
    own = Source("observations", Observation, lambda user: [Observation.user_id == user.id],
                 lambda row: row.client_id, None)
    return [own] + [_reference(KINDS[name]) for name in REFERENCE_KINDS] + _patrol_sources()


def _patrol_sources() -> list[Source]:
    """Campaigns (with their target site ids) and published checklist templates."""
    published = [ChecklistTemplate.published_at.isnot(None)]
    return [Source("campaigns", Campaign, lambda user: [], lambda c: c.id,
                   CampaignSchema().dump),
            Source("checklist-templates", ChecklistTemplate, lambda user: published,
                   lambda t: t.id, TemplateSchema().dump)]


def _reference(kind) -> Source:
    """A reference kind as a pull source (every user sees all of it)."""
    schema = kind.schema()
    return Source(kind.name, kind.model, lambda user: [], lambda record: record.id, schema.dump)


def pull(user: User, cursor: str | None, limit: int) -> dict:
    """The next page of changes after the cursor, with the cursor to continue from."""
    session = db.session
    since = cursors.decode(cursor) if cursor else 0
    upto = changefeed.current(session)
    if since > upto:  # issued before the data was restored or reset
        raise cursors.invalid()
    page = list(itertools.islice(_merged(user, since, upto, limit + 1), limit + 1))
    if cursor and since < tombstones.horizon(session):  # read after the changes: see purge
        raise _full_resync()
    has_more = len(page) > limit
    last = page[limit - 1][0] if has_more else upto
    page = page[:limit]
    photos = _photos([record.id for _, source, record in page
                      if source.dump is None and record.deleted_at is None])
    return {"changes": [_entry(source, record, photos) for _, source, record in page],
            "next_cursor": cursors.encode(last), "has_more": has_more}


def _merged(user: User, since: int, upto: int, limit: int):
    """Changes of every source in (since, upto], merged in seq order."""
    return heapq.merge(*(_changes(source, user, since, upto, limit) for source in sources()),
                       key=lambda item: item[0])


def _changes(source: Source, user: User, since: int, upto: int, limit: int) -> list:
    """Up to `limit` changes of one source, oldest first, as (seq, source, record)."""
    if source.dump is None:
        return _observation_rows(source, user, since, upto, limit)
    model = source.model
    stmt = sa.select(model).where(model.change_seq > since, model.change_seq <= upto,
                                  *source.visible(user))
    rows = db.session.execute(stmt.order_by(model.change_seq).limit(limit)).scalars()
    return [(record.change_seq, source, record) for record in rows]


def _entry(source: Source, record, photos: dict) -> dict:
    """One change: an upsert with the record, or a tombstone (op=delete, record null)."""
    deleted = record.deleted_at is not None
    if deleted:
        body = None
    elif source.dump is None:
        body = _observation_record(record, photos.get(record.id, []))
    else:
        body = source.dump(record)
    return {"kind": source.kind, "op": "delete" if deleted else "upsert",
            "seq": record.change_seq, "id": source.key(record), "record": body}


_OBS = Observation.__table__
_CATEGORY, _SITE, _AREA = (Category.__table__.alias("c"), Site.__table__.alias("s"),
                           Area.__table__.alias("a"))
_OBS_COLUMNS = [_OBS.c[name] for name in (
    "id", "client_id", "version", "change_seq", "lat", "lon", "accuracy_m", "note",
    "recorded_at_device", "clock_offset_ms", "recorded_at", "time_flags", "received_at",
    "photos_expected", "photos_verified", "complete", "fate", "fate_reason", "finding_id",
    "created_at", "updated_at", "deleted_at")]


def _observation_rows(source: Source, user: User, since: int, upto: int, limit: int) -> list:
    """Up to `limit` of the user's observation changes as plain rows (no ORM objects)."""
    stmt = (sa.select(*_OBS_COLUMNS, _CATEGORY.c.code.label("category_code"),
                      _SITE.c.code.label("site_code"), _AREA.c.code.label("area_code"))
            .select_from(_OBS.join(_CATEGORY, _CATEGORY.c.id == _OBS.c.category_id)
                         .outerjoin(_SITE, _SITE.c.id == _OBS.c.site_id)
                         .outerjoin(_AREA, _AREA.c.id == _OBS.c.area_id))
            .where(_OBS.c.change_seq > since, _OBS.c.change_seq <= upto,
                   _OBS.c.user_id == user.id)
            .order_by(_OBS.c.change_seq).limit(limit))
    return [(row.change_seq, source, row) for row in db.session.execute(stmt)]


def _photos(observation_ids: list[int]) -> dict:
    """observation id -> its photos in order, as phones see them, for a page."""
    found = {}
    table = ObservationPhoto.__table__
    for start in range(0, len(observation_ids), 500):
        chunk = observation_ids[start:start + 500]
        rows = db.session.execute(sa.select(
            table.c.observation_id, table.c.sha256, table.c.role).where(
            table.c.observation_id.in_(chunk)).order_by(
            table.c.observation_id, table.c.position))
        for obs_id, sha256, role in rows:
            found.setdefault(obs_id, []).append({"sha256": sha256, "role": role})
    return found


def _observation_record(row, photos: list) -> dict:
    """observation_record of a plain row (the same JSON)."""
    return {
        "client_id": row.client_id, "version": row.version, "change_seq": row.change_seq,
        "category_code": row.category_code, "site_code": row.site_code,
        "area_code": row.area_code, "lat": row.lat, "lon": row.lon,
        "accuracy_m": row.accuracy_m, "note": row.note,
        "recorded_at_device": _iso(row.recorded_at_device),
        "clock_offset_ms": row.clock_offset_ms, "recorded_at": _iso(row.recorded_at),
        "time_flags": list(row.time_flags), "received_at": _iso(row.received_at),
        "photos": photos,
        "photos_expected": row.photos_expected, "photos_verified": row.photos_verified,
        "complete": row.complete, "fate": row.fate, "fate_reason": row.fate_reason,
        "finding_id": row.finding_id, "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at), "deleted": row.deleted_at is not None,
    }


def _full_resync() -> ApiError:
    """410: deletes older than the cursor were purged; the phone must download afresh."""
    return ApiError(410, "full_resync_required", "This cursor is older than the tombstone "
                    "horizon: drop the pulled data (keep the outbox) and pull without a "
                    "cursor.", "cursor")
