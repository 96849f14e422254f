"""The reference change feed phones pull for offline use, from an opaque cursor."""
import base64
import binascii
import heapq
import itertools

import sqlalchemy as sa

from patrol_api import changefeed
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.reference.kinds import KINDS

CURSOR_PREFIX = "ref1:"


def encode_cursor(seq: int) -> str:
    """The opaque cursor for 'everything up to seq seen'."""
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The sequence number inside a cursor (0 without one), or 400."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        number = text.removeprefix(CURSOR_PREFIX)
        if text.startswith(CURSOR_PREFIX) and number.isascii() and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise _invalid_cursor()


def _invalid_cursor() -> ApiError:
    """The error for a cursor this server did not issue; the phone starts a full download."""
    return ApiError(400, "invalid_cursor", "The cursor was not issued by this server.",
                    "cursor")


def _changes_of(kind, since: int, upto: int, limit: int) -> list:
    """Records of one kind changed in (since, upto], oldest change first."""
    model = kind.model
    stmt = (sa.select(model).where(model.change_seq > since, model.change_seq <= upto)
            .order_by(model.change_seq))
    return [(record.change_seq, kind, record)
            for record in db.session.execute(stmt.limit(limit)).scalars()]


def _entry(kind, schema, record) -> dict:
    """One change as sent to the phone: an upsert with the record, or a tombstone."""
    if record.deleted_at is not None:
        return {"kind": kind.name, "op": "delete", "seq": record.change_seq, "id": record.id,
                "record": None}
    return {"kind": kind.name, "op": "upsert", "seq": record.change_seq, "id": record.id,
            "record": schema.dump(record)}


def pull(cursor: str | None, limit: int) -> dict:
    """The next page of reference changes after the cursor, in change order."""
    since = decode_cursor(cursor)
    version = changefeed.current(db.session)
    if since > version:  # issued before the data was restored or reset: start afresh
        raise _invalid_cursor()
    # Every number up to `version` belongs to a committed transaction (see changefeed), and
    # each kind is read in its own statement: reading only up to `version` keeps a change
    # committed between two statements from being skipped by the next cursor.
    merged = heapq.merge(*(_changes_of(kind, since, version, limit + 1)
                           for kind in KINDS.values()), key=lambda item: item[0])
    page = list(itertools.islice(merged, limit + 1))
    has_more = len(page) > limit
    page = page[:limit]
    last = page[-1][0] if has_more else version
    schemas = {name: kind.schema() for name, kind in KINDS.items()}
    return {"changes": [_entry(kind, schemas[kind.name], record) for _, kind, record in page],
            "next_cursor": encode_cursor(last), "has_more": has_more,
            "reference_version": version}
