"""One structured error shape for every failure: status, code, message, field."""
import re
from http import HTTPStatus

import marshmallow as ma
from werkzeug.exceptions import HTTPException

CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}


class ApiError(Exception):
    """A failure the API reports to its caller, raised by views and domain services."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.extra = (
            status, code, message, field, extra)

    def payload(self) -> dict:
        """The JSON body of this error."""
        body = {"status": self.status, "code": self.code, "message": self.message,
                "field": self.field}
        body.update(self.extra)
        return body


class ErrorSchema(ma.Schema):
    """The error body, for the OpenAPI document.

    The four fields are always present; some errors add facts of their own (`ApiError`
    keyword arguments), so further properties are allowed.
    """

    class Meta:
        unknown = ma.INCLUDE  # documented as additionalProperties: true

    status = ma.fields.Integer(required=True, metadata={"description": "HTTP status"})
    code = ma.fields.String(required=True, metadata={"description": "Machine-readable error code"})
    message = ma.fields.String(required=True, metadata={"description": "Human-readable message"})
    field = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "The offending field, header (If-Match, Content-Type), body, or null"})
    errors = ma.fields.Dict(metadata={
        "description": "Schema validation failures: every field error, by location"})
    current_version = ma.fields.Integer(metadata={
        "description": "412 version_mismatch: the record's version on the server"})
    current = ma.fields.Dict(metadata={
        "description": "412 version_mismatch: the server's copy of the record"})
    retry_after = ma.fields.Integer(metadata={
        "description": "503: seconds to wait before retrying (also the Retry-After header)"})
    state = ma.fields.String(metadata={
        "description": "409 invalid_transition and the like: the record's current state"})
    allowed = ma.fields.Raw(metadata={"description": "What would have been allowed"})
    request_id = ma.fields.String(metadata={
        "description": "The request's id, also in the X-Request-ID header and the server's "
                       "log lines: quote it when reporting a problem"})


def first_field(messages, prefix: str = "") -> str | None:
    """The dotted path of the first field named in a marshmallow/webargs message tree."""
    if not isinstance(messages, dict) or not messages:
        return prefix or None
    key, value = next(iter(messages.items()))
    if key in ("json", "query", "form", "files", "headers", "view_args") and not prefix:
        return first_field(value, "")
    path = f"{prefix}.{key}" if prefix else str(key)
    if key == "_schema":
        return prefix or None
    return first_field(value, path) if isinstance(value, dict) else path


def _first_message(messages) -> str | None:
    """The first message text found in a message tree."""
    if isinstance(messages, str):
        return messages
    if isinstance(messages, list) and messages:
        return _first_message(messages[0])
    if isinstance(messages, dict):
        for value in messages.values():
            found = _first_message(value)
            if found:
                return found
    return None


def malformed_json(detail: str = "The request body is not valid JSON.") -> ApiError:
    """The 400 answered to a body that is not JSON this API can read."""
    return ApiError(400, "malformed_json", detail, "body")


def _offending_field(messages) -> str | None:
    """The field named by a message tree; `body` when the JSON body as a whole is wrong."""
    field = first_field(messages)
    if field is None and isinstance(messages, dict) and "json" in messages:
        return "body"
    return field


def from_http_exception(error: HTTPException) -> ApiError:
    """Translate a werkzeug/webargs HTTP exception into an ApiError."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("errors") or data.get("messages")
    code = CODES_BY_STATUS.get(status, "http_error")
    if status == 400 and messages and "Invalid JSON body." in str(messages):
        return malformed_json()
    if messages:
        field = _offending_field(messages)
        text = _first_message(messages) or "Invalid input."
        message = f"{field}: {text}" if field else text
        return ApiError(status, code, message, field, errors=messages)
    message = data.get("message") or error.description or HTTPStatus(status).phrase
    return ApiError(status, code, message)


# the column of a unique violation, as SQLite and PostgreSQL word it
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: \w+\.(\w+)")
_POSTGRES_KEY = re.compile(r"Key \(([\w\s,]+?)\)=")
_CONFLICTS = ("unique constraint", "foreign key constraint")  # both databases' wording


def from_integrity_error(error: Exception) -> ApiError | None:
    """The 409 answered when a write meets a unique index the checks before it missed (a
    taken code or name, or a concurrent writer), or a reference removed meanwhile; `field`
    names the column when the database says which. None for other violations (NOT NULL,
    CHECK): those are the server's bugs."""
    text = str(getattr(error, "orig", None) or error)
    if not any(kind in text.lower() for kind in _CONFLICTS):
        return None
    found = _SQLITE_UNIQUE.search(text) or _POSTGRES_KEY.search(text)
    field = found[1].split(",")[0].strip() if found else None
    if "foreign key" in text.lower():
        return ApiError(409, "conflict", "A record this change refers to was removed "
                        "meanwhile; read it again.", field)
    where = f" ({field})" if field else ""
    return ApiError(409, "conflict", f"Another record already has this value{where}.", field)
