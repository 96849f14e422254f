"""Warranty programme: warnings three months ahead, once; semi-annual inspections, planned
by hand or by the tick for every site under warranty without a plan; Seoul dates."""
from datetime import UTC, date, datetime, time, timedelta

import pytest

from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Notification
from patrol_api.models.patrols import Schedule, ScheduleOccurrence, WarrantyNotice
from patrol_api.patrols import schedules, warranty
from patrol_api.patrols.commands import patrols_command

TODAY = date(2026, 7, 1)


@pytest.fixture
def sites(district):
    made = {"soon": district.site("w1", warranty_end=date(2026, 9, 15), contractor="한강건설"),
            "later": district.site("w2", warranty_end=date(2027, 3, 1)),
            "past": district.site("w3", warranty_end=date(2026, 6, 1)),
            "none": district.site("w4")}
    db.session.commit()
    return made


def test_departments_are_warned_once_ahead_of_the_end(sites):
    assert [s.code for s in warranty.expiring(TODAY)] == ["w1"]
    assert warranty.warn(TODAY) == 1
    assert warranty.warn(TODAY) == 0
    notice = db.session.query(WarrantyNotice).one()
    soon = sites["soon"]
    assert (notice.site_id, notice.department_id) == (soon.id, soon.owner_department_id)


def test_warning_goes_to_the_outbox_when_the_sender_knows_the_topic(sites):
    warranty.warn(TODAY)
    row = db.session.query(Notification).one()
    assert (row.target, row.topic) == ("parks@example.go.kr", "warranty_expiring")
    assert row.payload["site"]["contractor"] == "한강건설"


def test_a_new_warranty_end_is_warned_again(sites):
    warranty.warn(TODAY)
    sites["soon"].warranty_end = date(2026, 9, 20)
    db.session.flush()
    assert warranty.warn(TODAY) == 1


def test_semi_annual_inspections_until_the_warranty_ends(sites):
    schedule = warranty.plan_inspections(sites["later"], TODAY)
    assert schedules.generate(schedule, schedule.dtstart) == 1  # 30 days ahead
    due = schedules.due_times(schedule, schedule.dtstart, schedule.until + timedelta(days=900))
    assert [t.date() for t in due] == [date(2026, 7, 1), date(2027, 1, 1)]
    assert db.session.query(ScheduleOccurrence).count() == 1


def test_planned_checks_are_due_on_seoul_mornings(sites):
    schedule = warranty.plan_inspections(sites["later"], TODAY)
    db.session.commit()
    assert schedule.dtstart == datetime(2026, 7, 1, 9, tzinfo=SEOUL)
    assert schedule.until == datetime.combine(date(2027, 3, 1), time(23, 59), SEOUL)
    due = schedules.due_times(schedule, schedule.dtstart, schedule.until)
    assert {t.astimezone(SEOUL).time() for t in due} == {time(9)}


def test_sites_under_warranty_without_a_plan_are_planned_once(sites):
    by_hand = warranty.plan(sites["soon"], date(2026, 6, 1))
    assert warranty.plan_missing(TODAY) == 1  # w2; w1 has its plan, w3 ended, w4 has none
    assert warranty.plan_missing(TODAY) == 0
    planned = db.session.query(Schedule).order_by(Schedule.code).all()
    assert [(s.code, s.site_id) for s in planned] == [
        ("warranty-w1", sites["soon"].id), ("warranty-w2", sites["later"].id)]
    assert planned[0] is by_hand
    first = db.session.query(ScheduleOccurrence).filter_by(schedule_id=planned[1].id).order_by(
        ScheduleOccurrence.due_at).first()  # generated ahead of the real clock
    assert first.due_at == datetime(2026, 7, 1, 0, tzinfo=UTC)  # 09:00 in Seoul


def test_a_long_site_code_gets_a_plan_code_by_id(district):
    site = district.site("x" * 40, warranty_end=date(2027, 1, 1))
    db.session.commit()
    assert warranty.plan_missing(TODAY) == 1
    assert db.session.query(Schedule).one().code == f"warranty-site-{site.id}"
    assert warranty.plan_missing(TODAY) == 0


