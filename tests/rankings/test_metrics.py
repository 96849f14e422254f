"""Monthly metrics on the crafted October, against hand-computed values."""
import pytest
from scenario import build, kst

from patrol_api.findings.calendar import BusinessCalendar
from patrol_api.rankings import facts, metrics, refresh

AS_OF = kst(11, 22, 12)


@pytest.fixture
def october(ctx):
    """The crafted month, facts refreshed; metrics rows by department code."""
    build()
    refresh.refresh()
    rows = metrics.month_metrics("2026-10", as_of=AS_OF)
    return {row["department_code"]: row for row in rows}


def test_road_counts(october):
    road = october["road"]
    assert (road["received"], road["transferred"], road["resolved"]) == (4, 1, 2)
    assert (road["due"], road["on_time"], road["backlog"]) == (3, 2, 1)
    assert (road["verified"], road["failed"], road["reopened"]) == (1, 1, 1)


def test_road_rates(october):
    road = october["road"]
    assert road["on_time_rate"] == 0.6667
    assert road["transfer_rate"] == 0.25
    assert road["reopen_rate"] == 0.5
    assert road["verification_pass_rate"] == 0.5
    assert road["relative_time"] == pytest.approx((57600 + 93600) / 86400 / 2)


def test_road_business_times_exclude_holidays_and_holds(october):
    road = october["road"]
    assert (road["ack_p50_s"], road["ack_p90_s"]) == (5400, 25200)
    assert (road["resolve_p50_s"], road["resolve_p90_s"]) == (57600, 93600)


def test_clean_late_after_transfer_and_reopen_outside_window(october):
    clean = october["clean"]
    assert (clean["received"], clean["resolved"], clean["due"], clean["on_time"]) == (2, 2, 2, 1)
    assert clean["reopened"] == 0 and clean["verification_pass_rate"] == 1.0
    assert (clean["ack_p50_s"], clean["ack_p90_s"]) == (3600, 7200)
    assert (clean["resolve_p50_s"], clean["resolve_p90_s"]) == (3600, 111600)


def test_dong_office_single_finding(october):
    dong = october["dong1"]
    assert (dong["received"], dong["resolved"], dong["due"], dong["on_time"]) == (1, 1, 1, 1)
    assert (dong["ack_p50_s"], dong["resolve_p50_s"]) == (1800, 79200)


def test_not_yet_due_is_not_late(ctx):
    build()
    refresh.refresh()
    rows = metrics.month_metrics("2026-10", as_of=kst(10, 15, 12))
    road = next(row for row in rows if row["department_code"] == "road")
    assert (road["due"], road["on_time"]) == (2, 2)  # F2's reopening is due 10-15 18:00


def test_filters_by_kind(october, ctx):
    rows = metrics.month_metrics("2026-10", metrics.Filters(kind="dong_office"), as_of=AS_OF)
    assert [row["department_code"] for row in rows] == ["dong1"]


def test_refresh_is_incremental(october):
    assert refresh.refresh() == 0


def test_stints_of_a_transfer():
    class Event:
        def __init__(self, kind, dept, at, data=None):
            self.kind, self.department_id, self.at, self.data = kind, dept, at, data or {}
            self.to_state = None
    cut = facts.stints([Event("routed", 1, kst(10, 13, 9), {"resolve_due_at": kst(10, 16, 18)}),
                        Event("transfer", 2, kst(10, 13, 11))], BusinessCalendar())
    assert [(s["department_id"], s["origin"], s["end_kind"]) for s in cut] == [
        (1, "routed", "transfer"), (2, "transfer", None)]
