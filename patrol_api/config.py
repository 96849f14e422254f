"""Settings read from the environment, with embedded-mode defaults, and the check that
refuses nonsensical ones at start-up."""
import math
import os
from pathlib import Path

from patrol_api import jsoncodec

DEFAULT_DATA_DIR = Path(os.environ.get("PATROL_DATA_DIR", "instance"))


class SettingError(ValueError):
    """A setting the app refuses to start with; the message names it and what is wrong."""


def _whole_number(name: str, text: str) -> int:
    """The integer an environment variable gives; SettingError naming it otherwise."""
    try:
        return int(text)
    except ValueError:
        raise SettingError(f"{name}={text!r} is not a whole number.") from None


def _int(name: str, default: int) -> int:
    """Read an integer setting from the environment."""
    value = os.environ.get(name)
    return _whole_number(name, value) if value else default


def _optional_int(name: str) -> int | None:
    """An integer setting, or None when the variable is unset (the default applies)."""
    value = os.environ.get(name)
    return _whole_number(name, value) if value else None


def _backoff(name: str, default: str) -> tuple[int, ...]:
    """Comma-separated whole seconds, at least one, none negative (refused at start)."""
    text = os.environ.get(name) or default
    seconds = tuple(int(part) for part in text.split(",") if part.strip())
    if not seconds or min(seconds) < 0:
        raise ValueError(f"{name} must list one or more whole seconds >= 0, e.g. {default}")
    return seconds


def _list(name: str) -> tuple[str, ...]:
    """A comma-separated setting as a tuple of non-empty items."""
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


SYNC_SETTINGS = ("SYNC_MAX_MUTATIONS", "SYNC_PULL_LIMIT_MAX", "SYNC_TOMBSTONE_DAYS",
                 "SYNC_CLOCK_TOLERANCE_S", "SYNC_LARGE_OFFSET_S")


def _given_ints(names) -> dict:
    """The integer settings the environment sets (the others keep their module defaults)."""
    return {name: _whole_number(name, os.environ[name]) for name in names
            if os.environ.get(name)}


def _sqlite_url(data_dir: Path) -> str:
    """The default embedded database: a SQLite file in the data directory."""
    return f"sqlite:///{(data_dir / 'patrol.db').resolve()}"


# the ReDoc copy shipped in patrol_api/static/vendor (scripts/fetch-assets), not a CDN
REDOC_LOCAL = "/static/vendor/redoc/redoc.standalone.js"


