"""Intake jobs on a real Redis and rq worker meet a passing database fault — the database
locked by another writer (SQLite) or the server restarting (PostgreSQL) — and rq retries
them after a backoff: the observations become findings, nothing stays in the failed registry.
"""
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from patrol_api import jobs
from patrol_api.extensions import db
from patrol_api.findings import intake
from patrol_api.models import Observation
from tests.conftest import BACKEND
from tests.findings.conftest import SPOT, offset

CEILING_S = 600  # generous: a loaded machine is slow, never wrong


def run_worker(database_url: str, redis_url: str) -> None:
    """One burst of `patrol-api worker` (its scheduler enqueues retries that are due)."""
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "SECRET_KEY": "test", "JOB_RETRY_BACKOFF_S": "1"}
    done = subprocess.run([sys.executable, "-m", "patrol_api.cli", "worker", "--burst"],
                          env=env, capture_output=True, text=True, timeout=CEILING_S)
    assert done.returncode == 0, done.stderr


@contextmanager
def database_outage(request, database_url: str):
    """SQLite: another writer holds the lock; PostgreSQL: the server is down. Then back."""
    db.session.close()
    if BACKEND == "sqlite":
        blocker = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        return
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("NOT TESTED - an external TEST_DATABASE_URL server cannot be restarted")
    server = request.getfixturevalue("postgres_server")
    server.pause()
    try:
        yield
    finally:
        server.resume()
        db.engine.dispose()  # the test's own pooled connections died with the server


def wait_until_due(job, queue) -> None:
    """Wait (with a generous ceiling) until the retry's scheduled time has passed."""
    due = ScheduledJobRegistry(queue=queue).get_scheduled_time(job)
    deadline = time.monotonic() + CEILING_S
    while datetime.now(UTC) <= due and time.monotonic() < deadline:
        time.sleep(0.2)


def test_an_intake_job_that_met_a_database_outage_is_retried(request, observe, app_factory,
                                                             database_url, redis_url):
    made = [observe(point=offset(SPOT, 200 * index)) for index in range(3)]
    queued = app_factory(REDIS_URL=redis_url)
    with queued.app_context():
        job = jobs.enqueue(intake.process_observations, [obs.id for obs in made])
        queue = jobs.queue()
    with database_outage(request, database_url):
        run_worker(database_url, redis_url)
    with queued.app_context():
        job.refresh()
        assert job.get_status() == "scheduled"  # a retry after the backoff, not a failure
        assert FailedJobRegistry(queue=queue).count == 0
    linked = sa.select(Observation.id).where(Observation.finding_id.is_not(None))
    assert db.session.execute(linked).scalars().all() == []
    wait_until_due(job, queue)
    run_worker(database_url, redis_url)
    with queued.app_context():
        job.refresh()
        assert job.get_status() == "finished", job.latest_result()
        assert job.return_value() == 3
        assert FailedJobRegistry(queue=queue).count == 0
    db.session.rollback()
    assert sorted(db.session.execute(linked).scalars()) == sorted(obs.id for obs in made)
