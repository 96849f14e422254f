"""Schedule expansions are bounded (window, steps, rows) and far-past or far-future dates
already stored (from before the range check at the door) no longer stop the jobs."""
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from database_reset import empty_database
from dateutil import rrule
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models.patrols import Schedule, ScheduleOccurrence
from patrol_api.patrols import schedules, warranty
from patrol_api.patrols.settings import DEFAULTS
from tests.patrols.conftest import District

NOW = datetime(2026, 7, 6, 20, tzinfo=UTC)
AHEAD = timedelta(days=DEFAULTS["PATROL_SCHEDULE_AHEAD_DAYS"])
RULES = st.sampled_from(["FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=WEEKLY;BYDAY=MO,TH",
                         "FREQ=MONTHLY;BYDAY=1WE", "FREQ=YEARLY", "FREQ=DAILY;COUNT=40",
                         "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"])
FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _schedule(code="s", **extra) -> Schedule:
    fields = {"code": code, "title_ko": "순찰", "title_en": "Patrol", "target": "patrol",
              "patrol_kind": "night", "rrule": "FREQ=DAILY", "dtstart": NOW,
              "grace_hours": 6}
    made = Schedule(**{**fields, **extra})
    db.session.add(made)
    db.session.flush()
    return made


def _occurrences(schedule: Schedule) -> list[datetime]:
    return sorted(db.session.execute(db.select(ScheduleOccurrence.due_at).where(
        ScheduleOccurrence.schedule_id == schedule.id)).scalars())


@FUZZ
@given(rule=RULES, start=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(
    2100, 12, 31), timezones=st.just(UTC)))
@example(rule="FREQ=DAILY", start=datetime(1026, 3, 1, 9, tzinfo=UTC))
@example(rule="FREQ=DAILY", start=datetime(2000, 1, 1, tzinfo=UTC))
def test_an_expansion_makes_only_the_window_and_at_most_the_bound(ctx, rule, start):
    try:
        schedule = _schedule(rrule=rule, dtstart=start)
        made = schedules.generate(schedule, NOW)
        due = _occurrences(schedule)
        assert made == len(due) <= schedules.MAX_OCCURRENCES
        window = (max(start, NOW - schedules.LOOKBACK), NOW + AHEAD)
        assert all(window[0] <= t <= window[1] for t in due)
        walked = list(rrule.rrulestr(rule, dtstart=start).xafter(start, schedules.MAX_STEPS,
                                                                 inc=True))
        expected = [t for t in walked if window[0] <= t <= window[1]]
        assert due == expected  # every occurrence the bounded walk reaches, no other
    finally:
        db.session.rollback()
        empty_database()


def test_a_schedule_from_the_year_1026_makes_nothing_and_says_so(ctx, caplog):
    schedule = _schedule(dtstart=datetime(1026, 3, 1, tzinfo=UTC))
    with caplog.at_level(logging.WARNING, "patrol_api.patrols.schedules"):
        assert schedules.generate(schedule, NOW) == 0
    assert "stopped at its bound" in caplog.text


@pytest.mark.parametrize("text", ["FREQ=DAILY;BYHOUR=8,20", "FREQ=WEEKLY;BYMINUTE=0,30",
                                  "FREQ=DAILY;BYSECOND=1,2,3", "FREQ=HOURLY"])
def test_more_than_one_occurrence_a_day_is_refused(text):
    with pytest.raises(ApiError) as raised:
        schedules.parse(text, NOW)
    assert (raised.value.status, raised.value.field) == (422, "rrule")


def test_a_stored_rule_refused_since_stops_only_its_own_schedule(ctx, caplog):
    bad = _schedule("bad", rrule="FREQ=DAILY;BYHOUR=1,2,3,4,5,6,7,8,9,10,11,12")
    good = _schedule("good", dtstart=datetime.now(UTC))
    db.session.commit()
    with caplog.at_level(logging.ERROR, "patrol_api.patrols.schedules"):
        result = schedules.tick_job()
    assert result["generated"] == len(_occurrences(good)) > 0
    assert _occurrences(bad) == [] and "bad cannot be expanded" in caplog.text


def test_a_stored_year_1_occurrence_is_settled_missed_not_a_crash(ctx):
    schedule = _schedule(dtstart=datetime(1, 1, 1, 0, 30, tzinfo=UTC),
                         until=datetime(1, 1, 1, 15, tzinfo=UTC), grace_hours=24 * 30)
    db.session.add(ScheduleOccurrence(schedule_id=schedule.id, due_at=schedule.dtstart))
    db.session.commit()
    assert schedules.tick_job() == {"generated": 0, "done": 0, "missed": 1}


@FUZZ
@given(end=st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
@example(end=date(1, 1, 1))
@example(end=date(9999, 12, 31))
def test_stored_warranty_ends_of_any_year_do_not_stop_the_patrol_jobs(ctx, end):
    try:
        district = District()
        site = district.site("w1", warranty_end=date.today() + timedelta(days=400))
        db.session.commit()
        assert warranty.plan_job() == 1
        site.warranty_end = end  # as an older version could store it
        db.session.commit()
        warranty.follow_job()
        warranty.warn_job()
        warranty.plan_job()
        schedules.tick_job()
        district.site("w2", warranty_end=end)
        checked_from_its_end = district.site("w3", warranty_end=end)
        warranty.plan_inspections(checked_from_its_end, end)  # planned by hand, as before
        db.session.commit()
        warranty.warn_job()
        warranty.plan_job()
        warranty.follow_job()
        schedules.tick_job()
    finally:
        db.session.rollback()
        empty_database()


def test_far_dates_in_schedule_and_warranty_bodies_are_422(client, make_user, district):
    headers = make_user(Role.MANAGER)[1]
    site = district.site("w1", warranty_end=date(2030, 1, 1))
    db.session.commit()
    body = {"code": "old", "title_ko": "순찰", "title_en": "Patrol", "target": "patrol",
            "patrol_kind": "night", "rrule": "FREQ=DAILY", "dtstart": "1026-03-01T09:00:00Z"}
    refused = client.post("/api/v1/patrol-schedules", json=body, headers=headers)
    assert (refused.status_code, refused.get_json()["field"]) == (422, "dtstart")
    plan = client.post("/api/v1/warranty/plans", headers=headers,
                       json={"site_id": site.id, "start_on": "0001-01-01"})
    assert (plan.status_code, plan.get_json()["field"]) == (422, "start_on")
    admin = make_user(Role.ADMIN)[1]
    moved = client.patch(f"/api/v1/sites/{site.id}", json={"warranty_end": "0001-01-01"},
                         headers=admin)
    assert (moved.status_code, moved.get_json()["field"]) == (422, "warranty_end")
    assert db.session.query(Schedule).count() == 0