class _SeoulAfterMidnight(datetime):
    """30 June 16:30 UTC: already 1 July in Seoul."""

    @classmethod
    def now(cls, tz=None):
        moment = datetime(2026, 6, 30, 16, 30, tzinfo=UTC)
        return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)


def test_jobs_use_the_seoul_date(district, monkeypatch):
    edge = district.site("edge", warranty_end=date(2026, 7, 1) + timedelta(days=90))
    db.session.commit()
    monkeypatch.setattr(warranty, "datetime", _SeoulAfterMidnight)
    assert warranty.today() == date(2026, 7, 1)
    assert warranty.warn_job() == 1  # the UTC date (30 June) would not reach it yet
    assert db.session.query(WarrantyNotice).one().site_id == edge.id


def test_the_tick_plans_the_warranty_checks(ctx, district):
    today = warranty.today()
    for code, days in (("new-1", 400), ("new-2", 0), ("ended", -1)):
        district.site(code, warranty_end=today + timedelta(days=days))
    db.session.commit()
    result = ctx.test_cli_runner().invoke(patrols_command, ["tick"])
    assert result.exit_code == 0, result.output
    assert "warranty plans: 2" in result.output
    db.session.expire_all()
    assert {s.code for s in db.session.query(Schedule)} == {"warranty-new-1", "warranty-new-2"}
    assert db.session.query(ScheduleOccurrence).count() == 2  # each due today, 09:00 Seoul
    again = ctx.test_cli_runner().invoke(patrols_command, ["tick"])
    assert "warranty plans: 0" in again.output


def _planned_dues(plan) -> list[date]:
    """Seoul days of a plan's planned checks."""
    return sorted(o.due_at.astimezone(SEOUL).date() for o in db.session.query(ScheduleOccurrence)
                  .filter_by(schedule_id=plan.id, status="planned"))


def test_plans_follow_a_moved_or_removed_warranty_end(ctx, district, monkeypatch):
    monkeypatch.setitem(ctx.config, "PATROL_SCHEDULE_AHEAD_DAYS", 800)  # see every check
    today = warranty.today()
    now = datetime.now(UTC)
    site = district.site("moving", warranty_end=today + timedelta(days=400))
    assert warranty.plan_missing(today) == 1
    plan = db.session.query(Schedule).filter_by(site_id=site.id).one()
    schedules.generate(plan, now)
    assert len(_planned_dues(plan)) == 3  # today, +6 and +12 months (within 400 days)
    assert warranty.follow_ends(now) == 0  # nothing moved

    site.warranty_end = today + timedelta(days=100)  # shortened
    db.session.flush()
    assert warranty.follow_ends(now) == 1
    assert plan.until.astimezone(SEOUL).date() == site.warranty_end
    assert _planned_dues(plan) == [today]  # the checks past the new end are gone
    assert warranty.follow_ends(now) == 0

    site.warranty_end = today + timedelta(days=700)  # extended
    db.session.flush()
    assert warranty.follow_ends(now) == 1
    assert len(_planned_dues(plan)) == 4  # today, +6, +12, +18 months

    site.warranty_end = None  # the warranty was recorded by mistake
    db.session.flush()
    assert warranty.follow_ends(now) == 1
    assert not plan.active
    assert all(day <= today for day in _planned_dues(plan))
    assert warranty.follow_ends(now) == 0


def test_a_plan_without_an_end_stops_when_the_warranty_is_removed(ctx, district):
    today = warranty.today()
    site = district.site("open-ended", warranty_end=today + timedelta(days=400))
    warranty.plan_missing(today)
    plan = db.session.query(Schedule).filter_by(site_id=site.id).one()
    plan.until = None  # a manager cleared the plan's end by hand
    site.warranty_end = None
    db.session.flush()
    assert warranty.follow_ends(datetime.now(UTC)) == 1
    assert not plan.active


def test_the_tick_reports_followed_plans(ctx, district):
    today = warranty.today()
    site = district.site("tick-moving", warranty_end=today + timedelta(days=400))
    db.session.commit()
    ctx.test_cli_runner().invoke(patrols_command, ["tick"])
    site = db.session.get(type(site), site.id)
    site.warranty_end = today + timedelta(days=30)
    db.session.commit()
    result = ctx.test_cli_runner().invoke(patrols_command, ["tick"])
    assert "warranty ends followed: 1" in result.output
