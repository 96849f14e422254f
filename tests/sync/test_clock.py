"""Clocks as data: offsets measured per push, corrected times, flags instead of refusals."""
from datetime import timedelta

import sqlalchemy as sa
from syncapi import iso, now

from patrol_api.extensions import db
from patrol_api.models import ClockSample, Observation


def _observation(client_id: str) -> Observation:
    return db.session.execute(sa.select(Observation).where(
        Observation.client_id == client_id)).scalar_one()


def test_offset_is_sampled_and_the_recorded_time_corrected(world, officer, phone_of):
    slow = phone_of(officer, skew=timedelta(minutes=10))  # the phone clock is 10 min behind
    taken = slow.device_now() - timedelta(seconds=60)
    create = slow.create(recorded_at=iso(taken))
    record = slow.one(create)["record"]
    sample = db.session.execute(sa.select(ClockSample)).scalar_one()
    assert sample.device_id == slow.device.id
    assert timedelta(minutes=10) <= timedelta(milliseconds=sample.offset_ms) < timedelta(
        minutes=10, seconds=5)
    obs = _observation(create["entity_id"])
    assert obs.recorded_at_device == taken
    assert obs.clock_offset_ms == sample.offset_ms
    assert obs.recorded_at == taken + timedelta(milliseconds=sample.offset_ms)
    assert record["time_flags"] == ["large_clock_offset"]
    assert record["recorded_at_device"] == taken.isoformat()


def test_times_with_an_offset_zone_are_stored_as_the_same_instant(phone):
    seoul = now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul"))
    create = phone.create(recorded_at=seoul.isoformat())
    phone.one(create)
    assert _observation(create["entity_id"]).recorded_at_device == seoul


def test_impossible_times_are_flagged_not_refused(phone):
    future = phone.create(recorded_at=iso(phone.device_now() + timedelta(hours=2)))
    early = phone.create(recorded_at=iso(phone.device.registered_at - timedelta(days=3)))
    fine = phone.create(recorded_at=iso(phone.device_now() + timedelta(seconds=30)))
    results = phone.pushed([future, early, fine])["results"]
    assert [r["status"] for r in results] == ["applied"] * 3
    assert [r["record"]["time_flags"] for r in results] == [
        ["future"], ["before_device_registered"], []]


def test_every_push_samples_the_clock(phone):
    for minutes in (0, 1, 2):
        phone.pushed([], device_time=iso(phone.device_now() - timedelta(minutes=minutes)))
    offsets = db.session.execute(sa.select(ClockSample.offset_ms).order_by(
        ClockSample.id)).scalars().all()
    assert len(offsets) == 3 and offsets[0] < offsets[1] < offsets[2]
