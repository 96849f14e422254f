"""The one range of times the server stores from clients: [1970-01-01, 2100-01-01) UTC.

Device clocks are data (docs/sync.md, section 7): a wrong clock is stored and corrected, not
refused. Only times nothing can process are refused at the door: a reset phone clock reads
1970 (kept), a year 1 or 9999 is refused. Both ends keep every derived time representable:
a correction by the push's clock offset (device_time is bounded the same way) stays within
about 1896..2156, and deadlines, merge windows and date arithmetic far from year 1 or 9999.
"""
from datetime import UTC, datetime

from marshmallow import fields, validate

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # excluded
RANGE_TEXT = "between 1970-01-01T00:00:00Z and 2100-01-01T00:00:00Z (excluded)"
EPOCH_SECONDS = validate.Range(0, int(LATEST.timestamp()), max_inclusive=False,
                               error=f"Must be a unix time {RANGE_TEXT}.")


def within(moment: datetime) -> bool:
    """True when an aware time lies in the accepted range."""
    try:
        return EARLIEST <= moment.astimezone(UTC) < LATEST
    except (OverflowError, ValueError):  # e.g. 9999-12-31T23:59:59-14:00 is past year 9999
        return False


class Moment(fields.AwareDateTime):
    """An ISO 8601 time with an offset, within the accepted range (else a validation error)."""

    default_error_messages = {"out_of_range": f"Must be a time {RANGE_TEXT}."}

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not within(moment):
            raise self.make_error("out_of_range")
        return moment
