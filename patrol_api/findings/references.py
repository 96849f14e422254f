"""Finding references: "F-2026-000123", numbered per year (Seoul time) without gaps."""
from datetime import datetime

from patrol_api.findings import locks
from patrol_api.findings.calendar import SEOUL


def counter_name(year: int) -> str:
    """The sequence counter of a year's references."""
    return f"finding-{year}"


def next_reference(at: datetime) -> str:
    """The next reference of the year of `at`; the counter row stays locked to commit."""
    year = at.astimezone(SEOUL).year
    number = locks.allocate(1, counter_name(year))
    return f"F-{year}-{number:06d}"
