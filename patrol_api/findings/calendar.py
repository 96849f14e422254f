"""Business time on the office calendar: working periods, Korean public holidays, overrides.

Deadlines in hours count working time only (by default 09:00-12:00 and 13:00-18:00, Seoul
time, Monday to Friday, not on public holidays; OFFICE_WORKING_PERIODS changes the hours).
A deadline in days ends at the close of the N-th business day after the day of receipt.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

SEOUL = ZoneInfo("Asia/Seoul")
DEFAULT_PERIODS = ((time(9), time(12)), (time(13), time(18)))
MAX_DAYS_SCANNED = 3660


@dataclass(frozen=True)
class BusinessCalendar:
    """An office's working calendar."""

    tz: ZoneInfo = SEOUL
    periods: tuple = DEFAULT_PERIODS
    closed_dates: frozenset = field(default_factory=frozenset)   # extra closures
    open_dates: frozenset = field(default_factory=frozenset)     # holidays the office works

    @cached_property
    def _holidays(self):
        return holidays.KR()

    def is_business_day(self, day: date) -> bool:
        """True when the office works on that date."""
        if day in self.open_dates:
            return True
        return day.weekday() < 5 and day not in self._holidays and day not in self.closed_dates

    def working_periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of a date as aware datetimes (empty on days off)."""
        if not self.is_business_day(day):
            return []
        return [(datetime.combine(day, start, self.tz), datetime.combine(day, end, self.tz))
                for start, end in self.periods]

    def _periods_from(self, moment: datetime) -> Iterable[tuple[datetime, datetime]]:
        """Working periods from a moment on, the first one clipped to start there."""
        local = moment.astimezone(self.tz)
        for offset in range(MAX_DAYS_SCANNED):
            for start, end in self.working_periods(local.date() + timedelta(days=offset)):
                if end > local:
                    yield max(start, local), end
        raise ValueError("no working time found within ten years")

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The moment when `seconds` of working time have passed after `start`."""
        remaining = seconds
        for period_start, period_end in self._periods_from(start):
            length = (period_end - period_start).total_seconds()
            if remaining <= length:
                return period_start + timedelta(seconds=remaining)
            remaining -= length
        raise AssertionError("unreachable")

    def add_business_hours(self, start: datetime, hours: float) -> datetime:
        """The moment when `hours` of working time have passed after `start`."""
        return self.add_business_seconds(start, hours * 3600)

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """Close of business on the `days`-th business day after the day of `start`."""
        day = start.astimezone(self.tz).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            counted += self.is_business_day(day)
        return self.working_periods(day)[-1][1]

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working seconds between two moments (0 when end is not after start)."""
        total = 0.0
        if end <= start:
            return total
        for period_start, period_end in self._periods_from(start):
            if period_start >= end:
                break
            total += (min(period_end, end) - period_start).total_seconds()
        return total


def _clock(text: str) -> time:
    """An HH:MM time of day (24:00 is not a time: end the day at 23:59)."""
    hours, sep, minutes = text.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"'{text.strip()}' is not HH:MM")
    return time(int(hours), int(minutes))


def parse_periods(text: str) -> tuple:
    """Working periods from "09:00-12:00,13:00-18:00": in order, none empty or overlapping.

    Raises ValueError naming OFFICE_WORKING_PERIODS and what is wrong.
    """
    periods = []
    try:
        for part in (item for item in text.split(",") if item.strip()):
            start, sep, end = part.partition("-")
            if not sep:
                raise ValueError(f"'{part.strip()}' is not START-END")
            periods.append((_clock(start), _clock(end)))
    except ValueError as error:
        raise ValueError(f"OFFICE_WORKING_PERIODS={text!r}: {error} "
                         "(expected e.g. \"09:00-12:00,13:00-18:00\")") from None
    _check_order(text, periods)
    return tuple(periods)


def _check_order(text: str, periods: list) -> None:
    """ValueError unless there are periods, each ends after it starts and after the last."""
    if not periods:
        raise ValueError(f"OFFICE_WORKING_PERIODS={text!r}: no working period given")
    previous_end = None
    for start, end in periods:
        if end <= start:
            raise ValueError(f"OFFICE_WORKING_PERIODS={text!r}: {start:%H:%M}-{end:%H:%M} "
                             "does not end after it starts")
        if previous_end is not None and start < previous_end:
            raise ValueError(f"OFFICE_WORKING_PERIODS={text!r}: periods must be in order "
                             "and must not overlap")
        previous_end = end


def calendar_from_config(config: dict) -> BusinessCalendar:
    """The calendar described by OFFICE_* settings (ValueError on a bad value)."""
    def dates(key: str) -> frozenset:
        try:
            return frozenset(date.fromisoformat(d) for d in config.get(key) or () if d)
        except ValueError as error:
            raise ValueError(f"{key}: {error} (expected ISO dates, e.g. 2026-05-01)") from None

    periods = config.get("OFFICE_WORKING_PERIODS")
    return BusinessCalendar(periods=parse_periods(periods) if periods else DEFAULT_PERIODS,
                            closed_dates=dates("OFFICE_CLOSED_DATES"),
                            open_dates=dates("OFFICE_OPEN_DATES"))
