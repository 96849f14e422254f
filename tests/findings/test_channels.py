"""Intake channels: the legal deadline of each channel on the Korean calendar, desk complaints."""
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import channels
from patrol_api.findings.calendar import SEOUL, BusinessCalendar
from patrol_api.models import Finding, Observation, RoutingRule
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import consistent, reload, take


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def complaint(client, headers, channel="phone", category="roads", point=SPOT, **extra):
    """POST a desk complaint; the response."""
    return client.post("/api/v1/complaints", headers=headers, json={
        "channel": channel, "category_code": category, "lat": point[0], "lon": point[1],
        "note": "보도블록 파손 신고", **extra})


@pytest.fixture
def desk(make_user, world):
    """Authorization header of department staff taking complaints at a desk."""
    return make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[1]


@pytest.fixture
def routed_other(world):
    """Route the "other" category (14 business days) to the roads department."""
    db.session.add(RoutingRule(category=world.category("other"), priority=10,
                               target_department=world.department("roads"),
                               effective_from=date(2020, 1, 1)))
    db.session.commit()


def desk_finding(client, headers, **kwargs) -> Finding:
    """File a desk complaint and return the finding the intake put it in."""
    response = complaint(client, headers, **kwargs)
    assert response.status_code == 201, response.json
    obs = db.session.get(Observation, response.json["observation_id"])
    return take(obs)


# --- the legal rule of each channel, across Chuseok and office hours -------------------------

def test_phone_at_1730_on_the_eve_of_chuseok_is_due_three_working_hours_later(
        client, desk, clock):
    clock.now = kst(2026, 9, 23, 17, 30).astimezone(UTC)  # Wed; Thu-Sat Chuseok, then Sunday
    finding = desk_finding(client, desk, channel="phone")
    # 17:30-18:00 (0.5 h) on Wednesday, then Monday 09:00 + 2.5 h
    assert finding.resolve_due_at == kst(2026, 9, 28, 11, 30)
    assert finding.due_reason == "channel_immediate"
    assert finding.ack_due_at <= finding.resolve_due_at
    assert finding.channel == "phone" and consistent(finding)


def test_visit_before_the_long_2025_chuseok_stretch(client, desk, clock):
    # Thu 2 Oct 2025 17:30; Fri 3 (개천절) to Thu 9 (한글날) are all off
    clock.now = kst(2025, 10, 2, 17, 30).astimezone(UTC)
    finding = desk_finding(client, desk, channel="visit")
    assert finding.resolve_due_at == kst(2025, 10, 10, 11, 30)
    assert finding.due_reason == "channel_immediate"


def test_phone_over_lunch_counts_working_hours_only(client, desk, clock):
    clock.now = kst(2026, 11, 24, 11, 0).astimezone(UTC)  # Tuesday 11:00
    finding = desk_finding(client, desk, channel="phone")
    assert finding.resolve_due_at == kst(2026, 11, 24, 15, 0)  # 11-12, 13-15


def test_online_complaint_is_24_working_hours_from_receipt(client, desk, clock, routed_other):
    clock.now = kst(2026, 9, 23, 16, 0).astimezone(UTC)  # Wed before Chuseok
    finding = desk_finding(client, desk, channel="eungdapso_online", category="other")
    # Wed 16-18 (2 h), Mon 28 (8 h), Tue 29 (8 h), Wed 30 09-12 and 13-16 (6 h)
    assert finding.resolve_due_at == kst(2026, 9, 30, 16, 0)
    assert finding.due_reason == "channel_online"
    assert finding.ack_due_at <= finding.resolve_due_at


def test_written_complaint_counts_seven_business_days_with_the_day_of_receipt(
        client, desk, clock, routed_other):
    clock.now = kst(2026, 9, 23, 10, 0).astimezone(UTC)
    finding = desk_finding(client, desk, channel="written", category="other")
    # Wed 23 (1), Mon 28 .. Fri 2 Oct (2-6); Sat 3 and Mon 5 (alternative holiday) off; Tue 6
    assert finding.resolve_due_at == kst(2026, 10, 6, 18, 0)
    assert finding.due_reason == "channel_written"


def test_written_complaint_received_on_a_holiday_starts_on_the_next_business_day(
        client, desk, clock, routed_other):
    clock.now = kst(2026, 10, 3, 11, 0).astimezone(UTC)  # Saturday, 개천절
    finding = desk_finding(client, desk, channel="written", category="other")
    # Tue 6 (1), Wed 7, Thu 8, Mon 12, Tue 13, Wed 14, Thu 15 (Fri 9 한글날)
    assert finding.resolve_due_at == kst(2026, 10, 15, 18, 0)


