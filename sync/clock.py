"""Device clocks as data: the offset measured at each push, corrected times, their flags."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from patrol_api.models import ClockSample, Device
from sync import settings

MILLISECOND = timedelta(milliseconds=1)


@dataclass(frozen=True)
class Clock:
    """One push's clock reading: the server's receive time and the device's claimed time."""

    server_time: datetime
    device_time: datetime
    registered_at: datetime
    tolerance: timedelta
    large_offset: timedelta

    @property
    def offset(self) -> timedelta:
        """How far the device clock is behind the server (negative: ahead)."""
        return self.server_time - self.device_time

    @property
    def offset_ms(self) -> int:
        """The offset in whole milliseconds."""
        return round(self.offset / MILLISECOND)

    def correct(self, device_time: datetime) -> datetime:  # unchanged if that overflows
        """A device time moved onto the server clock by the stored (whole ms) offset."""
        try:
            return device_time + self.offset_ms * MILLISECOND
        except OverflowError:
            return device_time

    def flags(self, device_time: datetime) -> list[str]:
        """Why a device time is doubtful: future, before registration, large clock offset."""
        corrected = self.correct(device_time)
        found = []
        if corrected > self.server_time + self.tolerance:
            found.append("future")
        if corrected < self.registered_at - self.tolerance:
            found.append("before_device_registered")
        if abs(self.offset) > self.large_offset:
            found.append("large_clock_offset")
        return found


def reading(device: Device, device_time: datetime, server_time: datetime) -> Clock:
    """The clock of a push from `device`, with the configured tolerances."""
    return Clock(server_time=server_time, device_time=device_time,
                 registered_at=device.registered_at,
                 tolerance=timedelta(seconds=settings.get("SYNC_CLOCK_TOLERANCE_S")),
                 large_offset=timedelta(seconds=settings.get("SYNC_LARGE_OFFSET_S")))


def record(session: Session, device: Device, clock: Clock) -> None:
    """Store the push's clock sample."""
    session.add(ClockSample(device_id=device.id, server_time=clock.server_time,
                            device_time=clock.device_time, offset_ms=clock.offset_ms))
