"""Schedules: RRULE occurrences generated ahead, settled done or missed."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models.patrols import Schedule, ScheduleOccurrence
from patrol_api.patrols import inspections, runs, schedules

MONDAY = datetime(2026, 7, 6, 20, tzinfo=UTC)


def _schedule(**extra) -> Schedule:
    fields = {"code": "night-yeoui", "title_ko": "야간순찰", "title_en": "Night patrol",
              "target": "patrol", "patrol_kind": "night", "team": "N",
              "rrule": "FREQ=WEEKLY;BYDAY=MO,TH", "dtstart": MONDAY, "grace_hours": 6}
    made = Schedule(**{**fields, **extra})
    db.session.add(made)
    db.session.flush()
    return made


@pytest.mark.parametrize("text", ["FREQ=SOMETIMES", "FREQ=MINUTELY", "hello",
                                  "FREQ=DAILY;UNTIL=20260801T000000"])
def test_bad_rules_are_422_on_rrule(text):
    with pytest.raises(ApiError) as raised:
        schedules.parse(text, MONDAY)
    assert (raised.value.status, raised.value.field) == (422, "rrule")


def test_occurrences_are_generated_ahead_once(ctx):
    schedule = _schedule()
    assert schedules.generate(schedule, MONDAY + timedelta(days=1)) == 10  # Mon, Thu: 30 d
    assert schedules.generate(schedule, MONDAY + timedelta(days=1)) == 0
    assert schedules.generate(schedule, MONDAY + timedelta(days=8)) == 2


def test_until_stops_the_schedule(ctx):
    schedule = _schedule(until=MONDAY + timedelta(days=7))
    assert schedules.generate(schedule, MONDAY) == 3


def test_done_and_missed(ctx, make_user):
    schedule = _schedule()
    schedules.generate(schedule, MONDAY)
    officer = make_user()[0]
    run = runs.start(officer, str(uuid.uuid4()), {
        "kind": "night", "team": "N", "started_at": MONDAY + timedelta(hours=1)})
    assert schedules.settle(MONDAY + timedelta(hours=2)) == {"done": 1, "missed": 0}
    assert schedules.settle(MONDAY + timedelta(days=3, hours=7)) == {"done": 0, "missed": 1}
    first, second = db.session.query(ScheduleOccurrence).order_by("due_at").limit(2)
    assert (first.status, first.run_id, second.status) == ("done", run.id, "missed")
    assert schedules.missed(MONDAY) == [second]


def test_inspection_schedules_match_inspections_of_the_site(district, template, make_user):
    site = district.site("s1")
    schedule = _schedule(target="inspection", site_id=site.id, patrol_kind=None,
                         code="check-s1")
    schedules.generate(schedule, MONDAY)
    inspections.record(make_user()[0], str(uuid.uuid4()), template, site, {
        "answers": {"door": {"value": True}, "state": {"value": "good"},
                    "look": {"photos": ["a" * 64]}},
        "inspected_at": MONDAY + timedelta(hours=2)})
    assert schedules.settle(MONDAY + timedelta(days=3, hours=7)) == {"done": 1, "missed": 1}


def test_tick_job_commits(ctx):
    _schedule(dtstart=datetime.now(UTC) - timedelta(days=10))
    db.session.commit()
    result = schedules.tick_job()
    assert result["generated"] >= 10 and result["missed"] >= 1
