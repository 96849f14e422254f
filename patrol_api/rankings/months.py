"""Calendar months of the office (Seoul time) as UTC bounds."""
import re
from datetime import UTC, datetime

from patrol_api.dates import EARLIEST, LATEST, MONTH_OUT_OF_RANGE
from patrol_api.errors import ApiError
from patrol_api.findings.calendar import SEOUL

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse(text: str, field: str = "month") -> tuple[int, int]:
    """(year, month) of 'YYYY-MM' in the API's range of dates; 422 otherwise."""
    found = MONTH.match(text or "")
    if not found:
        raise ApiError(422, "invalid_month", "Give a month as YYYY-MM.", field)
    if not EARLIEST.year <= int(found[1]) <= LATEST.year:
        raise ApiError(422, "invalid_month", MONTH_OUT_OF_RANGE, field)
    return int(found[1]), int(found[2])


def bounds(month: str) -> tuple[datetime, datetime]:
    """[start, end) of a Seoul calendar month, in UTC."""
    year, number = parse(month)
    following = (year + number // 12, number % 12 + 1)
    start = datetime(year, number, 1, tzinfo=SEOUL)
    end = datetime(following[0], following[1], 1, tzinfo=SEOUL)
    return start.astimezone(UTC), end.astimezone(UTC)


def span(first: str, last: str) -> list[str]:
    """The months from `first` to `last`, both included (at most 36)."""
    year, number = parse(first, "from")
    last_year, last_number = parse(last, "to")
    count = (last_year - year) * 12 + last_number - number + 1
    if not 1 <= count <= 36:
        raise ApiError(422, "invalid_month_range", "Give 1 to 36 months, from <= to.", "to")
    return [f"{year + (number - 1 + i) // 12:04d}-{(number - 1 + i) % 12 + 1:02d}"
            for i in range(count)]


def current(now: datetime | None = None) -> str:
    """The current month in Seoul (at `now`, by default the present)."""
    return (now or datetime.now(UTC)).astimezone(SEOUL).strftime("%Y-%m")
