"""HTTP answers for stored photos: strong ETags and 304, byte ranges, safe headers, and on S3
optionally a redirect to a short-lived signed URL."""
import re

from flask import Request, Response, current_app
from werkzeug.wsgi import wrap_file

from patrol_api import photos
from patrol_api.api import render_error
from patrol_api.errors import ApiError
from patrol_api.photos.catalog import EXTENSIONS, Stored

SANDBOX = "default-src 'none'; sandbox"  # nothing in a served file may run or load
UNSATISFIABLE = "unsatisfiable"
_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")  # int-range "a-b", "a-", or suffix-range "-n"
_MAX_DIGITS = 18  # positions beyond any file: longer numbers count as "infinitely far"


def send(stored: Stored, request: Request, *, ranges: bool) -> Response:
    """The answer to a GET (or HEAD) of a stored file: 304, a redirect, 206, 416 or 200."""
    if stored.mime not in EXTENSIONS:  # never answer with a type a browser would run
        raise ApiError(404, "not_found", "No such photo.")
    if request.if_none_match.contains_weak(stored.etag):
        return _headers(Response(status=304), stored)
    signed = _signed_url(stored)
    if signed is not None:
        return _redirect(signed)
    span = _range(request, stored) if ranges else None
    if span == UNSATISFIABLE:
        return _unsatisfiable(stored)
    if span is not None:
        return _partial(stored, span)
    return _full(stored, request, ranges)


def _range(request: Request, stored: Stored):
    """(start, stop) of a single satisfiable byte range, UNSATISFIABLE, or None (whole).

    A stale If-Range gets the whole file (RFC 9110 13.1.5); the Range itself: `byte_range`.
    """
    header = request.headers.get("Range")
    if header is None:
        return None
    if_range = request.if_range
    if (if_range.etag or if_range.date) and if_range.etag != stored.etag:
        return None
    return byte_range(header, stored.size)


def byte_range(header: str, size: int):
    """RFC 9110 14.1.2 for one byte range of a file of ``size`` bytes: the half-open
    [start, stop) the storage reads; UNSATISFIABLE; or None for "send the whole file".

    `bytes=a-b` is [a, b+1) clipped to the file, `a-` runs to the end, `-n` is the last n
    bytes (the whole file when n exceeds it). A first position at or past the end, or `-0`,
    is unsatisfiable. Malformed headers, invalid ranges (b < a), other units and several
    ranges are ignored: the whole file (RFC 9110 14.2 lets a server ignore Range).
    """
    unit, equals, spec = header.partition("=")
    match = _RANGE_SPEC.fullmatch(spec)
    if not equals or unit.lower() != "bytes" or match is None or match[0] == "-":
        return None
    first, last = (_position(digits) for digits in match.groups())
    if first is None:  # suffix-range
        return (max(0, size - last), size) if last > 0 else UNSATISFIABLE
    if last is not None and last < first:
        return None
    if first >= size:
        return UNSATISFIABLE
    return first, size if last is None else min(last + 1, size)


def _position(digits: str) -> int | None:
    """A range position; None when absent. Beyond 18 digits it is past any file's end."""
    if not digits:
        return None
    significant = digits.lstrip("0")
    return 10**_MAX_DIGITS if len(significant) > _MAX_DIGITS else int(significant or "0")


def _full(stored: Stored, request: Request, ranges: bool) -> Response:
    """200 streaming the whole file from the storage."""
    stream = photos.storage().open(stored.key)
    response = Response(wrap_file(request.environ, stream), mimetype=stored.mime,
                        direct_passthrough=True)
    response.content_length = stored.size
    response.headers["Accept-Ranges"] = "bytes" if ranges else "none"
    return _headers(response, stored)


def _partial(stored: Stored, span: tuple[int, int]) -> Response:
    """206 with the bytes [start, stop) and their Content-Range."""
    start, stop = span
    data = photos.storage().read_range(stored.key, start, stop)
    response = Response(data, status=206, mimetype=stored.mime)
    response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{stored.size}"
    response.headers["Accept-Ranges"] = "bytes"
    return _headers(response, stored)


def _unsatisfiable(stored: Stored) -> Response:
    """416 naming the file's size, in the API's error shape."""
    error = ApiError(416, "range_not_satisfiable", f"The file has {stored.size} bytes.",
                     "Range")
    response = render_error(error)
    response.headers["Content-Range"] = f"bytes */{stored.size}"
    return response


def _headers(response: Response, stored: Stored) -> Response:
    """Caching, validator and safety headers of every answer about a stored file."""
    response.set_etag(stored.etag)
    response.cache_control.private = True
    response.cache_control.max_age = current_app.config["MEDIA_CACHE_SECONDS"]
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    response.headers["Content-Disposition"] = _disposition(stored)
    return response


def _disposition(stored: Stored) -> str:
    """`attachment` for originals, `inline` for derivatives; the name is the digest."""
    kind = "attachment" if stored.attachment else "inline"
    return f'{kind}; filename="{stored.filename}"'


def _signed_url(stored: Stored) -> str | None:
    """A signed storage URL when MEDIA_SIGNED_URL_SECONDS > 0 and the backend has them."""
    seconds = current_app.config["MEDIA_SIGNED_URL_SECONDS"]
    if seconds <= 0:
        return None
    return photos.storage().url_for(stored.key, seconds, content_type=stored.mime,
                                    disposition=_disposition(stored))


def _redirect(url: str) -> Response:
    """302 to the signed URL; the redirect itself is not cached (the URL expires)."""
    response = Response(status=302)
    response.headers["Location"] = url
    response.headers["Cache-Control"] = "no-store"
    return response
