"""Transient database failures answer 503 with Retry-After and the error shape, lose nothing,
and reads never write: they answer while another connection holds the write lock."""
import pytest
import sqlalchemy as sa
from loadworld import Outbox, build, push_body, write_lock
from test_errors import assert_error

from patrol_api import database
from patrol_api.config import STATIC_DEFAULTS
from patrol_api.extensions import db
from patrol_api.models import Observation
from patrol_api.rankings import months
from tests.conftest import BACKEND

WAIT_MS = 300  # how long a writer of the test app waits for the lock before giving up


@pytest.fixture
def impatient(app_factory, monkeypatch):
    """An app as the embedded server runs (jobs off the request) whose writers give up on the
    write lock after WAIT_MS: SQLite's busy timeout, PostgreSQL's lock_timeout."""
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", WAIT_MS)
    options = {**STATIC_DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"]}
    if BACKEND == "postgresql":
        options["connect_args"] = {"options": f"-c lock_timeout={WAIT_MS}"}
    return app_factory(JOBS_BACKGROUND=True, SQLALCHEMY_ENGINE_OPTIONS=options)


def _observations(ids) -> int:
    db.session.rollback()  # a fresh snapshot
    return db.session.execute(sa.select(sa.func.count()).select_from(Observation).where(
        Observation.client_id.in_(ids))).scalar()


def test_a_push_meeting_a_held_write_lock_is_503_and_its_retry_applies_once(
        ctx, impatient, database_url):
    headers = build()["phone"]
    batch = Outbox().batch(3)
    client = impatient.test_client()
    with write_lock(database_url):
        answer = client.post("/api/v1/sync/push", data=push_body(batch), headers=headers,
                             content_type="application/json")
    body = assert_error(answer, 503, "database_busy")
    assert body["field"] is None
    assert int(answer.headers["Retry-After"]) >= 1
    assert _observations([m["entity_id"] for m in batch]) == 0  # nothing half-applied
    client = ctx.test_client()  # the phone retries once the lock is gone (a patient server)
    retried = client.post("/api/v1/sync/push", data=push_body(batch), headers=headers,
                          content_type="application/json")
    assert retried.status_code == 200, retried.get_json()
    assert [r["status"] for r in retried.get_json()["results"]] == ["applied"] * 3
    again = client.post("/api/v1/sync/push", data=push_body(batch), headers=headers,
                        content_type="application/json")
    assert again.status_code == 200, again.get_json()
    assert {r["status"] for r in again.get_json()["results"]} == {"already_applied"}
    assert _observations([m["entity_id"] for m in batch]) == 3


def test_a_web_write_meeting_a_held_write_lock_is_503(ctx, impatient, database_url, admin):
    client = impatient.test_client()
    with write_lock(database_url):
        answer = client.post("/api/v1/departments", headers=admin, json={
            "code": "parks", "name_ko": "공원과", "name_en": "Parks", "kind": "headquarters"})
    assert_error(answer, 503, "database_busy")
    assert answer.headers["Retry-After"].isdigit()


def test_reads_answer_while_another_connection_holds_the_write_lock(
        ctx, impatient, database_url):
    headers = build()
    ctx.test_client().post("/api/v1/sync/push", data=push_body(Outbox(seed=1).batch(4)),
                           headers=headers["phone"], content_type="application/json")
    db.session.remove()
    client, month = impatient.test_client(), months.current()
    reads = [("/api/v1/rankings", {"month": month}, "manager"),
             ("/api/v1/rankings/metrics", {}, "manager"),
             ("/api/v1/findings", {"open": "true", "sort": "due"}, "staff"),
             ("/api/v1/sync/pull", {}, "officer")]
    with write_lock(database_url):
        for path, query, role in reads:
            answer = client.get(path, query_string=query, headers=headers[role])
            assert answer.status_code == 200, (path, answer.get_json())
