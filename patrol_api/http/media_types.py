"""Request bodies are JSON unless an endpoint declares other media types (415 otherwise)."""
from flask import current_app, request

from patrol_api.auth.access import rule_for
from patrol_api.errors import ApiError

ACCEPTS_ATTR = "_accepts"
JSON = "application/json"
BODY_METHODS = ("POST", "PUT", "PATCH")


def accepts(*mimetypes: str):
    """Declare the request media types a view method takes instead of JSON."""
    def mark(view):
        setattr(view, ACCEPTS_ATTR, frozenset(mimetypes))
        return view
    return mark


def _declared(view, method: str) -> frozenset:
    """The media types a view method takes."""
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, method.lower(), None) if view_class else view
    return getattr(handler, ACCEPTS_ATTR, frozenset({JSON}))


def _has_body() -> bool:
    """True when the request carries a body."""
    return bool(request.content_length) or request.headers.get("Transfer-Encoding") == "chunked"


def enforce() -> None:
    """before_request hook: refuse a body of a media type the endpoint does not take."""
    if request.method not in BODY_METHODS or not _has_body() or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is None or rule_for(view, request.method) is None:
        return
    allowed = _declared(view, request.method)
    mimetype = (request.mimetype or "").lower()
    if mimetype in allowed or (mimetype.endswith("+json") and JSON in allowed):
        return
    raise ApiError(415, "unsupported_media_type", "Send the body as one of: "
                   f"{', '.join(sorted(allowed))}.", "Content-Type")
