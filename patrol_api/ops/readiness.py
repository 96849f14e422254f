"""The readiness checks of /readyz: database, migrations, job queue, media store.

Each check returns a small dict with `ok` and details that name kinds of failure (the
exception's type), never URLs, hosts or passwords: /readyz is public.
"""
import os
import tempfile
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from media.local_storage import LocalDiskStorage
from patrol_api import jobs, photos
from patrol_api.database import MIGRATIONS_DIR
from patrol_api.extensions import db


def _failure(error: BaseException) -> str:
    """The kind of a failure, safe to show to anyone."""
    return f"unreachable: {type(error).__name__}"


@cache
def script_heads() -> tuple[str, ...]:
    """The head revisions of the migration scripts shipped with this code."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def database_and_migrations() -> dict:
    """Check the database answers and its schema is at the scripts' heads (one connection)."""
    heads = list(script_heads())
    try:
        with db.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            current = sorted(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:  # noqa: BLE001 - a check reports, never raises
        failed = {"ok": False, "error": _failure(error)}
        return {"database": {**failed, "backend": db.engine.dialect.name},
                "migrations": {"ok": False, "error": "database unreachable", "head": heads}}
    migrations = {"ok": current == heads, "current": current, "head": heads}
    if current != heads:
        migrations["error"] = "the database is not at the migration head: run `db upgrade`"
    return {"database": {"ok": True, "backend": db.engine.dialect.name},
            "migrations": migrations}


def queue(app: Flask) -> dict:
    """Redis answers PING when REDIS_URL is set; in-process jobs always pass."""
    status = jobs.redis_status(app)
    if status == "in-process":
        return {"ok": True, "mode": "in-process"}
    return {"ok": status == "ok", "mode": "redis", **({} if status == "ok" else
                                                       {"error": status})}


def media(app: Flask) -> dict:
    """Local storage: the media root can be written; other stores: a lookup answers."""
    storage = app.extensions.get(photos.EXTENSION)
    backend = app.config.get("MEDIA_STORAGE")
    if storage is None:
        return {"ok": True, "backend": backend, "note": "not in use by this app"}
    try:
        if isinstance(storage, LocalDiskStorage):
            _probe_write(storage.root)
        else:
            storage.exists("health/readyz-probe")
    except Exception as error:  # noqa: BLE001 - a check reports, never raises
        return {"ok": False, "backend": backend, "error": _failure(error)}
    return {"ok": True, "backend": backend}


def _probe_write(root: Path) -> None:
    """Create, write, sync and remove a small file in the media root (raises if it cannot)."""
    root.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=root, prefix=".readyz-")
    try:
        os.write(fd, b"ok")
        os.fsync(fd)
    finally:
        os.close(fd)
        os.unlink(name)


def run(app: Flask) -> tuple[bool, dict]:
    """Every check; True when all pass."""
    checks = database_and_migrations()
    checks["queue"] = queue(app)
    checks["media"] = media(app)
    return all(check["ok"] for check in checks.values()), checks
