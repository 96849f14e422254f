"""The demo simulates enough months for a year's awards: RANKING_AWARD_MIN_MONTHS completed,
frozen months of one year, whatever the day it starts on, and no more than needed."""
from datetime import UTC, datetime

from hypothesis import example, given
from hypothesis import strategies as st

from patrol_api.demo import activity
from patrol_api.rankings.settings import DEFAULTS

NEEDED = DEFAULTS["RANKING_AWARD_MIN_MONTHS"]
DAYS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31),
                    timezones=st.just(UTC))


def _frozen_in(months: int, now: datetime, year: int) -> list[str]:
    start, end = activity.period(months, now)
    return [m for m in activity.completed_months(start, end) if m.startswith(f"{year}-")]


@given(now=DAYS, needed=st.integers(1, 12))
@example(now=datetime(2026, 12, 6, tzinfo=UTC), needed=NEEDED)
@example(now=datetime(2026, 6, 30, 15, 30, tzinfo=UTC), needed=NEEDED)  # 1 July in Seoul
@example(now=datetime(2026, 6, 30, 14, 0, tzinfo=UTC), needed=NEEDED)  # still 30 June
def test_the_default_history_holds_an_award_year_with_the_fewest_months(now, needed):
    years = (now.year - 1, now.year, now.year + 1)  # a UTC day may be the next in Seoul
    enough = [m for m in range(1, activity.MAX_MONTHS + 1)
              if any(len(_frozen_in(m, now, y)) >= needed for y in years)]
    months = activity.months_for_awards(now, needed)
    if enough:
        assert months == enough[0]  # the fewest months that make an award year
        assert len(_frozen_in(months, now, activity.award_year(now, needed))) >= needed
    else:
        assert months == activity.MAX_MONTHS


def test_with_the_default_setting_it_is_7_to_12_months():
    counts = {activity.months_for_awards(datetime(2026, month, 15, tzinfo=UTC), NEEDED)
              for month in range(1, 13)}
    assert counts == {7, 8, 9, 10, 11, 12}
