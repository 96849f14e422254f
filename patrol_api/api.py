"""The flask-smorest Api, with every error rendered in the one structured shape."""
import contextlib
import logging

from flask import current_app, jsonify, request
from flask_smorest import Api
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from patrol_api.errors import ApiError, ErrorSchema, from_http_exception, from_integrity_error
from patrol_api.ops.logs import request_id

log = logging.getLogger(__name__)
RETRY_AFTER_S = 2  # what a client is told to wait after a transient failure (any 503)

MAX_ID = 2**31 - 1  # the largest SQL INTEGER, the type of every record id column


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in URLs, capped at MAX_ID so a giant id is a 404, not a database overflow."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def render_error(error: ApiError):
    """The Flask response for an ApiError (with the request id to quote to support)."""
    response = jsonify({**error.payload(), "request_id": request_id()})
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if error.status == 503:  # every 503 is "try again shortly": say when
        response.headers["Retry-After"] = str(RETRY_AFTER_S)
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
        self._app.register_error_handler(IntegrityError, self.handle_integrity_error)
        self._app.register_error_handler(DBAPIError, self.handle_database_error)
        self._app.register_error_handler(PoolTimeout, self.handle_database_error)
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def handle_http_exception(self, error):
        """Render an HTTPException (including webargs validation errors); under /console/
        (a URL no console page matched) the console's Korean HTML page instead."""
        if request.path.startswith("/console/"):
            from patrol_api import console

            body, status = console.page(error.code or 500)
            response = current_app.make_response((body, status))
        else:
            response = render_error(from_http_exception(error))
        headers = (getattr(error, "data", None) or {}).get("headers") or {}
        for name, value in headers.items():
            response.headers[name] = value
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        if error.code == 429:
            response.headers.update(getattr(error, "headers", {}) or {})
        return response

    def handle_integrity_error(self, error):
        """A unique index (or another constraint) refused the write: 409, the session rolled
        back. One mapping for every endpoint; explicit checks keep their own codes."""
        from patrol_api.extensions import db

        db.session.rollback()
        conflict = from_integrity_error(error)
        if conflict is None:
            return self.handle_unexpected(error)
        log.info("integrity error answered 409: %s", error.orig)
        return render_error(conflict)

    def handle_database_error(self, error):
        """A transient database failure (busy, restarting, no free connection): 503 with
        Retry-After, so that clients retry. The request's transaction is rolled back: what
        it had not committed is not applied, what it had committed stays."""
        from patrol_api import database  # imports the extensions, which import this module
        from patrol_api.extensions import db

        code = database.transient_failure(error)
        if code is None:
            return self.handle_unexpected(error)
        log.warning("transient database failure (%s): %s", code, error.__class__.__name__)
        with contextlib.suppress(DBAPIError):  # a dead connection is discarded anyway
            db.session.rollback()
        message = ("The database is busy; retry shortly." if code == "database_busy"
                   else "The database is unavailable for a moment; retry shortly.")
        return render_error(ApiError(503, code, message))

    def handle_unexpected(self, error):
        """Log an unexpected exception and answer 500 without a stack trace."""
        log.exception("unhandled error")
        return render_error(ApiError(500, "internal_error", "An unexpected error occurred."))
