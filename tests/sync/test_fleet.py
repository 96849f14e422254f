"""A phone fleet over a flaky network: every write lands exactly once, every phone converges.

Three phones (two of one officer, one of another) record, edit and delete observations and
sync through a network that drops requests, drops responses after the server applied them,
duplicates requests, holds requests back and delivers them late (reordering), and a server
that crashes inside a request (its transaction dies), fails transiently (the database
refuses a statement or the commit: the client is told to retry) or restarts between
requests. Their outboxes also hold bad mutations (text no database stores, wrong JSON types,
bad envelopes) and their pushes junk items (null, numbers): each is refused alone, and
everything else still lands once.
"""
import contextlib
from dataclasses import dataclass, field
from unittest import mock

import sqlalchemy as sa
from baditems import BAD, BAD_TEXT, bad_update, build, takes_seq
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from syncapi import Phone, new_id, observations_of

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import AppliedMutation, Observation
from sync.ledger import Ledger

BATCH = 4  # mutations per push: long outboxes take several pushes
FAULTS = ("ok", "drop_request", "drop_response", "drop_response", "duplicate", "delay", "delay",
          "crash", "transient_commit", "transient_statement")  # weighted towards replays
ACTIONS = ("create", "create", "update", "update", "delete", "bad", "push", "push", "push",
           "pull", "deliver", "restart")


@dataclass
class Device:
    """A phone as the test sees it: its local truth, its outbox, its pulled view."""

    phone: Phone
    user_id: int
    device_id: int
    local: dict = field(default_factory=dict)  # client_id -> {"note", "deleted", "updates"}
    outbox: list = field(default_factory=list)
    pulled: list = field(default_factory=list)
    made: int = 0  # mutations generated (the ledger records each, bad ones too)
    expect: dict = field(default_factory=dict)  # mutation id -> None (good) or (code, field)
    junk: list = field(default_factory=list)  # non-mutations a buggy serializer adds


