"""Request bodies are JSON unless an endpoint declares other media types (415 otherwise).

The body of a JSON-only endpoint is also checked at the door: it must be strict UTF-8 JSON
(no NaN or Infinity, finite numbers, integers of sane length) nested at most MAX_JSON_DEPTH
deep, or the answer is 400 `malformed_json`; webargs then never meets input that makes the
standard library raise. Endpoints that declare their own media types parse their own bodies.
"""
import json
import math

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from patrol_api.auth.access import rule_for
from patrol_api.errors import ApiError, malformed_json

ACCEPTS_ATTR = "_accepts"
JSON = "application/json"
BODY_METHODS = ("POST", "PUT", "PATCH")
MAX_JSON_DEPTH = 64


def accepts(*mimetypes: str):
    """Declare the request media types a view method takes instead of JSON."""
    def mark(view):
        setattr(view, ACCEPTS_ATTR, frozenset(mimetypes))
        return view
    return mark


def declared(view, method: str) -> frozenset:
    """The media types a view method takes."""
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, method.lower(), None) if view_class else view
    return getattr(handler, ACCEPTS_ATTR, frozenset({JSON}))


def _has_body() -> bool:
    """True when the request carries a body."""
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"


def is_json(mimetype: str) -> bool:
    """True for application/json and the application/*+json types."""
    return mimetype == JSON or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def enforce() -> None:
    """before_request hook: refuse a body of a media type the endpoint does not take."""
    if request.method not in BODY_METHODS or not _has_body() or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None or rule_for(view, request.method) is None:
        return
    allowed = declared(view, request.method)
    mimetype = (request.mimetype or "").lower()
    if not (mimetype in allowed or (is_json(mimetype) and JSON in allowed)):
        raise ApiError(415, "unsupported_media_type", "Send the body as one of: "
                       f"{', '.join(sorted(allowed))}.", "Content-Type")
    _refuse_oversized_stream()
    if allowed == {JSON} and is_json(mimetype):
        check_json(request.get_data(cache=True))


def _refuse_oversized_stream() -> None:
    """413 for a body without Content-Length (chunked) that runs past MAX_CONTENT_LENGTH.

    Werkzeug stops reading such a body at the limit without an error, which would hand a
    truncated document to the parsers (and a truncated CSV to the importer).
    """
    limit = request.max_content_length
    if request.content_length is not None or limit is None:
        return
    if len(request.get_data(cache=True)) >= limit and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


class _Unreadable(ValueError):
    """JSON the API refuses to read although the standard library would."""


def _refuse_constant(name: str):
    """json.loads hook: NaN, Infinity and -Infinity are not JSON."""
    raise _Unreadable(f"{name} is not a JSON number.")


def _finite_float(text: str) -> float:
    """json.loads hook: a number too large for a double is refused rather than made infinite."""
    value = float(text)
    if not math.isfinite(value):
        raise _Unreadable(f"The number {text[:20]} is out of range.")
    return value


def _reason(error: ValueError) -> str:
    """Why json.loads refused a body, in words for the caller."""
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}."
    if isinstance(error, _Unreadable):
        return str(error)
    return "A number has too many digits."  # int() refuses over 4300 digits


def check_json(raw: bytes) -> None:
    """Refuse (400 malformed_json) a body that is not strict UTF-8 JSON of bounded depth."""
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant,
                              parse_float=_finite_float)
    except UnicodeDecodeError as error:
        raise malformed_json("The request body is not UTF-8 text.") from error
    except RecursionError as error:
        raise _too_deep() from error
    except ValueError as error:
        raise malformed_json(f"The request body is not valid JSON: {_reason(error)}") from error
    if _depth_exceeds(document, MAX_JSON_DEPTH):
        raise _too_deep()


def _too_deep() -> ApiError:
    """The error for a JSON document nested too deeply."""
    return malformed_json(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.")


def _depth_exceeds(document, limit: int) -> bool:
    """True when arrays and objects nest deeper than `limit` (iterative, no recursion)."""
    pending = [(document, 1)] if isinstance(document, dict | list) else []
    while pending:
        node, depth = pending.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        pending.extend((child, depth + 1) for child in children
                       if isinstance(child, dict | list))
    return False
