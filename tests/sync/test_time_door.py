"""Times at the door: a time nothing can process (year 1, year 9999, anything outside
[1970-01-01, 2100-01-01) UTC) is refused as one bad item; every accepted time, however
wrong the phone clock, is corrected and taken in by the findings intake (no row parked)."""
from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol_api.extensions import db
from patrol_api.models import Observation, ParkedIntake
from tests.sync.syncapi import new_id

EPOCH = datetime(1970, 1, 1)
FIRST, END = 0, int((datetime(2100, 1, 1) - EPOCH).total_seconds())  # accepted: [FIRST, END)
OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
NEAR_EDGES = st.datetimes(min_value=datetime(1969, 12, 30), max_value=datetime(1970, 1, 2)) \
    | st.datetimes(min_value=datetime(2099, 12, 30), max_value=datetime(2100, 1, 2))
TIMES = st.tuples(st.datetimes() | NEAR_EDGES | st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30)), OFFSETS)


def text(moment: tuple) -> str:
    """ISO 8601 with the offset, as a phone sends it."""
    naive, zone = moment
    return naive.replace(tzinfo=zone).isoformat()


def accepted(moment: tuple) -> bool:
    """In the range, computed without datetime arithmetic that could overflow."""
    naive, zone = moment
    utc_seconds = (naive - EPOCH).total_seconds() - zone.utcoffset(None).total_seconds()
    return FIRST <= utc_seconds < END


SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=SLOW)
@given(recorded=TIMES, device=TIMES)
def test_times_are_refused_at_the_door_or_taken_in(phone, recorded, device):
    good, odd = phone.create(), phone.create(recorded_at=text(recorded))
    response = phone.push([good, odd, phone.create()], device_time=text(device))
    if not accepted(device):
        assert response.status_code == 422
        assert response.get_json()["field"] == "device_time"
        return
    assert response.status_code == 200, response.get_json()
    statuses = [result["status"] for result in response.get_json()["results"]]
    if accepted(recorded):
        assert statuses == ["applied"] * 3
    else:
        assert statuses == ["applied", "rejected", "applied"]
        error = response.get_json()["results"][1]["error"]
        assert (error["code"], error["field"]) == ("validation_error", "data.recorded_at")
    db.session.expire_all()
    untaken = db.session.execute(sa.select(Observation.id).where(
        Observation.finding_id.is_(None))).scalars().all()
    assert untaken == []  # the intake took every accepted observation in
    assert db.session.execute(sa.select(ParkedIntake)).first() is None


def test_a_reset_phone_clock_is_data_not_a_refusal(phone):
    """A phone whose clock fell back to 1970 keeps its observation: the push's offset
    corrects it onto the server clock."""
    reset = datetime(1970, 1, 1, 0, 5, tzinfo=UTC)
    result = phone.pushed([phone.create(recorded_at=(reset - timedelta(minutes=3)).isoformat())],
                          device_time=reset.isoformat())["results"][0]
    assert result["status"] == "applied"
    record = result["record"]
    assert record["recorded_at_device"].startswith("1970-01-01T00:02")
    assert "large_clock_offset" in record["time_flags"]
    assert abs(datetime.fromisoformat(record["recorded_at"]) - datetime.now(UTC)) < timedelta(
        hours=1)


def test_patrol_mutation_times_share_the_door(phone):
    run_id = new_id()
    refused = phone.one(phone.mutation("patrol_run.start", run_id, {
        "kind": "night", "started_at": "9999-12-31T23:59:59+14:00"}))
    assert (refused["status"], refused["error"]["field"]) == ("rejected", "data.started_at")
    started = phone.one(phone.mutation("patrol_run.start", run_id, {
        "kind": "night", "started_at": datetime.now(UTC).isoformat()}))
    assert started["status"] == "applied", started
    far_track = phone.one(phone.mutation("track.append", run_id, {
        "points": [[37.525, 126.925, 2**40]]}))  # year 36812
    assert (far_track["status"], far_track["error"]["code"]) == ("rejected", "validation_error")
