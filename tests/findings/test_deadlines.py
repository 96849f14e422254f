"""Deadlines: business hours and days on the Seoul calendar, holidays, holds across month ends."""
from datetime import UTC, datetime

import pytest

from patrol_api.auth.roles import Role
from patrol_api.findings import deadlines
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Category
from tests.findings.helpers import act, consistent, take


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0]


def test_due_dates_skip_chuseok(observe, clock):
    clock.now = kst(2026, 9, 23, 16, 0).astimezone(UTC)  # Wednesday before Chuseok
    finding = take(observe("roads"))
    # 3 business hours: 16-18 Wed, then Thu-Sat Chuseok + Sunday -> Mon 09-10
    assert finding.ack_due_at == kst(2026, 9, 28, 10, 0)
    # 3 business days after Wed: Mon 28, Tue 29, Wed 30 -> close of Wed 30
    assert finding.resolve_due_at == kst(2026, 9, 30, 18, 0)


def test_received_on_a_holiday_weekend_counts_from_the_next_business_day(observe, clock):
    clock.now = kst(2026, 10, 3, 11, 0).astimezone(UTC)  # Saturday, National Foundation Day
    finding = take(observe("roads"))
    assert finding.ack_due_at == kst(2026, 10, 6, 12, 0)  # Mon 5th is the alternative holiday
    assert finding.resolve_due_at == kst(2026, 10, 8, 18, 0)


def test_hold_across_a_month_end_pauses_the_deadline(observe, clock, staff):
    clock.now = kst(2026, 11, 26, 10, 0).astimezone(UTC)  # Thursday
    finding = take(observe("roads"))
    assert finding.resolve_due_at == kst(2026, 12, 1, 18, 0)  # Fri, Mon, Tue
    finding = act(staff, finding, "acknowledge")
    clock.now = kst(2026, 11, 27, 15, 0).astimezone(UTC)  # Friday 15:00
    finding = act(staff, finding, "hold", reason="contractor")
    assert (finding.state, finding.hold_reason, finding.held_since) == (
        "on_hold", "contractor", clock.now)
    clock.now = kst(2026, 12, 2, 11, 0).astimezone(UTC)  # the next Wednesday 11:00
    finding = act(staff, finding, "resume")
    # on hold: Fri 15-18 (3h) + Mon, Tue (16h) + Wed 9-11 (2h) = 21 business hours
    assert finding.state == "acknowledged" and finding.hold_reason is None
    # Tue 18:00 + 21h: Wed 8h, Thu 8h, Fri 9-12 and 13-15
    assert finding.resolve_due_at == kst(2026, 12, 4, 15, 0)
    assert not finding.overdue and consistent(finding)


def test_resume_returns_to_the_state_held_from(observe, clock, staff):
    finding = take(observe("roads"))
    finding = act(staff, finding, "start")
    finding = act(staff, finding, "hold", reason="weather")
    assert act(staff, finding, "resume").state == "in_progress"


def test_priority_caps_tighten_the_category_targets(world, app):
    safety, roads = world.category("safety"), world.category("roads")
    assert deadlines.targets(safety, "urgent") == (1, 1)
    assert deadlines.targets(roads, "normal") == (3, 3)
    assert deadlines.targets(roads, "high") == (3, 3)
    assert deadlines.targets(world.category("street_order"), "high") == (4, 3)


def test_priority_at_the_category_default_keeps_the_category_deadline(world, app):
    """docs/findings.md: only a priority above the category's default caps its targets (an
    urgent one always). 복지 in the demo: default high, 4 h / 5 days -> stays 5 days at high."""
    welfare = Category(code="welfare", name_ko="복지", name_en="welfare", group="welfare",
                       ack_hours=4, resolve_days=5, merge_radius_m=10, merge_window_days=30,
                       recurrence_window_days=90, default_priority="high")
    assert deadlines.targets(welfare, "high") == (4, 5)
    assert deadlines.targets(welfare, "normal") == (4, 5)
    assert deadlines.targets(welfare, "urgent") == (1, 1)
    street_order = world.category("street_order")  # default normal, 8 h / 5 days
    assert deadlines.targets(street_order, "normal") == (8, 5)
    assert deadlines.targets(street_order, "high") == (4, 3)


def test_welfare_finding_at_its_default_priority_is_due_in_five_days(observe, clock, world):
    world.category("street_order").default_priority = "high"  # 8 h / 5 days, default high
    clock.now = kst(2026, 11, 23, 10, 0).astimezone(UTC)  # Monday
    finding = take(observe("street_order"))
    assert finding.priority == "high"
    assert finding.ack_due_at == kst(2026, 11, 24, 10, 0)  # 8 h: Mon 10-12, 13-18, Tue 9-10
    assert finding.resolve_due_at == kst(2026, 11, 30, 18, 0)  # Tue..Fri, Mon: 5 days
    assert finding.due_reason == "category"


def test_urgent_category_gets_urgent_deadlines(observe, clock):
    clock.now = kst(2026, 11, 23, 17, 30).astimezone(UTC)  # Monday 17:30
    finding = take(observe("safety"))
    assert finding.priority == "urgent"
    assert finding.ack_due_at == kst(2026, 11, 24, 9, 30)
    assert finding.resolve_due_at == kst(2026, 11, 24, 18, 0)
