"""Over-long URLs get the API's JSON error (414), not a server's HTML or plain-text page.

The app refuses a request target (path and query, as sent) over MAX_URL_BYTES itself,
before authentication or routing. The server in front must let such URLs through to the
app: `patrol-api demo-serve` sets gunicorn's `limit_request_line` to GUNICORN_REQUEST_LINE
(its maximum); a request line over that is refused by gunicorn with its own 414 page, which
the app never sees (docs/operations.md).
"""
from urllib.parse import quote

from flask import request

from patrol_api.errors import ApiError

MAX_URL_BYTES = 4096  # the request target: path and query string, as sent
GUNICORN_REQUEST_LINE = 8190  # gunicorn's maximum limit_request_line (method, target, version)


def target_length(environ: dict) -> int:
    """The length of the request target as the client sent it (percent-encoded)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    path = raw.split("?", 1)[0] if raw else quote(
        environ.get("PATH_INFO", "").encode("latin-1"), safe="/;:@&=+$,-_.!~*'()")
    query = environ.get("QUERY_STRING", "")
    return len(path) + (1 + len(query) if query else 0)


def enforce() -> None:
    """before_request hook (the first): 414 `uri_too_long` for a target over MAX_URL_BYTES."""
    length = target_length(request.environ)
    if length > MAX_URL_BYTES:
        raise ApiError(414, "uri_too_long", f"The URL is {length} bytes long; this API takes "
                       f"at most {MAX_URL_BYTES} (path and query).", "url")
