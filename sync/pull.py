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
from patrol_api.models import Observation, User
from patrol_api.reference.kinds import KINDS
from sync import cursor as cursors
from sync import tombstones
from sync.records import observation_record

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
                 lambda obs: obs.client_id, observation_record)
    return [own] + [_reference(KINDS[name]) for name in REFERENCE_KINDS]


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
    return {"changes": [_entry(source, record) for _, source, record in page[:limit]],
            "next_cursor": cursors.encode(last), "has_more": has_more}


def _merged(user: User, since: int, upto: int, limit: int):
    """Changes of every source in (since, upto], merged in seq order."""
    return heapq.merge(*(_changes(source, user, since, upto, limit) for source in sources()),
                       key=lambda item: item[0])


def _changes(source: Source, user: User, since: int, upto: int, limit: int) -> list:
    """Up to `limit` changes of one source, oldest first, as (seq, source, record)."""
    model = source.model
    stmt = sa.select(model).where(model.change_seq > since, model.change_seq <= upto,
                                  *source.visible(user))
    rows = db.session.execute(stmt.order_by(model.change_seq).limit(limit)).scalars()
    return [(record.change_seq, source, record) for record in rows]


def _entry(source: Source, record) -> dict:
    """One change: an upsert with the record, or a tombstone (op=delete, record null)."""
    deleted = record.deleted_at is not None
    return {"kind": source.kind, "op": "delete" if deleted else "upsert",
            "seq": record.change_seq, "id": source.key(record),
            "record": None if deleted else source.dump(record)}


def _full_resync() -> ApiError:
    """410: deletes older than the cursor were purged; the phone must download afresh."""
    return ApiError(410, "full_resync_required", "This cursor is older than the tombstone "
                    "horizon: drop the pulled data (keep the outbox) and pull without a "
                    "cursor.", "cursor")
