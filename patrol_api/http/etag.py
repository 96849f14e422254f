"""ETag / If-Match helpers: the ETag of a record is its version."""
from flask import request

from patrol_api.errors import ApiError


def etag_of(record) -> str:
    """The strong ETag of a versioned record."""
    return f'"v{record.version}"'


def if_match_version() -> int | None:
    """The version named by an If-Match header, None when absent."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.startswith("v") or not value[1:].isdigit():
        raise ApiError(400, "bad_if_match", "If-Match must be an ETag returned by this API.",
                       "If-Match")
    return int(value[1:])