def test_a_tighter_category_target_still_wins_over_the_legal_period(client, desk, clock):
    clock.now = kst(2026, 9, 23, 10, 0).astimezone(UTC)
    finding = desk_finding(client, desk, channel="written", category="roads")  # 3 days
    assert finding.resolve_due_at == kst(2026, 9, 30, 18, 0)
    assert finding.due_reason == "category"


def test_field_reports_keep_the_category_targets(observe, reporter, clock, routed_other):
    clock.now = kst(2026, 9, 23, 16, 0).astimezone(UTC)
    auditor = reporter(Role.CITIZEN_AUDITOR)
    obs = observe("other", user=auditor)
    finding = take(obs)
    assert finding.channel == "patrol"  # recorded directly here, the model's default
    assert finding.due_reason == "category"


def test_the_due_reason_label_is_shown_with_the_due_date(client, desk, clock, make_user):
    finding = desk_finding(client, desk, channel="phone")
    _, manager = make_user(Role.MANAGER)
    body = client.get(f"/api/v1/findings/{finding.id}", headers=manager).json
    assert body["resolve_due_at"] is not None
    assert body["due_reason"] == "channel_immediate"
    assert body["due_reason_label"]["name_ko"] == "전화·방문 민원 즉시 (3근무시간 이내)"
    assert body["channel"] == "phone"
    assert body["channel_label"] == {"name_ko": "전화", "name_en": "Phone"}


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.just(SEOUL))


@settings(max_examples=200, deadline=None)
@given(start=moments, code=st.sampled_from(["phone", "visit", "eungdapso_online", "open311"]))
def test_hour_rules_end_after_exactly_their_working_hours(start, code):
    cal = BusinessCalendar()
    rule = channels.rule_of(code)
    due = rule.due(cal, start)
    assert cal.business_seconds_between(start, due) == pytest.approx(rule.amount * 3600)
    assert cal.is_business_day(due.astimezone(SEOUL).date())


@settings(max_examples=200, deadline=None)
@given(start=moments)
def test_written_rule_ends_at_a_close_of_business_counting_seven_business_days(start):
    cal = BusinessCalendar()
    due = channels.rule_of("written").due(cal, start)
    first, last = start.astimezone(SEOUL).date(), due.astimezone(SEOUL).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert sum(cal.is_business_day(day) for day in days) == 7
    assert cal.is_business_day(last) and due == cal.working_periods(last)[-1][1]


# --- the desk endpoint -----------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [
    (Role.DEPARTMENT_STAFF, 201), (Role.MANAGER, 201), (Role.ADMIN, 201),
    (Role.PATROL_OFFICER, 403), (Role.CITIZEN_AUDITOR, 403), (Role.VIEWER, 403),
])
def test_who_may_record_desk_complaints(client, make_user, world, clock, role, status):
    _, headers = make_user(role)
    assert complaint(client, headers).status_code == status


def test_anonymous_may_not_record(client, world, clock):
    assert complaint(client, {}).status_code == 401


@pytest.mark.parametrize("change,field", [
    ({"channel": "patrol"}, "channel"),
    ({"channel": "open311"}, "channel"),
    ({"category_code": "nope"}, "category_code"),
    ({"lat": 91}, "lat"),
    ({"note": "x" * 4001}, "note"),
    ({"client_id": "not-a-uuid"}, "client_id"),
])
def test_bad_complaints_are_refused_naming_the_field(client, desk, clock, change, field):
    body = {"channel": "phone", "category_code": "roads", "lat": SPOT[0], "lon": SPOT[1],
            **change}
    response = client.post("/api/v1/complaints", headers=desk, json=body)
    assert response.status_code == 422
    assert field in str(response.json)
    assert db.session.query(Observation).count() == 0


def test_a_phone_complaint_merges_with_a_patrol_report_of_the_same_problem(
        client, desk, observe, clock):
    patrol = take(observe("roads"))
    clock.advance(minutes=30)
    finding = desk_finding(client, desk, channel="phone", point=offset(SPOT, 10))
    assert finding.id == patrol.id and reload(finding).observation_count == 2
    channels_seen = {obs.channel for obs in db.session.query(Observation)}
    assert channels_seen == {"patrol", "phone"}


def test_sending_the_same_client_id_again_records_once(client, desk, clock):
    client_id = str(uuid.uuid4())
    first = complaint(client, desk, client_id=client_id)
    again = complaint(client, desk, client_id=client_id)
    assert first.status_code == again.status_code == 201
    assert first.json["observation_id"] == again.json["observation_id"]
    assert db.session.query(Observation).count() == 1
    assert again.json["finding_id"] is not None