class Fleet:
    """Drives the devices through the actions drawn by hypothesis."""

    def __init__(self, devices: list[Device]):
        self.devices, self.delayed, self.counter = devices, [], 0

    def edit(self, device: Device, action: str, pick: int) -> None:
        """Record, change or delete an observation on the phone (offline)."""
        live = sorted(cid for cid, obs in device.local.items() if not obs["deleted"])
        if action == "create" or not live:
            self._create(device)
            return
        target = live[pick % len(live)]
        if action == "update":
            self.counter += 1
            note = f"{self.counter}번째 수정 — 보도 파손"
            device.local[target].update(note=note, updates=device.local[target]["updates"] + 1)
            self._queue(device, device.phone.update(target, note=note))
        else:
            device.local[target]["deleted"] = True
            self._queue(device, device.phone.delete(target))

    def _create(self, device: Device) -> None:
        """A new observation."""
        self.counter += 1
        entity, note = new_id(), f"{self.counter}번 관찰: 불법 주정차"
        device.local[entity] = {"note": note, "deleted": False, "updates": 0}
        self._queue(device, device.phone.create(entity, note=note))

    def spoil(self, device: Device, bad, text: str, pick: int) -> None:
        """A bad mutation in the outbox (the local change never happened), or junk."""
        live = sorted(cid for cid, obs in device.local.items() if not obs["deleted"])
        if live and pick % 3 == 0:
            mutation, error = bad_update(device.phone, live[pick % len(live)], text)
        else:
            mutation, error = build(device.phone, bad)
            if not takes_seq(bad):
                event("junk item in the push")
                device.junk.append(mutation)  # no readable id and seq: never recorded
                return
        event(f"bad mutation answered: {error[1]}")
        self._queue(device, mutation, error)

    def _queue(self, device: Device, mutation: dict, error: tuple | None = None) -> None:
        """Put a mutation in the outbox, with the answer it must get."""
        device.outbox.append(mutation)
        device.expect[mutation["id"]] = error
        device.made += 1

    def push(self, device: Device, fault: str, pick: int = 0) -> None:
        """Send the head of the outbox through the faulty network."""
        batch = list(device.outbox[:BATCH]) + device.junk
        if fault == "drop_request":
            return
        if fault == "delay":
            self.delayed.append((device, batch))
            return
        if fault == "crash":
            self._crash(device, batch)
            return
        if fault.startswith("transient"):
            self._transient(device, batch, fault == "transient_commit", pick)
            return
        response = device.phone.push(batch)
        if fault == "duplicate":
            response = device.phone.push(batch)
        assert response.status_code == 200, response.get_json()
        if fault != "drop_response":
            self._acknowledge(device, response.get_json())

    def _crash(self, device: Device, batch: list) -> None:
        """The server dies inside the request, after applying, before committing."""
        with mock.patch.object(Ledger, "close", side_effect=RuntimeError("power cut")):
            response = device.phone.push(batch)
        assert response.status_code == 500
        db.session.rollback()  # the dead process's transaction never commits

    def _transient(self, device: Device, batch: list, at_commit: bool, pick: int) -> None:
        """The database refuses the commit, or one statement of the push (the lock is
        busy, the connection went stale): the answer tells the client to retry, and nothing
        of the push is kept. A statement the push itself may roll back to a savepoint and
        go around (the fast path's fallback) can still give 200: then it counts as such."""
        before = _ledger_size(device.device_id)
        with _failing(None if at_commit else 4 + pick % 24):
            response = device.phone.push(batch)
        if response.status_code == 200 and not at_commit:
            event("transient fault absorbed by the push (fast path fallback)")
            self._acknowledge(device, response.get_json())
            return
        event("transient fault: 5xx, retried later")
        assert response.status_code in (500, 503), response.get_json()  # 5xx: retry later
        body = response.get_json()
        assert body["status"] == response.status_code and body["code"], body
        db.session.rollback()  # the failed request's transaction never commits
        assert _ledger_size(device.device_id) == before

    def _acknowledge(self, device: Device, answer: dict) -> None:
        """Check each answer against the item's class; prune what the server processed."""
        done = set()
        for result in answer["results"]:
            if result["id"] not in device.expect:  # junk: refused alone, never recorded
                assert (result["status"], result["error"]["code"]) == (
                    "rejected", "validation_error"), result
                continue
            error = device.expect[result["id"]]
            if error is None:
                assert result["status"] in ("applied", "already_applied"), result
                if result["status"] == "already_applied":
                    assert result["original"]["status"] == "applied", result
            elif result["status"] == "already_applied":
                assert result["original"]["status"] == "rejected", result
                assert (result["original"]["error"]["code"],
                        result["original"]["error"]["field"]) == error, result
            else:
                assert (result["status"], result["error"]["code"],
                        result["error"]["field"]) == ("rejected", *error), result
            done.add(result["id"])
        device.outbox = [m for m in device.outbox
                         if m["id"] not in done and m["seq"] > answer["acked_through"]]
        device.junk = []

    def pull(self, device: Device, fault: str) -> None:
        """Pull one page; a lost answer leaves the cursor where it was."""
        response = device.phone.pull(device.phone.cursor, limit=3)
        assert response.status_code == 200, response.get_json()
        if fault in ("drop_response", "crash"):
            return
        page = response.get_json()
        device.pulled += page["changes"]
        device.phone.cursor = page["next_cursor"]

    def deliver(self, pick: int) -> None:
        """A held-back request finally reaches the server; nobody waits for its answer."""
        if self.delayed:
            device, batch = self.delayed.pop(pick % len(self.delayed))
            assert device.phone.push(batch).status_code == 200

    def settle(self) -> None:
        """The network heals: late requests land, outboxes drain, every phone pulls."""
        while self.delayed:
            self.deliver(0)
        for device in self.devices:
            for _ in range(100):
                if not device.outbox:
                    break
                self.push(device, "ok")
            assert device.outbox == []
        for device in self.devices:
            device.pulled += device.phone.pull_all(limit=7)


