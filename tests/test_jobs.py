"""Jobs run in-process without Redis, and on a real Redis through the rq worker command."""
import os
import subprocess
import sys
import threading
from datetime import timedelta

import sqlalchemy as sa
from redis import Redis
from redis.client import PubSub, PubSubWorkerThread
from rq import Queue

from patrol_api import jobs, maintenance
from patrol_api.extensions import db
from patrol_api.models import ApiToken
from patrol_api.models.base import utcnow
from patrol_api.rqworker import Worker

CEILING_S = 600  # generous: a loaded machine is slow, never wrong


def _dead_and_live_tokens(make_user):
    """One token long expired, one live; returns the live token's id."""
    user, _ = make_user()
    live = db.session.execute(sa.select(ApiToken)).scalar()
    db.session.add(ApiToken(token_hash="0" * 64, user=user,
                            expires_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    return live.id


def test_in_process_when_no_redis(ctx, make_user):
    live_id = _dead_and_live_tokens(make_user)
    assert jobs.queue() is None
    assert jobs.enqueue(maintenance.purge_dead_tokens) == 1
    assert db.session.execute(sa.select(ApiToken.id)).scalars().all() == [live_id]


def test_rq_worker_runs_queued_job(ctx, make_user, app_factory, database_url, redis_url):
    live_id = _dead_and_live_tokens(make_user)
    queued_app = app_factory(REDIS_URL=redis_url)
    with queued_app.app_context():
        job = jobs.enqueue(maintenance.purge_dead_tokens)
        assert job.get_status() == "queued"
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "SECRET_KEY": "test"}
    worker = [sys.executable, "-m", "patrol_api.cli", "worker", "--burst"]
    done = subprocess.run(worker, env=env, capture_output=True, text=True, timeout=CEILING_S)
    assert done.returncode == 0, done.stderr
    with queued_app.app_context():
        job.refresh()
        assert job.get_status() == "finished", job.latest_result().exc_string
        assert job.return_value() == 1
    db.session.rollback()  # end the test's read snapshot
    assert db.session.execute(sa.select(ApiToken.id)).scalars().all() == [live_id]


def test_readyz_reports_redis(ctx, app_factory, redis_url):
    up = app_factory(REDIS_URL=redis_url).test_client().get("/readyz")
    assert up.get_json()["checks"]["queue"] == {"ok": True, "mode": "redis"}
    down = app_factory(REDIS_URL="redis://127.0.0.1:1/0").test_client()
    response = down.get("/readyz")
    assert response.status_code == 503
    assert "queue" in response.get_json()["failing"]
    assert response.get_json()["checks"]["queue"]["error"].startswith("unreachable")
    assert down.get("/healthz").status_code == 200  # liveness does not depend on Redis


def test_background_thread_when_configured(ctx, make_user, app_factory):
    live_id = _dead_and_live_tokens(make_user)
    background = app_factory(JOBS_BACKGROUND=True)
    with background.app_context():
        future = jobs.enqueue(maintenance.purge_dead_tokens)
        assert future.result(timeout=30) == 1
    db.session.rollback()
    assert db.session.execute(sa.select(ApiToken.id)).scalars().all() == [live_id]


def test_worker_quits_without_waiting_on_its_pubsub_thread(redis_url, monkeypatch):
    """The cause of a burst worker taking a minute to exit. rq sends UNSUBSCRIBE, then stops
    its pub/sub thread; a thread that read the reply first went back to waiting for a
    subscription (60 s in rq), and stop() waited for it. Here the thread would wait for ever,
    and stop() always comes in that losing order."""
    original_run, original_get = PubSub.run_in_thread, PubSub.get_message
    original_unsubscribe, original_stop = PubSub.unsubscribe, PubSubWorkerThread.stop
    unsubscribed, waiting_unsubscribed = threading.Event(), threading.Event()

    def run_waiting_for_ever(self, sleep_time=0.0, **kwargs):
        return original_run(self, None, **kwargs)

    def unsubscribe(self, *args):
        unsubscribed.set()
        return original_unsubscribe(self, *args)

    def get_message(self, *args, **kwargs):
        if not self.subscribed:
            waiting_unsubscribed.set()
        return original_get(self, *args, **kwargs)

    def stop_late(thread, timeout=None):
        if unsubscribed.is_set():  # let the thread read the reply and wait again first
            while thread.is_alive() and not waiting_unsubscribed.wait(0.05):
                pass
        return original_stop(thread, timeout)

    monkeypatch.setattr(PubSub, "run_in_thread", run_waiting_for_ever)
    monkeypatch.setattr(PubSub, "unsubscribe", unsubscribe)
    monkeypatch.setattr(PubSub, "get_message", get_message)
    monkeypatch.setattr(PubSubWorkerThread, "stop", stop_late)
    connection = Redis.from_url(redis_url)
    worker = Worker([Queue("quits", connection=connection)], connection=connection)
    worker.subscribe()
    quitting = threading.Thread(target=worker.unsubscribe, daemon=True)
    quitting.start()
    quitting.join(CEILING_S)
    assert not quitting.is_alive(), "the worker waited on its pub/sub thread"