def from_environment() -> dict:
    """Build the Flask config mapping from environment variables (see docs/configuration.md)."""
    data_dir = Path(os.environ.get("PATROL_DATA_DIR", DEFAULT_DATA_DIR))
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "PATROL_DATA_DIR": str(data_dir),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or _sqlite_url(data_dir),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "RQ_QUEUES": os.environ.get("RQ_QUEUES", "default").split(","),
        # Without Redis: run jobs on a background thread instead of inside the request.
        "JOBS_BACKGROUND": os.environ.get("JOBS_BACKGROUND", "") in ("1", "true", "yes"),
        # rq: waits before each retry of a job that met a passing database fault.
        "JOB_RETRY_BACKOFF_S": _backoff("JOB_RETRY_BACKOFF_S", "5,15,60,300,900,1800"),
        # The periodic ticks on a timer inside the server (auto: when there is no Redis).
        "TICKS_IN_PROCESS": os.environ.get("TICKS_IN_PROCESS", "auto"),
        "MEDIA_STORAGE": os.environ.get("MEDIA_STORAGE", "local"),
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", str(data_dir / "media")),
        # Photos (docs/media.md). The S3 settings are read when MEDIA_STORAGE=s3.
        "MEDIA_S3_BUCKET": os.environ.get("MEDIA_S3_BUCKET") or None,
        "MEDIA_S3_ENDPOINT_URL": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
        "MEDIA_S3_REGION": os.environ.get("MEDIA_S3_REGION") or None,
        "MEDIA_S3_ACCESS_KEY": os.environ.get("MEDIA_S3_ACCESS_KEY") or None,
        "MEDIA_S3_SECRET_KEY": os.environ.get("MEDIA_S3_SECRET_KEY") or None,
        "MEDIA_S3_PREFIX": os.environ.get("MEDIA_S3_PREFIX", ""),
        "MEDIA_MAX_UPLOAD_BYTES": _int("MEDIA_MAX_UPLOAD_BYTES", 25 * 1024 * 1024),
        "MEDIA_MAX_PIXELS": _int("MEDIA_MAX_PIXELS", 80_000_000),
        # Memory one photo decode may take, JPEG scans, decodes at once per process.
        "MEDIA_MAX_DECODE_BYTES": _int("MEDIA_MAX_DECODE_BYTES", 256 * 1024 * 1024),
        "MEDIA_MAX_JPEG_SCANS": _int("MEDIA_MAX_JPEG_SCANS", 100),
        "MEDIA_DECODE_CONCURRENCY": _int("MEDIA_DECODE_CONCURRENCY", 1),
        "MEDIA_UPLOAD_EXPIRY_HOURS": _int("MEDIA_UPLOAD_EXPIRY_HOURS", 24),
        "MEDIA_MAX_OPEN_UPLOADS": _int("MEDIA_MAX_OPEN_UPLOADS", 300),
        "MEDIA_CACHE_SECONDS": _int("MEDIA_CACHE_SECONDS", 86400),
        # > 0: answer downloads from S3 with a redirect to a URL signed for this many seconds.
        "MEDIA_SIGNED_URL_SECONDS": _int("MEDIA_SIGNED_URL_SECONDS", 0),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024),
        "WEB_TOKEN_TTL_HOURS": _int("WEB_TOKEN_TTL_HOURS", 12),
        "DEVICE_TOKEN_TTL_DAYS": _int("DEVICE_TOKEN_TTL_DAYS", 180),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;30 per hour"),
        "IMPORT_MAX_ROWS": _int("IMPORT_MAX_ROWS", 20000),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Operations (docs/operations.md): log lines plain or JSON, the request id header
        # (read from the proxy only with TRUSTED_PROXIES), the token of GET /metrics.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "plain"),
        "REQUEST_ID_HEADER": os.environ.get("REQUEST_ID_HEADER") or "X-Request-ID",
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        # Where browsers fetch the ReDoc script of /api/docs: the shipped copy unless overridden.
        "OPENAPI_REDOC_URL": os.environ.get("OPENAPI_REDOC_URL") or REDOC_LOCAL,
        # Console: Secure session cookies (set behind TLS); a map tile URL template for
        # offices with a tile server ({z}/{x}/{y}; empty: the dong polygons only).
        "CONSOLE_SECURE_COOKIES": os.environ.get("CONSOLE_SECURE_COOKIES", "") == "1",
        "CONSOLE_TILE_URL": os.environ.get("CONSOLE_TILE_URL") or None,
        # Proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        # Findings: office calendar, recurrence, evidence, deadlines, notifications
        # (defaults in patrol_api/findings/settings.py; unset variables keep them).
        # Open311 GeoReport v2 (docs/open311.md): our jurisdiction_id, the service codes
        # (category codes) that take reports without the reporter's e-mail or phone
        "OPEN311_JURISDICTION": os.environ.get("OPEN311_JURISDICTION", "ydp.seoul.kr"),
        "OPEN311_ANONYMOUS_SERVICES": _list("OPEN311_ANONYMOUS_SERVICES"),
        "OFFICE_CLOSED_DATES": _list("OFFICE_CLOSED_DATES"),
        "OFFICE_OPEN_DATES": _list("OFFICE_OPEN_DATES"),
        # "09:00-12:00,13:00-18:00" (unset: that default); checked at start-up.
        "OFFICE_WORKING_PERIODS": os.environ.get("OFFICE_WORKING_PERIODS") or None,
        "FINDING_REOPEN_WITHIN_DAYS": _optional_int("FINDING_REOPEN_WITHIN_DAYS"),
        "FINDING_EVIDENCE_MIN_RADIUS_M": _optional_int("FINDING_EVIDENCE_MIN_RADIUS_M"),
        "FINDING_EVIDENCE_CLOCK_TOLERANCE_S": _optional_int(
            "FINDING_EVIDENCE_CLOCK_TOLERANCE_S"),
        "FINDING_REMIND_BEFORE_HOURS": _optional_int("FINDING_REMIND_BEFORE_HOURS"),
        "FINDING_REMIND_ACK_BEFORE_HOURS": _optional_int("FINDING_REMIND_ACK_BEFORE_HOURS"),
        "FINDING_ESCALATE_AFTER_HOURS": _optional_int("FINDING_ESCALATE_AFTER_HOURS"),
        "FINDING_WEBHOOK_URLS": _list("FINDING_WEBHOOK_URLS"),
        "FINDING_WEBHOOK_SECRET": os.environ.get("FINDING_WEBHOOK_SECRET") or None,
        "FINDING_NOTIFY_MAX_ATTEMPTS": _optional_int("FINDING_NOTIFY_MAX_ATTEMPTS"),
        "SMTP_HOST": os.environ.get("SMTP_HOST") or None,
        "SMTP_PORT": _optional_int("SMTP_PORT"),
        "SMTP_USER": os.environ.get("SMTP_USER") or None,
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        "SMTP_FROM": os.environ.get("SMTP_FROM") or None,
        # Patrols (defaults in patrol_api/patrols/settings.py; unset variables keep them).
        "PATROL_FAR_FROM_SITE_M": _optional_int("PATROL_FAR_FROM_SITE_M"),
        "PATROL_TRACK_TOLERANCE_M": _optional_int("PATROL_TRACK_TOLERANCE_M"),
        "PATROL_MAX_TRACK_POINTS": _optional_int("PATROL_MAX_TRACK_POINTS"),
        "PATROL_AUTO_CLOSE_HOURS": _optional_int("PATROL_AUTO_CLOSE_HOURS"),
        "PATROL_SCHEDULE_AHEAD_DAYS": _optional_int("PATROL_SCHEDULE_AHEAD_DAYS"),
        "WARRANTY_WARN_DAYS": _optional_int("WARRANTY_WARN_DAYS"),
        "WARRANTY_INSPECTION_MONTHS": _optional_int("WARRANTY_INSPECTION_MONTHS"),
        # Sync limits and clock tolerances (defaults in sync/settings.py).
        **_given_ints(SYNC_SETTINGS),
        # Rankings (defaults in patrol_api/rankings/settings.py); weights as "on_time=0.4,...".
        "RANKING_WEIGHTS": os.environ.get("RANKING_WEIGHTS") or None,
        **_given_ints(("RANKING_MIN_VOLUME", "RANKING_REOPEN_WINDOW_DAYS", "RANKING_BACKLOG_DAYS",
                       "RANKING_AWARD_BEST", "RANKING_AWARD_EXCELLENT",
                       "RANKING_AWARD_MIN_MONTHS", "RANKING_CREDIBILITY_K",
                       "RANKING_HOLD_ALLOWANCE_HOURS")),
    }


