"""Opaque pull cursors: base64url of a small versioned JSON structure holding a server seq."""
import base64
import binascii
import json

from patrol_api.errors import ApiError

VERSION = 1


def encode(seq: int) -> str:
    """The cursor meaning 'every change up to seq has been delivered'."""
    raw = json.dumps({"v": VERSION, "seq": seq}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> int:
    """The seq inside a cursor this server issued, or 400 invalid_cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid() from None
    seq = data.get("seq") if isinstance(data, dict) and data.get("v") == VERSION else None
    if type(seq) is not int or seq < 0:
        raise invalid()
    return seq


def invalid() -> ApiError:
    """The error for a cursor this server did not issue: pull again without a cursor."""
    return ApiError(400, "invalid_cursor", "The cursor was not issued by this server; pull "
                    "again without a cursor.", "cursor")
