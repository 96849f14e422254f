"""Concurrent writers on PostgreSQL: a reader pulling all along never misses a committed change."""
import threading

import pytest
from syncapi import Phone, observations_of

from patrol_api.auth.roles import Role
from tests.conftest import BACKEND

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite has one writer at a time: "
                       "commits cannot land out of order there, nothing to race"),
]

PUSHES, BATCH, RENAMES = 12, 4, 15


def _run_all(targets) -> list[BaseException]:
    """Run the functions in threads together; the exceptions they raised."""
    errors = []

    def guard(target):
        try:
            target()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
    threads = [threading.Thread(target=guard, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_a_reader_pulling_during_concurrent_pushes_misses_nothing(
        app, world, make_user, phone_of, admin):
    officer, web_headers = make_user(Role.PATROL_OFFICER)
    phones = [phone_of(officer), phone_of(officer)]
    writers = [Phone(app.test_client(), p.headers) for p in phones]
    reader = Phone(app.test_client(), web_headers)  # a web token may pull
    site_id = world["drain-1"]["id"]
    pushed, seen, done = [], [], threading.Event()

    def write(phone):
        for _ in range(PUSHES):
            batch = [phone.create() for _ in range(BATCH)]
            phone.pushed(batch)
            pushed.extend(m["entity_id"] for m in batch)

    def rename():
        client = app.test_client()
        for number in range(RENAMES):
            response = client.patch(f"/api/v1/sites/{site_id}", headers=admin,
                                    json={"name_ko": f"여의도 빗물받이 {number}호"})
            assert response.status_code == 200, response.get_json()

    def read():
        while not done.is_set():
            seen.extend(reader.pull_all(limit=3))

    writing = [lambda p=p: write(p) for p in writers] + [rename]
    reading = threading.Thread(target=read)
    reading.start()
    errors = _run_all(writing)
    done.set()
    reading.join(timeout=120)
    assert errors == []
    seen.extend(reader.pull_all(limit=3))
    assert len(pushed) == 2 * PUSHES * BATCH
    assert set(observations_of(seen)) == set(pushed)
    sites = [c["record"] for c in seen if c["kind"] == "sites" and c["id"] == site_id]
    assert sites[-1]["name_ko"] == f"여의도 빗물받이 {RENAMES - 1}호"
    seqs = [c["seq"] for c in seen]
    assert seqs == sorted(seqs)