STATIC_DEFAULTS = {
    "API_TITLE": "Patrol API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_REDOC_PATH": "docs",
    "OPENAPI_REDOC_URL": REDOC_LOCAL,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    # pre-ping: a pooled connection that died (PostgreSQL restarted) is replaced on checkout
    "SQLALCHEMY_ENGINE_OPTIONS": {"json_serializer": jsoncodec.dumps,
                                  "json_deserializer": jsoncodec.loads,
                                  "pool_pre_ping": True},
    "COMPRESS_MIMETYPES": ["application/json", "text/csv", "application/geo+json"],
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_ALGORITHM": ["gzip"],
    "RATELIMIT_HEADERS_ENABLED": True,
}


UNBOUNDED = None
# The integer settings and the values that make sense (inclusive; UNBOUNDED: no upper
# bound). A zero token lifetime, a negative limit or an hour-long clock tolerance would be
# taken at start-up and then break every request that uses it: check() refuses them.
BOUNDS = {
    "MEDIA_MAX_UPLOAD_BYTES": (1, UNBOUNDED),
    "MEDIA_MAX_PIXELS": (1, UNBOUNDED),
    "MEDIA_UPLOAD_EXPIRY_HOURS": (1, UNBOUNDED),
    "MEDIA_MAX_OPEN_UPLOADS": (1, UNBOUNDED),
    "MEDIA_CACHE_SECONDS": (0, UNBOUNDED),
    "MEDIA_SIGNED_URL_SECONDS": (0, 7 * 24 * 3600),  # S3 signs for at most a week
    "MAX_CONTENT_LENGTH": (1, UNBOUNDED),
    "WEB_TOKEN_TTL_HOURS": (1, 366 * 24),
    "DEVICE_TOKEN_TTL_DAYS": (1, 3660),
    "IMPORT_MAX_ROWS": (1, UNBOUNDED),
    "TRUSTED_PROXIES": (0, 10),
    "FINDING_REOPEN_WITHIN_DAYS": (0, UNBOUNDED),
    "FINDING_EVIDENCE_MIN_RADIUS_M": (0, UNBOUNDED),
    "FINDING_EVIDENCE_CLOCK_TOLERANCE_S": (0, UNBOUNDED),
    "FINDING_REMIND_BEFORE_HOURS": (0, UNBOUNDED),
    "FINDING_REMIND_ACK_BEFORE_HOURS": (0, UNBOUNDED),
    "FINDING_ESCALATE_AFTER_HOURS": (0, UNBOUNDED),
    "FINDING_NOTIFY_MAX_ATTEMPTS": (1, UNBOUNDED),
    "SMTP_PORT": (1, 65535),
    "PATROL_FAR_FROM_SITE_M": (1, UNBOUNDED),
    "PATROL_TRACK_TOLERANCE_M": (0, UNBOUNDED),
    "PATROL_MAX_TRACK_POINTS": (2, UNBOUNDED),
    "PATROL_AUTO_CLOSE_HOURS": (1, UNBOUNDED),
    "PATROL_SCHEDULE_AHEAD_DAYS": (1, 366),  # schedules.MAX_OCCURRENCES covers a year ahead
    "WARRANTY_WARN_DAYS": (0, 3660),
    "WARRANTY_INSPECTION_MONTHS": (1, 120),
    "SYNC_MAX_MUTATIONS": (1, UNBOUNDED),
    "SYNC_PULL_LIMIT_MAX": (1, UNBOUNDED),
    "SYNC_TOMBSTONE_DAYS": (1, UNBOUNDED),
    "SYNC_CLOCK_TOLERANCE_S": (0, UNBOUNDED),
    "SYNC_LARGE_OFFSET_S": (0, UNBOUNDED),
    "RANKING_MIN_VOLUME": (0, UNBOUNDED),
    "RANKING_REOPEN_WINDOW_DAYS": (1, UNBOUNDED),
    "RANKING_BACKLOG_DAYS": (1, UNBOUNDED),
    "RANKING_AWARD_BEST": (0, UNBOUNDED),
    "RANKING_AWARD_EXCELLENT": (0, UNBOUNDED),
    "RANKING_AWARD_MIN_MONTHS": (1, 12),
}


