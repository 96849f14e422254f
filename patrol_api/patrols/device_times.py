"""Device times as data for what phones record on patrol: the raw time, the push's clock
offset, the corrected time and the flags of doubtful times (see sync/clock.py)."""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Stamp:
    """A time a phone sent, read with its push's clock (no clock: taken as it is)."""

    at: datetime
    device: datetime | None
    offset_ms: int | None
    flags: list


def stamp(device_time: datetime, clock=None) -> Stamp:
    """The corrected time, the raw device time, the offset and the flags."""
    if clock is None:
        return Stamp(device_time, None, None, [])
    return Stamp(clock.correct(device_time), device_time, clock.offset_ms,
                 clock.flags(device_time))
