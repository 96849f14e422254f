"""Only completed months, from the year of the first finding on, are frozen as final:
generated months and moments against the rule written out, through the service and the API."""
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario import build

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import RankingSnapshot
from patrol_api.rankings import snapshots

FIRST = "2026-01"  # the scenario's findings lie in 2026
MONTHS = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1, 9999), st.integers(1, 12))
NEAR = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1995, 2031), st.integers(1, 12))
MOMENTS = st.datetimes(datetime(2026, 1, 1), datetime(2031, 12, 31), timezones=st.just(UTC))


def _seoul_month(moment: datetime) -> str:
    return moment.astimezone(SEOUL).strftime("%Y-%m")


@pytest.fixture
def scenario(ctx):
    build()
    db.session.commit()


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(month=NEAR | MONTHS, now=MOMENTS)
def test_the_rule_for_any_month_and_moment(scenario, month, now):
    allowed = FIRST <= month < _seoul_month(now)
    try:
        snapshots.check_final(month, now)
    except ApiError as error:
        assert not allowed, (month, now, error.message)
        assert (error.status, error.field) == (422, "month")
        assert error.code == ("month_not_over" if month >= _seoul_month(now)
                              else "month_before_data")
    else:
        assert allowed, (month, now)


def test_the_running_month_is_not_over_at_its_last_second(scenario):
    last_second = datetime(2026, 10, 31, 23, 59, 59, tzinfo=SEOUL)
    with pytest.raises(ApiError, match="2026-10"):
        snapshots.compute("2026-10", now=last_second)
    made = snapshots.compute("2026-10", now=last_second + timedelta(seconds=1))
    assert made.version == 1


def test_without_findings_the_current_year_may_be_frozen(ctx):
    now = datetime(2027, 3, 5, tzinfo=UTC)
    snapshots.check_final("2027-01", now)
    with pytest.raises(ApiError):
        snapshots.check_final("2026-12", now)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(month=st.sampled_from(["1999-01", "2025-12", "2099-12", "9999-12"]) | NEAR)
def test_the_api_freezes_completed_months_only(client, make_user, scenario, month):
    manager = make_user(Role.MANAGER)[1]
    current = datetime.now(UTC).astimezone(SEOUL).strftime("%Y-%m")
    before = db.session.query(RankingSnapshot).count()
    answer = client.post("/api/v1/rankings/snapshots", json={"month": month}, headers=manager)
    if FIRST <= month < current:
        assert answer.status_code == 202, answer.get_json()
        assert db.session.query(RankingSnapshot).count() == before + 1
    else:
        body = answer.get_json()
        assert (answer.status_code, body["field"]) == (422, "month"), body
        assert body["code"] in ("month_not_over", "month_before_data")
        assert db.session.query(RankingSnapshot).count() == before
