"""Business time on the Seoul office calendar with Korean public holidays."""
from datetime import date, datetime, time

import pytest

from patrol_api.findings.calendar import (
    DEFAULT_PERIODS,
    SEOUL,
    BusinessCalendar,
    calendar_from_config,
    parse_periods,
)

CAL = BusinessCalendar()


def kst(*args) -> datetime:
    """A Seoul-time moment."""
    return datetime(*args, tzinfo=SEOUL)


@pytest.mark.parametrize(("day", "works"), [
    (date(2026, 9, 23), True),    # Wednesday before Chuseok
    (date(2026, 9, 24), False),   # day preceding Chuseok
    (date(2026, 9, 25), False),   # Chuseok
    (date(2026, 10, 5), False),   # alternative holiday for National Foundation Day
    (date(2026, 11, 21), False),  # Saturday
    (date(2026, 11, 23), True),   # Monday
])
def test_business_days(day, works):
    assert CAL.is_business_day(day) is works


def test_hours_skip_lunch_and_night():
    # 3 working hours from Monday 11:00: 11-12, (lunch), 13-15
    assert CAL.add_business_hours(kst(2026, 11, 23, 11, 0), 3) == kst(2026, 11, 23, 15, 0)
    # 3 hours from Monday 17:00: 17-18, then Tuesday 9-11
    assert CAL.add_business_hours(kst(2026, 11, 23, 17, 0), 3) == kst(2026, 11, 24, 11, 0)


def test_hours_received_at_night_start_next_morning():
    assert CAL.add_business_hours(kst(2026, 11, 23, 22, 30), 1) == kst(2026, 11, 24, 10, 0)


def test_hours_across_chuseok_weekend():
    # Wednesday 2026-09-23 17:00 + 2h: 17-18, then Chuseok Thu-Sat, Sunday, so Monday 9-10
    assert CAL.add_business_hours(kst(2026, 9, 23, 17, 0), 2) == kst(2026, 9, 28, 10, 0)


def test_days_end_at_close_of_business():
    # received Friday 2026-11-20 -> 3 business days: Mon, Tue, Wed close
    assert CAL.add_business_days(kst(2026, 11, 20, 10, 0), 3) == kst(2026, 11, 25, 18, 0)
    # received on Saturday counts from Monday as day one
    assert CAL.add_business_days(kst(2026, 11, 21, 10, 0), 1) == kst(2026, 11, 23, 18, 0)


def test_days_across_month_end_and_holidays():
    # received Wed 2026-09-30; Oct 1-2 work, Oct 3 Sat holiday, Oct 5 alt holiday
    assert CAL.add_business_days(kst(2026, 9, 30, 15, 0), 3) == kst(2026, 10, 6, 18, 0)


def test_business_seconds_between():
    seconds = CAL.business_seconds_between(kst(2026, 11, 20, 17, 0), kst(2026, 11, 23, 10, 30))
    assert seconds == (1 + 1.5) * 3600  # Friday 17-18, Monday 9-10:30
    assert CAL.business_seconds_between(kst(2026, 11, 23, 10), kst(2026, 11, 23, 9)) == 0


def test_utc_input_is_read_in_seoul_time():
    from datetime import UTC

    utc_morning = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 10:00 KST
    assert CAL.add_business_hours(utc_morning, 1) == kst(2026, 11, 23, 11, 0)


def test_office_overrides():
    cal = calendar_from_config({"OFFICE_CLOSED_DATES": ["2026-11-23"],
                                "OFFICE_OPEN_DATES": ["2026-05-01"]})
    assert not cal.is_business_day(date(2026, 11, 23))
    assert cal.is_business_day(date(2026, 5, 1))


def test_working_periods_from_the_setting():
    cal = calendar_from_config({"OFFICE_WORKING_PERIODS": " 08:30-12:00, 13:00-17:30 "})
    assert cal.periods == ((time(8, 30), time(12)), (time(13), time(17, 30)))
    # 2 hours from Monday 17:00: 17:00-17:30, then Tuesday 08:30-10:00
    assert cal.add_business_hours(kst(2026, 11, 23, 17, 0), 2) == kst(2026, 11, 24, 10, 0)
    assert cal.add_business_days(kst(2026, 11, 23, 10, 0), 1) == kst(2026, 11, 24, 17, 30)
    assert calendar_from_config({}).periods == DEFAULT_PERIODS
    assert calendar_from_config({"OFFICE_WORKING_PERIODS": "9:00-18:00"}).periods == (
        (time(9), time(18)),)


@pytest.mark.parametrize(("value", "says"), [
    ("09:00-12:00;13:00-18:00", "not HH:MM"),
    ("9-18", "not HH:MM"),
    ("09:00", "not START-END"),
    ("25:00-26:00", "hour must be in"),
    ("12:00-09:00", "does not end after it starts"),
    ("13:00-18:00,09:00-12:00", "in order"),
    ("09:00-13:00,12:00-18:00", "must not overlap"),
    (" , ", "no working period"),
])
def test_bad_working_periods_are_refused_clearly(value, says):
    with pytest.raises(ValueError, match="OFFICE_WORKING_PERIODS") as caught:
        parse_periods(value)
    assert says in str(caught.value)


def test_bad_office_dates_are_refused_clearly():
    with pytest.raises(ValueError, match="OFFICE_CLOSED_DATES"):
        calendar_from_config({"OFFICE_CLOSED_DATES": ["2026-13-01"]})
