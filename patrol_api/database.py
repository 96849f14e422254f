"""Database engine tuning (SQLite: WAL, foreign keys, a busy timeout; PostgreSQL: pre-ping)
and which database failures are transient (answered 503 with Retry-After, see api.py)."""
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from patrol_api.extensions import db

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15000
SQLITE_MMAP_BYTES = 256 << 20  # reads map the file instead of copying pages through read()
# PostgreSQL: lock_not_available, serialization_failure, deadlock_detected
PG_CONTENTION = ("55P03", "40001", "40P01")
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def init_app(app: Flask) -> None:
    """Prepare the data directory and tune each new SQLite connection."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        tune(db.engine)
    app.teardown_appcontext(_release_connection)  # runs before Flask-SQLAlchemy's remove()


def _release_connection(_error) -> None:
    """End the context's session; a connection that died since its last statement (database
    restarted) is discarded instead of raising out of the request after its answer."""
    try:
        db.session.close()
    except exc.DBAPIError:
        db.session().invalidate()


def tune(engine: Engine) -> None:
    """Give an engine the app's connection settings (SQLite: WAL, foreign keys, commit mode,
    BEGIN managed by SQLAlchemy); nothing to do on PostgreSQL."""
    if is_sqlite(engine):
        event.listen(engine, "connect", _tune_sqlite)
        event.listen(engine, "begin", _begin_immediate)


def _tune_sqlite(dbapi_conn, _record) -> None:
    """WAL, foreign keys, a busy timeout, and transactions managed by SQLAlchemy."""
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event emit BEGIN
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _begin_immediate(conn) -> None:
    """Start SQLite transactions ourselves; writers take the write lock up front.

    A deferred transaction that reads and then writes can fail at once with SQLITE_BUSY
    when another writer committed meanwhile; BEGIN IMMEDIATE waits (busy_timeout) instead.
    Writers are requests with unsafe methods and code running inside `writing()`.
    """
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _writes() else "BEGIN")


def _writes() -> bool:
    """True when the current unit of work intends to write."""
    if _write_intent.get():
        return True
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


@contextmanager
def writing():
    """Mark the transactions begun inside as writers (SQLite: BEGIN IMMEDIATE)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def transient_failure(error: Exception) -> str | None:
    """'database_busy' or 'service_unavailable' when retrying later may succeed, else None.

    OperationalError is the DB-API's class for failures of the database's operation rather
    than of the statement: SQLite's "database is locked" after the busy timeout, a dropped
    or refused PostgreSQL connection (restart), a serialization failure or deadlock.
    A connection found dead and invalidated (or refused by the driver's interface), and a pool
    with no free connection within its timeout, are transient as well. The HTTP edge answers
    these 503 with Retry-After; jobs are retried with backoff (jobs.is_transient).
    """
    if isinstance(error, exc.OperationalError):
        text = str(error.orig).lower()
        busy = ("locked" in text or "busy" in text
                or getattr(error.orig, "sqlstate", None) in PG_CONTENTION)
        return "database_busy" if busy else "service_unavailable"
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return "service_unavailable"
    if isinstance(error, exc.InterfaceError | exc.DisconnectionError):
        return "service_unavailable"
    if isinstance(error, exc.TimeoutError):  # the connection pool stayed exhausted
        return "database_busy"
    return None


def is_sqlite(engine: Engine) -> bool:
    """True when the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"
