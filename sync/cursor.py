"""Opaque pull cursors: base64url of a small versioned JSON structure: a server seq and the
fingerprint of the puller's scope (see sync.scope)."""
import base64
import binascii
import json

from patrol_api.errors import ApiError

VERSION = 1


def encode(seq: int, scope: str) -> str:
    """The cursor meaning 'every change up to seq has been delivered for this scope'."""
    raw = json.dumps({"v": VERSION, "seq": seq, "scope": scope}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[int, str | None]:
    """(seq, scope fingerprint) of a cursor this server issued, or 400 invalid_cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid() from None
    seq = data.get("seq") if isinstance(data, dict) and data.get("v") == VERSION else None
    if type(seq) is not int or seq < 0:
        raise invalid()
    scope = data.get("scope")
    return seq, scope if isinstance(scope, str) else None


def invalid() -> ApiError:
    """The error for a cursor this server did not issue: pull again without a cursor."""
    return ApiError(400, "invalid_cursor", "The cursor was not issued by this server; pull "
                    "again without a cursor.", "cursor")
