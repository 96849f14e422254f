"""Background jobs: on rq when REDIS_URL is set, otherwise in-process.

In-process jobs run at once (tests, CLI) or, with JOBS_BACKGROUND (the embedded server),
on one background thread of the process so that requests do not wait for them.

Jobs are module-level functions that take ids, not ORM objects. `enqueue` sends the
function's dotted path to `run`, which executes it inside an application context.

A job failing on a passing database fault (`is_transient`: connection lost in a restart,
database locked) is retried on rq with backoff (JOB_RETRY_BACKOFF_S); in-process it is
logged, and the periodic sweeps catch up on what it left.
"""
import contextlib
import importlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, has_app_context

from patrol_api import database
from patrol_api.extensions import db

log = logging.getLogger(__name__)
_worker_app: Flask | None = None
_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Bind the queue to the app (a Redis connection only when configured)."""
    app.extensions["jobs"] = _make_queue(app.config.get("REDIS_URL"),
                                         app.config["RQ_QUEUES"][0])


def _make_queue(redis_url: str | None, name: str):
    """An rq Queue on Redis, or None for in-process execution."""
    if not redis_url:
        return None
    from redis import Redis
    from rq import Queue

    return Queue(name, connection=Redis.from_url(redis_url))


def queue():
    """The rq queue of the current app, or None in embedded mode."""
    return current_app.extensions.get("jobs")


def enqueue(func, *args, **kwargs):
    """Run `func(*args, **kwargs)` as a job: on rq, on the background thread, or now."""
    path = f"{func.__module__}:{func.__qualname__}"
    q = queue() if has_app_context() else None
    if q is not None:
        return q.enqueue(run, path, *args, **kwargs)
    if has_app_context() and current_app.config.get("JOBS_BACKGROUND"):
        app = current_app._get_current_object()
        return _background(app).submit(_run_in, app, path, args, kwargs)
    return run(path, *args, **kwargs)


def enqueue_or_run_now(func, *args, **kwargs):
    """Like `enqueue`, but without rq the job runs now, in the caller, even when other jobs
    go to the background thread: for a job whose result the caller answers with."""
    if has_app_context() and queue() is not None:
        return enqueue(func, *args, **kwargs)
    return run(f"{func.__module__}:{func.__qualname__}", *args, **kwargs)


def _background(app: Flask) -> ThreadPoolExecutor:
    """The app's one background job thread (embedded mode: jobs leave the request)."""
    with _lock:
        if "jobs_thread" not in app.extensions:
            app.extensions["jobs_thread"] = ThreadPoolExecutor(1, thread_name_prefix="jobs")
    return app.extensions["jobs_thread"]


def _run_in(app: Flask, path: str, args: tuple, kwargs: dict):
    """Run a job in a fresh application context of `app`; log its failure."""
    try:
        with app.app_context():
            return run(path, *args, **kwargs)
    except Exception:
        log.exception("background job %s failed", path)
        raise


def run(path: str, *args, **kwargs):
    """Execute a job function by dotted path inside an application context; count it by
    outcome. On rq, a passing database fault answers rq's Retry (the job runs again after a
    backoff)."""
    from patrol_api.ops import metrics

    try:
        result = _execute(path, args, kwargs)
    except Exception:
        metrics.job_done(path, "failed")
        raise
    metrics.job_done(path, "retried" if _is_retry(result) else "ok")
    return result


def _is_retry(result) -> bool:
    """True when a job answered rq's Retry."""
    from rq import Retry

    return isinstance(result, Retry)


def _execute(path: str, args: tuple, kwargs: dict):
    """Import the job function and call it in an application context, as a writer."""
    module_name, _, name = path.partition(":")
    func = getattr(importlib.import_module(module_name), name)
    if has_app_context():
        return _guarded(path, func, args, kwargs)
    with _app_for_worker().app_context():
        return _guarded(path, func, args, kwargs)


def _guarded(path: str, func, args: tuple, kwargs: dict):
    """Run the job as a writer; under an rq worker, a transient failure becomes a Retry."""
    try:
        with database.writing():
            return func(*args, **kwargs)
    except Exception as error:
        retry = _retry_for(error)
        if retry is None:
            raise
        with contextlib.suppress(Exception):  # the connection may be gone with the server
            db.session.remove()
        log.warning("job %s met a passing database fault (%s: %s); rq retries it after "
                    "%s s", path, type(error).__name__, error, retry.intervals)
        return retry


def is_transient(error: BaseException) -> bool:
    """True for a database fault that a later attempt may not meet: a lost or refused
    connection (a restart), a locked database, a pool timeout, a serialisation failure: the
    same classification the HTTP edge answers 503 for."""
    return isinstance(error, Exception) and database.transient_failure(error) is not None


def _retry_for(error: BaseException):
    """rq's Retry when a job of an rq worker met a transient fault; otherwise None."""
    if not is_transient(error):
        return None
    from rq import Retry, get_current_job

    if get_current_job() is None:
        return None
    backoff = current_app.config["JOB_RETRY_BACKOFF_S"]
    return Retry(max=len(backoff), interval=backoff)


def _app_for_worker() -> Flask:
    """The app a worker process runs jobs in, created once per process."""
    global _worker_app
    if _worker_app is None:
        from patrol_api import create_app

        _worker_app = create_app()
    return _worker_app


def redis_status(app: Flask) -> str:
    """'ok', 'in-process' or an error text, for the health check."""
    q = app.extensions.get("jobs")
    if q is None:
        return "in-process"
    try:
        q.connection.ping()
        return "ok"
    except Exception as error:  # noqa: BLE001 - the health check reports, never raises
        return f"unreachable: {type(error).__name__}"