def check(config) -> None:
    """Refuse settings that would start a server that then fails: SettingError naming the
    setting (create_app calls this before anything uses the settings)."""
    for name, (low, high) in BOUNDS.items():
        value = config.get(name)
        if value is None:
            continue  # unset: the module default applies
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingError(f"{name}={value!r} is not a whole number.")
        if value < low or (high is not UNBOUNDED and value > high):
            upper = "" if high is UNBOUNDED else f" to {high}"
            raise SettingError(f"{name}={value} is out of range: give {low}{upper}.")
    _check_ranking_weights(config.get("RANKING_WEIGHTS"))
    _check_rate_limit(config.get("LOGIN_RATE_LIMIT"))


def _check_ranking_weights(value) -> None:
    """RANKING_WEIGHTS reads, and its weights are finite, not negative, not all zero."""
    if value is None:
        return
    from patrol_api.rankings.settings import weights

    try:
        parsed = weights(value) if isinstance(value, str) else dict(value)
        numbers = [float(weight) for weight in parsed.values()]
    except (TypeError, ValueError) as error:
        raise SettingError(f"RANKING_WEIGHTS={value!r} does not read: {error}") from None
    if not all(math.isfinite(n) and n >= 0 for n in numbers) or not sum(numbers) > 0:
        raise SettingError(f"RANKING_WEIGHTS={value!r}: give weights >= 0, not all zero.")


def _check_rate_limit(value) -> None:
    """LOGIN_RATE_LIMIT reads as limits (e.g. "5 per minute;30 per hour"), none of zero."""
    if value is None:
        return
    from limits import parse_many

    try:
        limits = parse_many(value)
    except ValueError as error:
        raise SettingError(f"LOGIN_RATE_LIMIT={value!r} does not read: {error}") from None
    if any(limit.amount < 1 for limit in limits):
        raise SettingError(f"LOGIN_RATE_LIMIT={value!r}: a limit of 0 refuses every sign-in.")
