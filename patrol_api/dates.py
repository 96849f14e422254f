"""The plausible dates of the API (2000-01-01..2100-12-31) and the marshmallow fields that
refuse the others at the door with a 422 naming the field.

Every date, time and month the API reads from a client goes through one of these fields:
a year-1 or year-9999 date passes ISO parsing but then overflows the arithmetic behind it
(a Seoul day's UTC bounds, the month after, a schedule's window), or asks a schedule for
centuries of occurrences. Times a phone records (sync, patrol mutations) have their own, wider
range in timebounds.py: a phone whose clock reset to 1970 is corrected, not refused.
"""
from datetime import date, datetime

from marshmallow import fields

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
OUT_OF_RANGE = f"Give a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}."
MONTH_OUT_OF_RANGE = f"Give a month from {EARLIEST:%Y-%m} to {LATEST:%Y-%m}."


def plausible(day: date) -> bool:
    """The day (or the calendar day of a time, as written) is in the API's range."""
    day = day.date() if isinstance(day, datetime) else day
    return EARLIEST <= day <= LATEST


class Date(fields.Date):
    """An ISO date (YYYY-MM-DD) from EARLIEST to LATEST."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def _deserialize(self, value, attr, data, **kwargs):
        """The date, once checked to be plausible."""
        day = super()._deserialize(value, attr, data, **kwargs)
        if not plausible(day):
            raise self.make_error("out_of_range")
        return day


class AwareDateTime(fields.AwareDateTime):
    """An ISO time with its UTC offset whose calendar day runs from EARLIEST to LATEST."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def _deserialize(self, value, attr, data, **kwargs):
        """The time, once checked to be plausible."""
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not plausible(moment):
            raise self.make_error("out_of_range")
        return moment


class Month(fields.Date):
    """A calendar month written YYYY-MM, from EARLIEST's month to LATEST's, loaded as that
    text."""

    default_error_messages = {"out_of_range": MONTH_OUT_OF_RANGE}

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        """'YYYY-MM' once checked as a plausible month."""
        day = super()._deserialize(value, attr, data, **kwargs)
        if not plausible(day):
            raise self.make_error("out_of_range")
        return day.strftime("%Y-%m")
