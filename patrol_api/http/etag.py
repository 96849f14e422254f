"""ETag / If-Match: the ETag of a record is its version.

Clients echo the ETag they received, but what sits between (gzip in flask-compress answers
`"v7:gzip"`, Apache `"v7-gzip"`; nginx weakens to `W/"v7"`) rewrites it, so the parser reads
the version and ignores those decorations; see docs/api.md "Versions, ETag and If-Match".
"""
import re
from collections.abc import Callable

from flask import request

from patrol_api.errors import ApiError
from patrol_api.preconditions import Precondition

# One entity tag: optional weak prefix, optional quotes, `v<version>`, optional coding suffix.
_TAG = re.compile(r'(?:W/)?("?)v(\d{1,18})(?:[:;-][A-Za-z0-9]{1,20})?\1')


def etag_of(record) -> str:
    """The strong ETag of a versioned record."""
    return f'"v{record.version}"'


def parse_if_match(header: str | None) -> frozenset[int] | None:
    """The versions an If-Match header accepts; None when absent or `*` (anything goes).

    400 `bad_if_match` when an element is not an ETag of this API.
    """
    if header is None or not header.strip() or header.strip() == "*":
        return None
    versions = set()
    for element in header.split(","):
        element = element.strip()
        if not element:
            continue  # the list syntax of RFC 9110 allows empty elements
        match = _TAG.fullmatch(element)
        if not match:
            raise ApiError(400, "bad_if_match", 'If-Match must be * or ETags returned by this '
                           'API, such as "v3".', "If-Match")
        versions.add(int(match.group(2)))
    if not versions:
        raise ApiError(400, "bad_if_match", "If-Match names no ETag.", "If-Match")
    return frozenset(versions)


def if_match(current: Callable[[object], dict]) -> Precondition:
    """The precondition of this request's If-Match header; `current` shows the server's copy."""
    return Precondition(parse_if_match(request.headers.get("If-Match")), current)


def body_version(version: int, current: Callable[[object], dict]) -> Precondition:
    """The precondition of a `version` sent in the body (publishing a reviewed draft)."""
    return Precondition(frozenset({version}), current, "version")


IF_MATCH_PARAMETER = {
    "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
    "description": 'The ETag you read ("v3", also as W/"v3", "v3:gzip" or a list), or *; '
                   "a stale one is 412 version_mismatch with `current`."}


def takes_if_match(blp):
    """Declare the If-Match header of a view in the OpenAPI document."""
    return blp.doc(parameters=[IF_MATCH_PARAMETER])
