"""Settings read from the environment, with embedded-mode defaults."""
import os
from pathlib import Path

DEFAULT_DATA_DIR = Path(os.environ.get("PATROL_DATA_DIR", "instance"))


def _int(name: str, default: int) -> int:
    """Read an integer setting from the environment."""
    return int(os.environ.get(name, default))


def _sqlite_url(data_dir: Path) -> str:
    """The default embedded database: a SQLite file in the data directory."""
    return f"sqlite:///{(data_dir / 'patrol.db').resolve()}"


def from_environment() -> dict:
    """Build the Flask config mapping from environment variables (see docs/configuration.md)."""
    data_dir = Path(os.environ.get("PATROL_DATA_DIR", DEFAULT_DATA_DIR))
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "PATROL_DATA_DIR": str(data_dir),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or _sqlite_url(data_dir),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "RQ_QUEUES": os.environ.get("RQ_QUEUES", "default").split(","),
        "MEDIA_STORAGE": os.environ.get("MEDIA_STORAGE", "local"),
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", str(data_dir / "media")),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024),
        "WEB_TOKEN_TTL_HOURS": _int("WEB_TOKEN_TTL_HOURS", 12),
        "DEVICE_TOKEN_TTL_DAYS": _int("DEVICE_TOKEN_TTL_DAYS", 180),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per minute;30 per hour"),
        "IMPORT_MAX_ROWS": _int("IMPORT_MAX_ROWS", 20000),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        # Proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
    }


STATIC_DEFAULTS = {
    "API_TITLE": "Patrol API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_REDOC_PATH": "docs",
    "OPENAPI_REDOC_URL": "https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js",
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "COMPRESS_MIMETYPES": ["application/json", "text/csv", "application/geo+json"],
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_ALGORITHM": ["gzip"],
    "RATELIMIT_HEADERS_ENABLED": True,
}
