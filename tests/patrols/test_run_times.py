"""Run times from phones: device times kept, corrected by the push's clock, doubtful ones
flagged; members as rows, durations and the dong of the first GPS point."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models.patrols import PatrolRunMember
from patrol_api.patrols import runs
from sync.clock import Clock

SERVER = datetime(2026, 7, 1, 12, tzinfo=UTC)
REGISTERED = datetime(2026, 6, 1, tzinfo=UTC)


def clock(device_behind: timedelta) -> Clock:
    """The clock reading of a push from a phone whose clock is `device_behind` the server."""
    return Clock(server_time=SERVER, device_time=SERVER - device_behind,
                 registered_at=REGISTERED, tolerance=timedelta(minutes=5),
                 large_offset=timedelta(hours=1))


@pytest.fixture
def people(make_user):
    return {"leader": make_user(Role.PATROL_OFFICER)[0],
            "officer": make_user(Role.PATROL_OFFICER)[0],
            "auditor": make_user(Role.CITIZEN_AUDITOR)[0]}


def _start(leader, started_at, push_clock, **extra):
    made = runs.start(leader, str(uuid.uuid4()), {"kind": "night", "started_at": started_at,
                                                  **extra}, push_clock)
    db.session.commit()
    return made


def test_start_and_end_keep_device_times_and_offsets(people):
    device_start = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    run = _start(people["leader"], device_start, clock(timedelta(minutes=10)))
    assert run.started_at_device == device_start
    assert run.start_clock_offset_ms == 600_000
    assert run.started_at == device_start + timedelta(minutes=10)
    device_end = datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    runs.end(run, device_end, clock(timedelta(minutes=-2)))  # later push, clock now ahead
    assert (run.ended_at_device, run.end_clock_offset_ms) == (device_end, -120_000)
    assert run.ended_at == device_end - timedelta(minutes=2)
    assert run.duration_s == 2 * 3600 - 12 * 60
    assert run.time_flags == []


def test_impossible_times_are_flagged_not_dropped(people):
    far_future = SERVER + timedelta(days=2)
    run = _start(people["leader"], far_future, clock(timedelta(0)))
    assert run.time_flags == ["started_at:future"]
    early = _start(people["leader"], datetime(2026, 5, 1, tzinfo=UTC),
                   clock(timedelta(hours=3)))
    assert early.time_flags == ["started_at:before_device_registered",
                                "started_at:large_clock_offset"]


def test_track_points_keep_device_time_and_are_ordered_by_corrected_time(people):
    start = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    run = _start(people["leader"], start, clock(timedelta(0)))
    t0 = int(start.timestamp())
    runs.append_track(run, [[37.52, 126.92, t0 + 60]], clock(timedelta(seconds=30)))
    runs.append_track(run, [[37.53, 126.92, t0 + 120], [37.52, 126.92, t0 + 60]],
                      clock(timedelta(seconds=-30)))
    # the repeat of t0+60 (same device time) replaced the first copy, not added a second
    assert run.track == [[37.52, 126.92, t0 + 30, t0 + 60], [37.53, 126.92, t0 + 90, t0 + 120]]
    runs.append_track(run, [[37.50, 126.92, t0 - 3600]], clock(timedelta(0)))
    assert "track:before_start" in run.time_flags
    runs.append_track(run, [[37.50, 126.92, int((SERVER + timedelta(hours=1)).timestamp())]],
                      clock(timedelta(0)))
    assert "track:future" in run.time_flags


def test_members_follow_the_run_lists(people):
    leader, officer, auditor = people["leader"], people["officer"], people["auditor"]
    run = _start(leader, SERVER, None, participant_user_ids=[officer.id],
                 auditor_user_ids=[auditor.id])

    def members():
        return dict(db.session.execute(sa.select(PatrolRunMember.user_id, PatrolRunMember.role)
                                       .where(PatrolRunMember.run_id == run.id)).all())
    assert members() == {leader.id: "leader", officer.id: "officer", auditor.id: "auditor"}
    runs.update(run, {"participant_user_ids": [], "auditor_user_ids": [auditor.id, leader.id]})
    db.session.commit()
    assert members() == {leader.id: "leader", auditor.id: "auditor"}


def test_auto_close_sets_the_duration(people):
    run = _start(people["leader"], SERVER, None)
    runs.append_track(run, [[37.52, 126.92, int((SERVER + timedelta(hours=2)).timestamp())]])
    assert runs.auto_close(SERVER + timedelta(hours=13)) == 1
    assert (run.ended_at, run.duration_s) == (SERVER + timedelta(hours=2), 7200)


def test_run_is_placed_in_the_dong_of_its_first_point(district, people):
    run = _start(people["leader"], SERVER, None)
    t = int(SERVER.timestamp())
    runs.append_track(run, [[37.52, 126.955, t + 60]])  # inside dangsan
    assert run.area_id == district.areas["dangsan"].id
    runs.append_track(run, [[37.52, 126.92, t + 10]])  # an earlier point, inside yeoui
    assert run.area_id == district.areas["yeoui"].id


def test_a_phone_with_a_slow_clock_pushes_a_run(client, make_user):
    from patrol_api.auth import devices, tokens
    from patrol_api.models.patrols import PatrolRun
    from tests.sync.syncapi import Phone, iso, new_id

    user, _ = make_user(Role.PATROL_OFFICER)
    device = devices.register(user, {"client_uid": "slow-phone"})
    db.session.flush()
    device.registered_at -= timedelta(days=30)
    raw = tokens.issue(user, device, timedelta(days=1))
    db.session.commit()
    phone = Phone(client, {"Authorization": f"Bearer {raw}"}, clock_skew=timedelta(minutes=7))
    started = phone.device_now() - timedelta(hours=1)
    run_id = new_id()
    results = phone.pushed([
        phone.mutation("patrol_run.start", run_id, {"kind": "routine",
                                                   "started_at": iso(started)}),
        phone.mutation("track.append", run_id, {"points": [
            [37.52, 126.92, int(started.timestamp()) + 60]]}),
        phone.mutation("patrol_run.end", run_id,
                       {"ended_at": iso(started + timedelta(minutes=50))})])["results"]
    assert [r["status"] for r in results] == ["applied"] * 3
    record = results[-1]["record"]
    run = db.session.execute(sa.select(PatrolRun).where(PatrolRun.client_id == run_id)).scalar()
    offset = run.start_clock_offset_ms
    assert abs(offset - 7 * 60_000) < 5_000  # measured at the push, not configured
    assert run.started_at_device == started
    assert run.started_at == started + timedelta(milliseconds=offset)
    assert run.track[0][3] == int(started.timestamp()) + 60
    assert run.track[0][2] == run.track[0][3] + round(offset / 1000)
    # 7 minutes is beyond SYNC_LARGE_OFFSET_S (300 s): every time of that push is flagged
    assert (record["duration_s"], record["time_flags"]) == (50 * 60, [
        "started_at:large_clock_offset", "track:large_clock_offset",
        "ended_at:large_clock_offset"])
    assert record["started_at_device"].startswith(started.isoformat()[:19])


def test_checks_and_inspections_keep_device_times(client, make_user, district, template):
    from patrol_api.models.patrols import Inspection, SiteCheck
    from tests.patrols.reporting import phone_of
    from tests.sync.syncapi import iso, new_id, now

    district.site("s1")
    user, _ = make_user(Role.PATROL_OFFICER)
    phone = phone_of(client, user)
    phone.skew = timedelta(minutes=-3)  # the phone clock is 3 minutes ahead
    checked, future = now() - timedelta(hours=1), now() + timedelta(days=1)
    answers = {"door": {"value": True}, "state": {"value": "good"},
               "look": {"photos": ["a" * 64]}}
    results = phone.pushed([
        phone.mutation("site_check.record", new_id(), {
            "site_code": "s1", "result": "ok", "checked_at": iso(checked)}),
        phone.mutation("inspection.submit", new_id(), {
            "template_id": template.id, "site_code": "s1", "inspected_at": iso(future),
            "answers": answers})])["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    check = db.session.execute(sa.select(SiteCheck)).scalar_one()
    inspection = db.session.execute(sa.select(Inspection)).scalar_one()
    assert abs(check.clock_offset_ms + 3 * 60_000) < 5_000
    assert check.checked_at_device == checked
    assert check.checked_at == checked + timedelta(milliseconds=check.clock_offset_ms)
    assert check.time_flags == []  # 3 minutes is within SYNC_LARGE_OFFSET_S
    assert inspection.inspected_at_device == future
    assert inspection.time_flags == ["future"]


def test_points_beyond_year_9999_are_flagged_not_a_crash(people):
    run = _start(people["leader"], SERVER, None)
    runs.append_track(run, [[37.52, 126.92, 2**40]], clock(timedelta(0)))
    assert "track:future" in run.time_flags
    tick = SERVER + timedelta(hours=13)
    assert runs.auto_close(tick) == 1
    assert (run.ended_at, run.duration_s, run.auto_closed) == (tick, 13 * 3600, True)


def test_a_run_spanning_millennia_is_stored(people):
    run = _start(people["leader"], datetime(1, 1, 1, tzinfo=UTC), clock(timedelta(0)))
    runs.end(run, datetime(9999, 1, 1, tzinfo=UTC), clock(timedelta(0)))
    db.session.commit()
    assert run.duration_s > 2**31
    assert {"started_at:before_device_registered", "ended_at:future"} <= set(run.time_flags)
