"""The reference change feed phones pull for offline use, from an opaque cursor."""
import base64
import binascii
import heapq

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
        if text.startswith(CURSOR_PREFIX) and text[len(CURSOR_PREFIX):].isdigit():
            return int(text[len(CURSOR_PREFIX):])
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ApiError(400, "invalid_cursor", "The cursor was not issued by this server.", "cursor")


def _changes_of(kind, since: int, limit: int) -> list:
    """Records of one kind changed after `since`, oldest change first."""
    stmt = (sa.select(kind.model).where(kind.model.change_seq > since)
            .order_by(kind.model.change_seq).limit(limit))
    return [(record.change_seq, kind, record)
            for record in db.session.execute(stmt).scalars()]


def _entry(kind, record) -> dict:
    """One change as sent to the phone: an upsert with the record, or a tombstone."""
    if record.deleted_at is not None:
        return {"kind": kind.name, "op": "delete", "seq": record.change_seq, "id": record.id,
                "record": None}
    return {"kind": kind.name, "op": "upsert", "seq": record.change_seq, "id": record.id,
            "record": kind.schema().dump(record)}


def pull(cursor: str | None, limit: int) -> dict:
    """The next page of reference changes after the cursor, in change order."""
    since = decode_cursor(cursor)
    version = changefeed.current(db.session)
    merged = heapq.merge(*(_changes_of(kind, since, limit + 1) for kind in KINDS.values()),
                         key=lambda item: item[0])
    page = list(merged)[: limit + 1]
    has_more = len(page) > limit
    page = page[:limit]
    # The counter was read before the records: anything committed later has a higher number.
    last = page[-1][0] if has_more else max([version, since] + [seq for seq, _, _ in page])
    return {"changes": [_entry(kind, record) for _, kind, record in page],
            "next_cursor": encode_cursor(last), "has_more": has_more,
            "reference_version": version}
