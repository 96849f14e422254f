"""One request id per request, in the response, every log line and every error body; plain
or JSON log lines, with bearer tokens and passwords redacted defensively.

The id is taken from the trusted proxy's header (REQUEST_ID_HEADER, only when
TRUSTED_PROXIES says a proxy sets it and the value is short and plain) or made (uuid4 hex).
"""
import copy
import logging
import re
import sys
import uuid

from flask import Flask, current_app, has_request_context, request

ENVIRON_KEY = "patrol.request_id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
PLAIN_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "request_id", "message"]
NO_REQUEST = "-"

# What must never reach a log line even if some code logs it by mistake.
_REDACTIONS = [
    (re.compile(r"(?i)\b(bearer)\s+\S+"), r"\1 [redacted]"),
    (re.compile(r"\bpt_[A-Za-z0-9_-]{8,}"), "pt_[redacted]"),
    (re.compile(r"(?i)([a-z_]*password[\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,}]+)"),
     r"\1[redacted]"),
]


def request_id() -> str | None:
    """The id of the current request (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    environ = request.environ
    if ENVIRON_KEY not in environ:
        environ[ENVIRON_KEY] = _from_proxy() or uuid.uuid4().hex
    return environ[ENVIRON_KEY]


def _from_proxy() -> str | None:
    """The proxy's id when a proxy is trusted and the value is short and plain."""
    config = current_app.config
    if not config.get("TRUSTED_PROXIES"):
        return None  # without a trusted proxy any client could choose its id
    value = request.headers.get(config["REQUEST_ID_HEADER"], "")
    return value if _SAFE_ID.fullmatch(value) else None


def redact(text: str) -> str:
    """The text with bearer tokens, API tokens and password values replaced."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """Wraps a formatter; the message, traceback and stack are redacted before it formats
    them (redacting the finished line could cut into the JSON around a value)."""

    def __init__(self, inner: logging.Formatter):
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        """The inner formatter's line of a redacted copy of the record."""
        clean = copy.copy(record)
        clean.msg, clean.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        clean.exc_info = None  # formatters then use exc_text, which is redacted
        clean.exc_text = redact(record.exc_text) if record.exc_text else None
        clean.stack_info = redact(record.stack_info) if record.stack_info else None
        return self.inner.format(clean)


def formatter(kind: str) -> logging.Formatter:
    """The formatter of LOG_FORMAT `plain` or `json` (one JSON object per line)."""
    if kind == "json":
        from pythonjsonlogger.json import JsonFormatter

        inner = JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time",
                                                          "levelname": "level",
                                                          "name": "logger"},
                              json_ensure_ascii=False)
    elif kind == "plain":
        inner = logging.Formatter(PLAIN_FORMAT)
    else:
        raise ValueError(f"LOG_FORMAT must be plain or json, not {kind!r}")
    return RedactingFormatter(inner)


def _install_record_factory() -> None:
    """Give every log record a `request_id` attribute (NO_REQUEST outside requests)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_request_id", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = request_id() or NO_REQUEST
        return record
    factory.adds_request_id = True
    logging.setLogRecordFactory(factory)


class _Handler(logging.StreamHandler):
    """The app's stderr handler (a class of its own so a second app does not add another)."""


def configure(app: Flask) -> None:
    """Set up logging once per process: the request id on every record, the root logger's
    level, and a stderr handler in the LOG_FORMAT unless logging is configured already."""
    chosen = formatter(app.config["LOG_FORMAT"])  # a bad LOG_FORMAT stops start-up
    _install_record_factory()
    root = logging.getLogger()
    root.setLevel(app.config["LOG_LEVEL"])
    ours = [handler for handler in root.handlers if isinstance(handler, _Handler)]
    if root.handlers and not ours:
        return  # someone else (a test runner, a logging config) owns the handlers
    handler = ours[0] if ours else _Handler(sys.stderr)
    handler.setFormatter(chosen)
    if not ours:
        root.addHandler(handler)


def init_app(app: Flask) -> None:
    """Answer every response with the request id header."""
    header = app.config["REQUEST_ID_HEADER"]

    def add_header(response):
        response.headers[header] = request_id()
        return response
    app.after_request(add_header)
