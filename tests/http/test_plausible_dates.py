"""Every date, time and month the API reads is checked against one plausible range
(patrol_api/dates.py) at the door: far-past and far-future values are a 422 naming the field,
never a 500 from the arithmetic behind them.

The date fields are found in the endpoints' declared schemas, so a new date field is covered
(and must use the plausible fields) without editing this file.
"""
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from marshmallow import fields

from patrol_api import dates
from patrol_api.auth.roles import Role
from tests.http.test_bad_input import _schemas, assert_error, routes

# Date fields that are deliberately not range-checked, and why.
UNCHECKED = {
    # the phone's clock as it is: a phone reset to 1970 must still sync (the server measures
    # its offset from this)
    ("POST", "/api/v1/sync/push", "device_time"),
}
DATE_TYPES = (fields.Date, fields.DateTime)
PLAUSIBLE_TYPES = (dates.Date, dates.AwareDateTime, dates.Month)
API = "/api/v1"


def _date_fields(schema) -> list[tuple[str, fields.Field]]:
    """(data key, field) of the loadable date fields of a schema (top level)."""
    return [(field.data_key or name, field) for name, field in schema.fields.items()
            if isinstance(field, DATE_TYPES) and not field.dump_only]


def date_inputs(app) -> list[tuple[str, str, str, str, fields.Field]]:
    """(method, rule, location, data key, field) of every date the API reads."""
    found = []
    for method, rule, handler, url in routes(app, ("GET", "POST", "PATCH", "PUT")):
        for location in ("query", "json"):
            for schema in _schemas(handler, location):
                for key, field in _date_fields(schema):
                    found.append((method, rule, url, location, key, field))
    return found


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)[1]


def test_every_date_the_api_reads_is_range_checked(app):
    inputs = date_inputs(app)
    assert len(inputs) >= 20  # schedules, campaigns, warranty, sites, categories, queries
    unchecked = {(method, rule, key) for method, rule, _, _, key, field in inputs
                 if not isinstance(field, PLAUSIBLE_TYPES)}
    assert unchecked == UNCHECKED, "use patrol_api.dates fields for dates the API reads"



OUTSIDE = st.one_of(st.dates(max_value=dates.EARLIEST - timedelta(days=1)),
                    st.dates(min_value=dates.LATEST + timedelta(days=1)))
INSIDE = st.dates(min_value=dates.EARLIEST, max_value=dates.LATEST)
OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(
    minutes=minutes)))


def _text(field: fields.Field, day: date, zone: timezone) -> str:
    """The value as a client writes it for that field."""
    if isinstance(field, dates.Month):
        return f"{day.year:04d}-{day.month:02d}"
    if isinstance(field, fields.DateTime):
        return f"{day.isoformat()}T{time(23, 59, 59, tzinfo=zone).isoformat()}" \
            if day.year > 1 else f"{day.isoformat()}T00:00:00+00:00"
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _send(client, headers, method, url, location, key, value):
    if location == "query":
        return client.open(url, method=method, query_string={key: value}, headers=headers)
    return client.open(url, method=method, json={key: value}, headers=headers)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=OUTSIDE, zone=OFFSETS)
@example(day=date(1, 1, 1), zone=UTC)
@example(day=date(9999, 12, 31), zone=timezone(timedelta(hours=14)))
@example(day=date(1026, 3, 1), zone=UTC)
@example(day=date(1999, 12, 31), zone=UTC)
@example(day=date(2101, 1, 1), zone=UTC)
def test_implausible_dates_are_422_naming_the_field(app, client, admin, day, zone):
    for method, rule, url, location, key, field in date_inputs(app):
        if (method, rule, key) in UNCHECKED:
            continue
        response = _send(client, admin, method, url, location, key, _text(field, day, zone))
        body = assert_error(response, 422)
        assert key in body["errors"][location], (method, rule, key, body)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=INSIDE, last=INSIDE)
@example(first=dates.EARLIEST, last=dates.LATEST)
def test_plausible_query_dates_are_answered(client, admin, first, last):
    first, last = min(first, last), max(first, last)
    inspections = client.get(f"{API}/inspections", headers=admin,
                             query_string={"from": first.isoformat(), "to": last.isoformat()})
    assert inspections.status_code == 200, inspections.get_json()
    month = f"{last:%Y-%m}"
    assert client.get(f"{API}/rankings?month={month}", headers=admin).status_code == 200
    activity = client.get(f"{API}/patrol-activity?from={month}&to={month}", headers=admin)
    assert activity.status_code == 200, activity.get_json()
    since = datetime.combine(first, time(0), UTC).isoformat()
    findings = client.get(f"{API}/findings", headers=admin, query_string={"due_after": since})
    assert findings.status_code == 200, findings.get_json()


@pytest.mark.parametrize("url", [
    "/inspections?from=0001-01-01&to=9999-12-31", "/rankings?month=9999-12",
    "/patrol-activity?to=9999-12", "/patrol-activity?from=0001-01",
    "/rankings/snapshots?from=0000-01", "/patrol-schedules/occurrences?since=0001-01-01",
    "/campaigns?active_on=9999-12-31", "/sites/coverage?not_seen_since=0001-01-01"])
def test_the_reported_urls_are_422(client, admin, url):
    body = assert_error(client.get(f"{API}{url}", headers=admin), 422)
    assert body["field"] in url


def test_rankings_month_text_outside_the_range_is_refused_below_the_schemas(ctx):
    from patrol_api.errors import ApiError
    from patrol_api.rankings import months

    for text in ("0000-01", "1999-12", "2101-01", "9999-12"):
        with pytest.raises(ApiError) as refused:
            months.bounds(text)
        assert (refused.value.status, refused.value.code) == (422, "invalid_month")
    assert months.span("2000-01", "2000-03") == ["2000-01", "2000-02", "2000-03"]
