"""The flask-smorest Api, with every error rendered in the one structured shape."""
import logging

from flask import jsonify
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from patrol_api.errors import ApiError, ErrorSchema, from_http_exception

log = logging.getLogger(__name__)

MAX_ID = 2**31 - 1  # the largest SQL INTEGER, the type of every record id column


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in URLs, capped at MAX_ID so a giant id is a 404, not a database overflow."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def render_error(error: ApiError):
    """The Flask response for an ApiError."""
    response = jsonify(error.payload())
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


class PatrolApi(Api):
    """Api whose error handlers answer with status, code, message and field."""

    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app, *, spec_kwargs=None):
        """Bind to the app; `<int:...>` path arguments are bounded record ids."""
        app.url_map.converters["int"] = RecordIdConverter
        super().init_app(app, spec_kwargs=spec_kwargs)

    def _register_error_handlers(self):
        """Route HTTP errors, domain errors and unexpected exceptions to one renderer."""
        self._app.register_error_handler(HTTPException, self.handle_http_exception)
        self._app.register_error_handler(ApiError, render_error)
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def handle_http_exception(self, error):
        """Render an HTTPException (including webargs validation errors)."""
        response = render_error(from_http_exception(error))
        headers = (getattr(error, "data", None) or {}).get("headers") or {}
        for name, value in headers.items():
            response.headers[name] = value
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        if error.code == 429:
            response.headers.update(getattr(error, "headers", {}) or {})
        return response

    def handle_unexpected(self, error):
        """Log an unexpected exception and answer 500 without a stack trace."""
        log.exception("unhandled error")
        return render_error(ApiError(500, "internal_error", "An unexpected error occurred."))
