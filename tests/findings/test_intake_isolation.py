"""One observation the intake cannot take in never stops the others: it is parked, with its
error, skipped by the sweep, listed for admins and retried by them. Incomplete observations
(photos still to come) are not taken in until their photos verify (guarantee 6)."""
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import intake
from patrol_api.models import Finding, Observation, ParkedIntake
from tests.findings.conftest import SPOT, offset

# what the push stored before the door checked the range (year 9999, +14:00 → UTC)
POISON = datetime(9999, 12, 31, 9, 59, 59, tzinfo=UTC)


def poisoned(observe):
    """An observation stored with a time the intake cannot process (bypassing the door)."""
    obs = observe(point=offset(SPOT, 300))
    obs.recorded_at = obs.recorded_at_device = POISON
    db.session.commit()
    return obs


def parked() -> dict[int, ParkedIntake]:
    db.session.expire_all()
    return {row.observation_id: row for row in db.session.execute(
        sa.select(ParkedIntake)).scalars()}


def finding_of(obs) -> int | None:
    db.session.expire_all()
    return db.session.get(Observation, obs.id).finding_id


def test_a_poison_row_is_parked_and_the_rest_of_the_push_becomes_findings(observe):
    first, bad, last = observe(), poisoned(observe), observe(point=offset(SPOT, 600))
    assert intake.process_observations([first.id, bad.id, last.id]) == 2
    assert finding_of(first) and finding_of(last) and finding_of(bad) is None
    [row] = parked().values()
    assert row.observation_id == bad.id and row.attempts == 1
    assert row.error.startswith("OverflowError")
    assert db.session.get(Observation, bad.id).fate == "received"


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(poison=st.lists(st.booleans(), min_size=1, max_size=6),
       bearings=st.lists(st.integers(0, 359), min_size=6, max_size=6))
def test_any_mix_of_poison_rows_parks_exactly_those(observe, poison, bearings):
    made = [poisoned(observe) if bad else observe(point=offset(SPOT, 40 * i, bearings[i]))
            for i, bad in enumerate(poison)]
    ids = [obs.id for obs in made]
    assert intake.process_observations(ids) == poison.count(False)
    intake.process_pending()  # the sweep after it: never fails, retries nothing
    now_parked = parked()
    assert {i for i in ids if i in now_parked} == {
        obs.id for obs, bad in zip(made, poison, strict=True) if bad}
    assert all(now_parked[i].attempts == 1 for i in ids if i in now_parked)
    assert all(finding_of(obs) for obs, bad in zip(made, poison, strict=True) if not bad)


def test_the_sweep_goes_past_a_parked_row_and_does_not_retry_it(observe):
    bad = poisoned(observe)
    intake.process_observations([bad.id])
    later = [observe(point=offset(SPOT, 100 * i)) for i in range(3)]
    for _minute in range(3):  # the sweep every minute: it never fails, never re-tries
        intake.process_pending()
    assert all(finding_of(obs) for obs in later)
    assert parked()[bad.id].attempts == 1
    assert intake.process_observations([bad.id]) == 0  # a retried push job skips it too
    assert parked()[bad.id].attempts == 1


def test_the_sweep_parks_a_poison_row_it_meets_and_carries_on(observe):
    bad, good = poisoned(observe), observe()
    assert intake.process_pending() == 1
    assert finding_of(good) and set(parked()) == {bad.id}


def test_an_unexpected_error_of_the_engine_parks_too(observe, monkeypatch):
    first, broken, last = observe(), observe(point=offset(SPOT, 300)), observe(
        point=offset(SPOT, 600))
    real = intake.take_in

    def failing(obs):
        if obs.id == broken.id:
            raise RuntimeError("routing table unreadable")
        return real(obs)

    monkeypatch.setattr(intake, "take_in", failing)
    assert intake.process_observations([first.id, broken.id, last.id]) == 2
    assert parked()[broken.id].error == "RuntimeError: routing table unreadable"
    assert db.session.execute(sa.select(sa.func.count(Finding.id))).scalar() == 2


def test_a_passing_database_fault_is_not_parked_but_raised_for_a_retry(observe, monkeypatch):
    obs = observe()

    def locked(_obs):
        raise sa.exc.OperationalError("UPDATE finding", {}, Exception("database is locked"))

    monkeypatch.setattr(intake, "take_in", locked)
    with pytest.raises(sa.exc.OperationalError):
        intake.process_observations([obs.id])
    assert parked() == {}
    monkeypatch.undo()
    assert intake.process_pending() == 1  # what the failed job left, the sweep takes in


def test_admins_list_and_retry_parked_rows(client, observe, make_user):
    bad, _good = poisoned(observe), observe()
    intake.process_pending()
    admin = make_user(Role.ADMIN)[1]
    listing = client.get("/api/v1/intake/parked", headers=admin)
    assert listing.status_code == 200
    [row] = listing.get_json()
    assert (row["observation_id"], row["client_id"], row["attempts"]) == (
        bad.id, bad.client_id, 1)
    assert row["error"].startswith("OverflowError")
    again = client.post(f"/api/v1/intake/parked/{bad.id}/retry", headers=admin)
    assert again.status_code == 200
    assert again.get_json() | {"error": None} == {
        "observation_id": bad.id, "finding_id": None, "parked": True, "attempts": 2,
        "error": None}
    stored = db.session.get(Observation, bad.id)  # the cause fixed (e.g. a data correction)
    stored.recorded_at = stored.received_at
    db.session.commit()
    fixed = client.post(f"/api/v1/intake/parked/{bad.id}/retry", headers=admin).get_json()
    assert fixed["parked"] is False and fixed["finding_id"] == finding_of(bad)
    assert client.get("/api/v1/intake/parked", headers=admin).get_json() == []
    missing = client.post(f"/api/v1/intake/parked/{bad.id}/retry", headers=admin)
    assert missing.status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_admins_see_or_retry_parked_rows(client, observe, make_user, role):
    bad = poisoned(observe)
    intake.process_pending()
    headers = make_user(role)[1]
    assert client.get("/api/v1/intake/parked", headers=headers).status_code == 403
    retry = client.post(f"/api/v1/intake/parked/{bad.id}/retry", headers=headers)
    assert retry.status_code == 403
    assert client.get("/api/v1/intake/parked").status_code == 401
    assert parked()[bad.id].attempts == 1


def test_an_observation_awaiting_photos_is_not_taken_in(observe):
    obs = observe()
    obs.fate, obs.complete, obs.photos_expected = "awaiting_photos", False, 1
    db.session.commit()
    assert intake.process_observation(obs.id) is None
    assert intake.process_observations([obs.id]) == 0
    assert intake.process_pending() == 0
    assert finding_of(obs) is None and parked() == {}
