"""PostgreSQL restarts under a server at work: while it is down requests answer 503 with
Retry-After (never 500); once it is back every request is served again without restarting
the API (the pool pre-pings its connections, so an idle pooled connection the restart killed
is replaced, not used); a phone retrying its 503 pushes ends with each item stored once."""
import threading

import pytest
import requests
import sqlalchemy as sa
from flask_migrate import upgrade
from loadworld import Outbox, build, push_body
from test_concurrent_load import CEILING_S, READS, server_env, wait_for
from test_errors import BASE_KEYS

from devtools.servers import AppServer, PostgresServer
from patrol_api.extensions import db
from patrol_api.models import Finding, Observation
from patrol_api.rankings import months
from tests.conftest import BACKEND, make_app

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(BACKEND != "postgresql", reason="restarts a PostgreSQL server"),
]
READERS, PUSHES_AFTER = 4, 3


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test alone (the suite's keeps running), migrated, with the
    district; yields (server, headers by role)."""
    with PostgresServer() as server:
        app = make_app(server.url)
        with app.app_context():
            upgrade(revision="heads")
            headers = build()
            db.session.remove()
            db.engine.dispose()
        yield server, headers


def jobs_settled(url: str, client: "Client") -> bool:
    """Whether the server's job thread is idle: the pushed observations are taken in and the
    ranking facts count their findings (a job still running would meet the restart and
    replace the dead connections itself, hiding whether the pool checks them)."""
    app = make_app(url)
    with app.app_context():
        waiting = db.session.execute(sa.select(sa.func.count()).select_from(Observation).where(
            Observation.client_id.in_(client.pushed), Observation.fate == "received")).scalar()
        findings = db.session.execute(sa.select(sa.func.count()).select_from(Finding)).scalar()
        db.session.remove()
        db.engine.dispose()
    if waiting:
        return False
    rows = requests.get(f"{client.url}/api/v1/rankings/metrics",
                        headers=client.headers["manager"], timeout=CEILING_S).json()
    return next(r for r in rows if r["department_code"] == "roads")["received"] == findings


class Client:
    """The test's clients: readers and a phone, every answer logged with its phase."""

    def __init__(self, url: str, headers: dict):
        self.url, self.headers, self.month = url, headers, months.current()
        self.lock, self.answers, self.phase = threading.Lock(), [], "start"
        self.outbox, self.pushed = Outbox(seed=5), []

    def send(self, session, method: str, path: str, **kwargs) -> requests.Response:
        phase = self.phase  # the phase the request started in
        answer = session.request(method, self.url + path, timeout=CEILING_S, **kwargs)
        with self.lock:
            self.answers.append((phase, path, answer))
        return answer

    def read_round(self, session) -> None:
        for path, role, query in READS:
            self.send(session, "GET", path, headers=self.headers[role],
                      params={"month": self.month} if query == "month" else query)

    def push(self, session) -> None:
        """Push a batch, retrying it while the answer is 503 (what the phone does)."""
        batch = self.outbox.batch(3)
        headers = {**self.headers["phone"], "Content-Type": "application/json"}
        while self.send(session, "POST", "/api/v1/sync/push", data=push_body(batch),
                        headers=headers).status_code == 503:
            pass
        self.pushed.extend(m["entity_id"] for m in batch)

    def in_parallel(self, work, count: int = READERS) -> None:
        threads = [threading.Thread(target=work, args=(requests.Session(),))
                   for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def statuses(self, phase: str) -> set[int]:
        return {answer.status_code for p, _, answer in self.answers if p == phase}


def test_a_postgres_restart_gives_503s_with_retry_after_then_200s(own_postgres):
    pg, headers = own_postgres
    with AppServer(server_env(pg.url), threads=4) as server:
        client = Client(server.url, headers)
        client.in_parallel(client.read_round)  # the pool holds several connections now
        client.push(requests.Session())
        wait_for(lambda: jobs_settled(pg.url, client), "the push's jobs done")
        client.phase = "after quiet restart"  # nothing in flight: idle connections die
        pg.restart()
        client.in_parallel(client.read_round)
        client.push(requests.Session())

        client.phase, done = "during busy restart", threading.Event()

        def keep_reading(session) -> None:
            while not done.is_set():
                client.read_round(session)
        readers = [threading.Thread(target=keep_reading, args=(requests.Session(),))
                   for _ in range(READERS)]
        for thread in readers:
            thread.start()
        try:
            wait_for(lambda: len(client.answers) > 50, "load under way")
            pg.restart()
            client.phase = "after busy restart"
            for _ in range(PUSHES_AFTER):
                client.push(requests.Session())
            wait_for(lambda: sum(1 for p, *_ in client.answers if p == client.phase)
                     >= 2 * READERS * len(READS), "reads after the restart")
        finally:
            done.set()
            for thread in readers:
                thread.join()
        server_log = server.log_path.read_text(errors="replace")  # gone once it stops

    unexpected = [(p, path, a.status_code, a.text[:200]) for p, path, a in client.answers
                  if a.status_code not in (200, 503)]
    assert unexpected == [], server_log[server_log.find("Traceback"):][:8000]
    for phase in ("start", "after quiet restart", "after busy restart"):
        assert client.statuses(phase) == {200}, phase
    for *_, answer in client.answers:
        if answer.status_code == 503:  # in flight while the database was down
            assert int(answer.headers["Retry-After"]) >= 1
            body = answer.json()
            assert set(body) == BASE_KEYS and body["status"] == 503 and body["field"] is None
            assert body["code"] in ("service_unavailable", "database_busy")
    app = make_app(pg.url)
    with app.app_context():
        stored = db.session.execute(sa.select(Observation.client_id).where(
            Observation.client_id.in_(client.pushed))).scalars().all()
        db.engine.dispose()
    assert sorted(stored) == sorted(client.pushed)  # each pushed item once, none lost by a 503
