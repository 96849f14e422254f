"""Request input checked at the door: media types (415), body size (413), strict JSON (400).

Request bodies are JSON unless an endpoint declares other media types with `@accepts`; such
endpoints parse their own bodies. The body of a JSON-only endpoint must be strict UTF-8 JSON
(no NaN or Infinity, finite numbers, integers of sane length) nested at most MAX_JSON_DEPTH
deep, or the answer is 400 `malformed_json`, so webargs never meets input that makes the
standard library raise. Text that no database can store (NUL characters, unpaired
surrogates) in a JSON body or a query argument is a 422 naming the field, except inside the
items of a list an endpoint declares with `@checks_item_texts` (the sync push refuses such an
item alone and applies the others).
"""
import json
import math
import re

import orjson
from flask import current_app, request
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import RequestEntityTooLarge

from patrol_api import jsoncodec
from patrol_api.auth.access import rule_for
from patrol_api.errors import ApiError, malformed_json
from sync.storable import printable, storable

ACCEPTS_ATTR = "_accepts"
ITEM_TEXTS_ATTR = "_checks_item_texts"
JSON = "application/json"
BODY_METHODS = ("POST", "PUT", "PATCH")
MAX_JSON_DEPTH = 64
_MAY_OVERFLOW = re.compile(rb"[eE]\+?0*[1-9][0-9]{2}|[0-9]{300}")  # a double ends near 1.8e308
_RISKY_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")  # \u0000 and \ud800-\udfff
_CONTAINERS = (dict, list)


def accepts(*mimetypes: str):
    """Declare the request media types a view method takes instead of JSON."""
    def mark(view):
        setattr(view, ACCEPTS_ATTR, frozenset(mimetypes))
        return view
    return mark


def checks_item_texts(field: str):
    """Declare that a view method checks the text of each item of the body list `field`
    itself, so that one item holding NUL or an unpaired surrogate is refused alone."""
    def mark(view):
        setattr(view, ITEM_TEXTS_ATTR, field)
        return view
    return mark


def _handler(view, method: str):
    """The function answering a method of a view (function, MethodView or one of its methods)."""
    view_class = getattr(view, "view_class", None)
    return getattr(view_class, method.lower(), None) if view_class else view


def declared(view, method: str) -> frozenset:
    """The media types a view (function, MethodView or one of its methods) takes."""
    return getattr(_handler(view, method), ACCEPTS_ATTR, frozenset({JSON}))


def is_json(mimetype: str) -> bool:
    """True for application/json and the application/*+json types."""
    return mimetype == JSON or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def enforce() -> None:
    """before_request hook: check the query and body of a request to a declared endpoint."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is None or rule_for(view, request.method) is None:
        return  # 404/405 and undeclared endpoints are answered elsewhere
    _check_query()
    if request.method in BODY_METHODS and _has_body():
        _check_body(declared(view, request.method),
                    getattr(_handler(view, request.method), ITEM_TEXTS_ATTR, None))


def _has_body() -> bool:
    """True when the request carries a body."""
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    return bool(request.content_length) or chunked


def _check_body(allowed: frozenset, own_items: str | None = None) -> None:
    """Refuse a body of a media type the endpoint does not take, too large, or bad JSON."""
    mimetype = (request.mimetype or "").lower()
    if not (mimetype in allowed or (is_json(mimetype) and JSON in allowed)):
        raise ApiError(415, "unsupported_media_type", "Send the body as one of: "
                       f"{', '.join(sorted(allowed))}.", "Content-Type")
    _refuse_oversized_stream()
    if allowed == {JSON} and is_json(mimetype):
        document = check_json(request.get_data(cache=True), own_items)
        request._cached_json = (document, document)  # Werkzeug's cache: get_json parses once


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


def _check_query() -> None:
    """422 for a query argument holding text no database can store."""
    for name, values in request.args.lists():
        for text in (name, *values):
            _check_text(text, (name,))


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


def check_json(raw: bytes, own_items: str | None = None):
    """The document of a body that is strict UTF-8 JSON of bounded depth with storable text;
    anything else is refused. The items of the top-level list `own_items` may hold any text:
    the view checks them one by one.

    The slower checks run only when the raw bytes say they could matter: the float hook when
    a number might overflow, the depth walk when there are enough brackets to nest too
    deeply, the text walk when an escape could spell NUL or a surrogate (strict UTF-8 bytes
    carry neither). A typical body pays for one orjson parse.
    """
    document = _parsed(raw)
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _nests_too_deeply(document):
        raise _too_deep()
    if _RISKY_ESCAPE.search(raw):
        _check_texts(_without_items(document, own_items))
    return document


def _without_items(document, own_items: str | None):
    """The document without the list whose items the view checks itself."""
    if own_items and type(document) is dict and type(document.get(own_items)) is list:
        return {key: value for key, value in document.items() if key != own_items}
    return document


def _parsed(raw: bytes):
    """The JSON document, parsed by orjson where its reading equals the standard library's
    (no integer past 64 bits); else, and wherever orjson refuses (a number beyond a double,
    "\ud800"), by the standard library, whose refusals become the 400 answers."""
    if jsoncodec.orjson_reads_alike(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # the standard library says why, or reads it (a lone surrogate escape)
    parse_float = _finite_float if _MAY_OVERFLOW.search(raw) else float
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant,
                          parse_float=parse_float)
    except UnicodeDecodeError as error:
        raise malformed_json("The request body is not UTF-8 text.") from error
    except RecursionError as error:
        raise _too_deep() from error
    except ValueError as error:
        raise malformed_json(f"The request body is not valid JSON: {_reason(error)}") from error


def _too_deep() -> ApiError:
    """The error for a JSON document nested too deeply."""
    return malformed_json(f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.")


def _nests_too_deeply(document) -> bool:
    """True when arrays and objects nest more than MAX_JSON_DEPTH deep (no recursion)."""
    pending = [(document, 1)] if type(document) in _CONTAINERS else []
    while pending:
        node, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = node.values() if type(node) is dict else node
        pending.extend([(child, depth + 1) for child in children if type(child) in _CONTAINERS])
    return False


def _check_texts(document) -> None:
    """422 naming the first key or string that holds NUL or an unpaired surrogate."""
    pending = [(document, ())]
    while pending:
        node, path = pending.pop()
        if isinstance(node, str):
            _check_text(node, path)
        elif type(node) in _CONTAINERS:
            items = node.items() if type(node) is dict else enumerate(node)
            for key, child in items:
                if isinstance(key, str):
                    _check_text(key, (*path, key))
                pending.append((child, (*path, key)))


def check_form(form) -> None:
    """422 naming the first form field holding NUL or an unpaired surrogate (form bodies are
    read by their views, so their views call this)."""
    for name, values in form.lists():
        for text in (name, *values):
            _check_text(text, (name,))


def _check_text(text: str, path: tuple) -> None:
    """422 for text holding NUL characters or unpaired surrogates, naming where."""
    if text.isascii() and "\x00" not in text:
        return
    if not storable(text):
        field = ".".join(printable(str(part)) for part in path) or "body"
        raise ApiError(422, "validation_error", f"{field}: Text must not contain NUL "
                       "characters or unpaired surrogates.", field)


class CheckedJsonParser(FlaskParser):
    """webargs' parser taking the JSON body `enforce` already parsed and checked, rather
    than parsing it again with the standard library."""

    def _raw_load_json(self, req):
        document = req._cached_json[0]  # Werkzeug's cache, filled by enforce
        return super()._raw_load_json(req) if document is Ellipsis else document
