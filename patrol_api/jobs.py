"""Background jobs: on rq when REDIS_URL is set, otherwise in-process.

In-process jobs run at once (tests, CLI) or, with JOBS_BACKGROUND (the embedded server),
on one background thread of the process so that requests do not wait for them.

Jobs are module-level functions that take ids, not ORM objects. `enqueue` sends the
function's dotted path to `run`, which executes it inside an application context.
"""
import importlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, has_app_context

from patrol_api import database

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
    """Execute a job function by dotted path inside an application context; count it."""
    from patrol_api.ops import metrics

    try:
        result = _execute(path, args, kwargs)
    except Exception:
        metrics.job_done(path, "failed")
        raise
    metrics.job_done(path, "ok")
    return result


def _execute(path: str, args: tuple, kwargs: dict):
    """Import the job function and call it in an application context, as a writer."""
    module_name, _, name = path.partition(":")
    func = getattr(importlib.import_module(module_name), name)
    if has_app_context():
        with database.writing():
            return func(*args, **kwargs)
    with _app_for_worker().app_context(), database.writing():
        return func(*args, **kwargs)


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