@contextlib.contextmanager
def _failing(statement: int | None):
    """The database refuses the nth statement (None: the commit) of the next request, as
    SQLite does with "database is locked" and PostgreSQL with a stale pooled connection.
    A fault injected through SQLAlchemy's events; the database itself is real."""
    engine = db.engine
    refusal = engine.dialect.loaded_dbapi.OperationalError
    seen = [0]

    def on_statement(conn, cursor, text, parameters, context, executemany):
        seen[0] += 1
        if seen[0] == statement:
            raise refusal("database is locked (injected)")

    def on_commit(conn):
        raise refusal("database is locked (injected)")

    name, hook = ("commit", on_commit) if statement is None else (
        "before_cursor_execute", on_statement)
    sa.event.listen(engine, name, hook)
    try:
        yield
    finally:
        sa.event.remove(engine, name, hook)


def _ledger_size(device_id: int) -> int:
    """The device's ledger rows (read after the failed transaction is gone)."""
    db.session.rollback()
    return db.session.execute(sa.select(sa.func.count()).where(
        AppliedMutation.device_id == device_id)).scalar()


def _server_view(user_id: int) -> dict:
    """client_id -> (note, deleted, version) of a user's observations on the server."""
    rows = db.session.execute(sa.select(
        Observation.client_id, Observation.note, Observation.deleted_at,
        Observation.version).where(Observation.user_id == user_id)).all()
    assert len(rows) == len({row.client_id for row in rows})
    return {row.client_id: (row.note, row.deleted_at is not None, row.version) for row in rows}


def _check(fleet: Fleet) -> None:
    """Exactly the intended observations, once each; every phone's view equals the server's."""
    for user_id in {device.user_id for device in fleet.devices}:
        mine = [device for device in fleet.devices if device.user_id == user_id]
        intended = {cid: obs for device in mine for cid, obs in device.local.items()}
        server = _server_view(user_id)
        assert set(server) == set(intended)
        for cid, obs in intended.items():
            expected_version = 1 + obs["updates"] + obs["deleted"]
            assert server[cid] == (obs["note"], obs["deleted"], expected_version)
        for device in mine:
            view = observations_of(device.pulled)
            assert set(view) == set(server)
            for cid, (note, deleted, version) in server.items():
                got = view[cid]
                assert got is None if deleted else (got["note"], got["version"]) == (
                    note, version), (cid, got, server[cid])
    for device in fleet.devices:
        ledger = db.session.execute(sa.select(sa.func.count()).where(
            AppliedMutation.device_id == device.device_id)).scalar()
        assert ledger == device.made


STEPS = st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 2), st.integers(0, 99),
                           st.sampled_from(FAULTS), BAD, BAD_TEXT), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS)
def test_a_fleet_over_a_flaky_network_converges_with_every_write_once(
        world, make_user, phone_of, steps):
    officers = [make_user(Role.PATROL_OFFICER)[0], make_user(Role.CITIZEN_AUDITOR)[0]]
    phones = [phone_of(officers[0]), phone_of(officers[0]), phone_of(officers[1])]
    fleet = Fleet([Device(p, p.user.id, p.device.id) for p in phones])
    with mock.patch("sync.push.intake.schedule_many"):  # the findings intake bumps versions
        _run(fleet, steps)
    _check(fleet)


def _run(fleet: Fleet, steps: list) -> None:
    """Play the drawn steps, then heal the network."""
    for action, index, pick, fault, bad, text in steps:
        device = fleet.devices[index]
        if action in ("create", "update", "delete"):
            fleet.edit(device, action, pick)
        elif action == "bad":
            fleet.spoil(device, bad, text, pick)
        elif action == "push":
            fleet.push(device, fault, pick)
        elif action == "pull":
            fleet.pull(device, fault)
        elif action == "deliver":
            fleet.deliver(pick)
        else:
            db.session.remove()  # a restart between requests: nothing lives in memory
    fleet.settle()
