"""Run jobs once the current transaction has committed, never inside it.

With Redis the job is queued; in embedded mode it runs at once in a fresh application
context (so in its own session and transaction), after the caller's data is durable. A job
that fails in-process is logged; the periodic sweep (`intake.process_pending`) catches up.
"""
import logging

from flask import current_app
from sqlalchemy import event

from patrol_api import jobs
from patrol_api.extensions import db

log = logging.getLogger(__name__)
KEY = "findings_after_commit"


def enqueue(func, *args) -> None:
    """Enqueue `func(*args)` via patrol_api.jobs when the transaction commits (once)."""
    session = db.session()
    pending = session.info.setdefault(KEY, [])
    if (func, args) not in pending:  # the same job twice in one transaction runs once
        pending.append((func, args))
    if not event.contains(session, "after_commit", _drain):
        event.listen(session, "after_commit", _drain)


def _drain(session) -> None:
    """after_commit: hand over every pending job (once the outermost transaction committed:
    the release of a savepoint fires after_commit too, while the data is not yet durable)."""
    if session.get_nested_transaction() is not None:
        return
    pending = session.info.pop(KEY, [])
    for func, args in pending:
        _dispatch(func, args)


def _dispatch(func, args) -> None:
    """Queue on rq, or run now in a new app context; failures are logged, not raised."""
    try:
        if jobs.queue() is not None:
            jobs.enqueue(func, *args)
            return
        with current_app.app_context():
            jobs.enqueue(func, *args)
    except Exception:  # noqa: BLE001 - the caller's transaction has committed already
        log.exception("after-commit job %s%r failed", func.__qualname__, args)
