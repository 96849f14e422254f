"""A real server process (gunicorn, as the embedded server runs) under 50 parallel readers of
the rankings, the department inbox and the sync pull while a phone pushes observations:
not one 5xx, on SQLite (the embedded default) and on PostgreSQL. Then the pushed work reaches
the findings and the rankings through the jobs, which run outside the requests."""
import collections
import threading
import time

import pytest
import requests
import sqlalchemy as sa
from loadworld import Outbox, build, push_body

from devtools.servers import AppServer
from patrol_api.extensions import db
from patrol_api.models import Finding, Observation

READERS, PUSHES, BATCH = 50, 8, 5
READS = (("/api/v1/rankings", "manager", "month"),
         ("/api/v1/findings", "staff", {"open": "true", "sort": "due"}),
         ("/api/v1/sync/pull", "officer", {"limit": 100}))
CEILING_S = 600  # a generous bound for conditions on a loaded machine, never a speed claim


def wait_for(condition, what: str):
    """Poll `condition` until it holds (its value); fail after CEILING_S."""
    deadline = time.monotonic() + CEILING_S
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"not within {CEILING_S} s: {what}")


def server_env(database_url: str) -> dict:
    """The embedded server's settings on the test database (jobs on its job thread)."""
    return {"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "JOBS_BACKGROUND": "1",
            "TICKS_IN_PROCESS": "0", "LOG_LEVEL": "WARNING"}


class Tally:
    """Statuses of every answer, and the bodies of the 5xx ones."""

    def __init__(self):
        self.lock, self.statuses, self.errors = threading.Lock(), collections.Counter(), []

    def add(self, what: str, answer: requests.Response) -> None:
        with self.lock:
            self.statuses[answer.status_code] += 1
            if answer.status_code >= 500:
                self.errors.append((what, answer.status_code, answer.text[:300]))


def _current_month() -> str:
    from patrol_api.rankings import months
    return months.current()


def test_fifty_readers_and_a_pushing_phone_get_no_5xx(ctx, database_url):
    headers = build()
    month = _current_month()
    db.session.remove()  # the test holds no transaction while the server works
    tally, pushed, done = Tally(), [], threading.Event()
    start = threading.Barrier(READERS + 1)

    def reader(url: str) -> None:
        session, rounds = requests.Session(), 0
        start.wait()
        while rounds == 0 or not done.is_set():  # every reader reads while the phone pushes
            for path, role, query in READS:
                params = {"month": month} if query == "month" else query
                tally.add(path, session.get(url + path, params=params, headers=headers[role],
                                            timeout=CEILING_S))
            rounds += 1

    def writer(url: str) -> None:
        session, outbox = requests.Session(), Outbox(seed=13)
        start.wait()
        try:
            for _ in range(PUSHES):
                batch = outbox.batch(BATCH)
                answer = session.post(f"{url}/api/v1/sync/push", data=push_body(batch),
                                      headers={**headers["phone"],
                                               "Content-Type": "application/json"},
                                      timeout=CEILING_S)
                tally.add("push", answer)
                if answer.status_code == 200:
                    pushed.extend(m["entity_id"] for m in batch)
        finally:
            done.set()

    with AppServer(server_env(database_url)) as server:
        threads = [threading.Thread(target=reader, args=(server.url,)) for _ in range(READERS)]
        threads.append(threading.Thread(target=writer, args=(server.url,)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert tally.errors == [], tally.errors[:5]
        assert set(tally.statuses) == {200}, tally.statuses
        assert sum(tally.statuses.values()) >= READERS * len(READS) + PUSHES
        assert len(pushed) == PUSHES * BATCH

        def intake_done():
            db.session.rollback()
            return db.session.execute(sa.select(sa.func.count()).select_from(Observation).where(
                Observation.client_id.in_(pushed), Observation.fate != "received")).scalar() \
                == len(pushed)
        wait_for(intake_done, "every pushed observation taken in by the intake job")
        db.session.rollback()
        findings = db.session.execute(sa.select(sa.func.count()).select_from(Finding)).scalar()
        db.session.remove()

        def ranked():
            answer = requests.get(f"{server.url}/api/v1/rankings/metrics",
                                  headers=headers["manager"], timeout=CEILING_S)
            assert answer.status_code == 200, answer.text[:300]
            roads = next(row for row in answer.json() if row["department_code"] == "roads")
            return roads["received"] == findings
        wait_for(ranked, f"the rankings counting the {findings} findings (refresh job)")
