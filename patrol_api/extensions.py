"""Flask extensions, created unbound and bound to the app in create_app."""
from flask import request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

from patrol_api.api import PatrolApi

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
api = PatrolApi()
compress = Compress()


def _client_key() -> str:
    """Rate-limit key: the client address (X-Forwarded-For counts only with TRUSTED_PROXIES)."""
    return get_remote_address() or request.remote_addr or "unknown"


limiter = Limiter(key_func=_client_key, default_limits=[], headers_enabled=True)
