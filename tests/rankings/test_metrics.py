"""Monthly metrics on the crafted October, against hand-computed values."""
import pytest
import sqlalchemy as sa
from scenario import build, finding, kst

from patrol_api.extensions import db
from patrol_api.findings.calendar import BusinessCalendar
from patrol_api.models import Category, RankingFact
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
    # received: F1, F2, F3, F4, F10, F11 (routed), F11 (assigned back after coordination)
    assert (road["received"], road["transferred"], road["resolved"]) == (7, 3, 3)
    # due: F1, F2#1 on time; F2#2 open and late; F3 passed on before its due date and
    # F10 after it, both fixed by others after it (late: a transfer never takes a deadline
    # away); F11 passed on, back after coordination: one item, due 10-23 18:00, its clock
    # from 10-20 09:00, fixed 10-27 17:00 (late); F5 overdue since September, still open
    assert (road["due"], road["on_time"], road["backlog"]) == (7, 2, 1)
    assert (road["carried_late"], road["lost_late"]) == (1, 2)
    assert (road["verified"], road["failed"], road["reopened"]) == (1, 1, 1)
    assert (road["holds"], road["holds_unapproved"]) == (1, 0)  # F2's hold, by a manager


def test_road_rates(october):
    road = october["road"]
    assert road["on_time_rate"] == 0.2857
    assert road["transfer_rate"] == 0.4286
    assert road["reopen_rate"] == 0.3333
    assert road["verification_pass_rate"] == 0.5
    # F1 2/3, F2#1 13/12, F11 47 h / 24 h; F2#2, F3, F10 (not fixed by road, late) and
    # F5 (carried) at the cap 2
    assert road["relative_time"] == pytest.approx((2 / 3 + 13 / 12 + 47 / 24 + 8) / 7)


def test_road_business_times_exclude_holidays_and_holds(october):
    road = october["road"]
    assert (road["ack_p50_s"], road["ack_p90_s"]) == (25200, 169200)
    assert (road["resolve_p50_s"], road["resolve_p90_s"]) == (93600, 169200)


def test_clean_late_after_transfer_unapproved_hold_rejection_and_ping_pong(october):
    clean = october["clean"]
    # due: F3 (received before its due date, fixed late), F7 on time, F8 (a staff hold is
    # not approved: late), F9 (rejected after its due date), F11 (received 10-21: its own
    # deadline 10-26 18:00; passed to coordination and settled 10-27 17:00: late)
    assert (clean["received"], clean["resolved"], clean["due"], clean["on_time"]) == (5, 2, 5, 1)
    assert (clean["lost_late"], clean["carried_late"]) == (2, 0)
    assert (clean["holds"], clean["holds_unapproved"]) == (1, 1)
    assert clean["reopened"] == 0 and clean["verification_pass_rate"] == 1.0
    assert clean["relative_time"] == pytest.approx((111600 / 86400 + 3600 / 86400 + 6) / 5)
    assert (clean["ack_p50_s"], clean["ack_p90_s"]) == (3600, 7200)
    assert (clean["resolve_p50_s"], clean["resolve_p90_s"]) == (3600, 111600)


def test_dong_office_receiving_late_and_a_recurrence(october):
    dong = october["dong1"]
    # F10 arrived after its due date: dong1's own deadline is 3 days from receipt (on time)
    assert (dong["received"], dong["resolved"], dong["due"], dong["on_time"]) == (4, 3, 3, 3)
    assert (dong["reopened"], dong["reopen_rate"]) == (1, 0.3333)  # F13 recurred (F14)
    assert dong["relative_time"] == pytest.approx((79200 + 36000 + 32400) / 86400 / 3)
    assert (dong["ack_p50_s"], dong["resolve_p50_s"]) == (32400, 36000)


def test_not_yet_due_is_not_late(ctx):
    build()
    refresh.refresh()
    rows = metrics.month_metrics("2026-10", as_of=kst(10, 15, 12))
    road = next(row for row in rows if row["department_code"] == "road")
    # F1, F2#1 on time; F5 carried from September; F2's reopening is due 10-15 18:00
    assert (road["due"], road["on_time"], road["carried_late"]) == (3, 2, 1)
    # F3 due 10-16 18:00 is not counted yet: still with clean


def test_filters_by_kind(october, ctx):
    rows = metrics.month_metrics("2026-10", metrics.Filters(kind="dong_office"), as_of=AS_OF)
    assert [row["department_code"] for row in rows] == ["dong1"]


def test_refresh_is_incremental(october):
    assert refresh.refresh() == 0


def test_stints_of_a_transfer():
    cut = facts.stints([_Event("routed", 1, kst(10, 13, 9), {"resolve_due_at": kst(10, 16, 18)}),
                        _Event("transfer", 2, kst(10, 13, 11))], BusinessCalendar())
    assert [(s["department_id"], s["origin"], s["end_kind"]) for s in cut] == [
        (1, "routed", "transfer"), (2, "transfer", None)]


def test_stints_end_by_a_managers_transfer():
    """A manager's or an admin's transfer is not the department's (as a rejection)."""
    routed = _Event("routed", 1, kst(10, 13, 9), {"resolve_due_at": kst(10, 16, 18)})
    cut = {role: facts.stints([routed, _Event("transfer", 2, kst(10, 13, 11), role=role)],
                              BusinessCalendar())[0]
           for role in ("department_staff", "manager", "admin", None)}
    assert {role: s["end_kind"] for role, s in cut.items()} == {
        "department_staff": "transfer", "manager": "manager_transfer",
        "admin": "manager_transfer", None: "transfer"}
    # the sender still answers for its deadline until the cycle is settled, whoever moved it
    assert all(s["accountable_until"] is None for s in cut.values())


def _transferred_by(role):
    """Road's row after one more road item (received 10-13, due 10-16 18:00) transferred to
    clean by `role` and fixed by clean on time."""
    departments = build()
    cat = db.session.execute(sa.select(Category)).scalar_one()
    finding(cat, 34, [
        ("routed", departments["road"], kst(10, 13, 9), "assigned",
         {"resolve_due_at": kst(10, 16, 18)}),
        ("transfer", departments["clean"], kst(10, 13, 11), "assigned", None, role),
        ("resolve", departments["clean"], kst(10, 14, 10), "resolved", None)])
    db.session.commit()
    refresh.refresh()
    rows = metrics.month_metrics("2026-10", as_of=AS_OF)
    return next(row for row in rows if row["department_code"] == "road")


@pytest.mark.parametrize("role, transferred", [
    ("staff", 4), ("manager", 3), ("admin", 3)])
def test_a_managers_transfer_is_not_in_the_departments_transfer_rate(ctx, role, transferred):
    road = _transferred_by(role)
    # the crafted month's 7 received and 3 transferred, plus this item
    assert (road["received"], road["transferred"]) == (8, transferred)
    assert road["transfer_rate"] == round(transferred / 8, 4)
    assert road["on_time"] == 3  # F1, F2#1, and this item fixed in time by clean


def test_a_staff_hold_open_across_the_due_date_does_not_pause_it(october):
    held = db.session.execute(sa.select(RankingFact).where(
        RankingFact.due_at == kst(10, 30, 18))).scalar_one()
    assert held.resolved_at is None and held.paused_since is None  # F8: late for clean
    assert october["clean"]["due"] == 5


def _held(departments, number, due_reason=None, held=None, role="manager"):
    """A clean finding received 10-13, due 10-16 18:00, on hold since `held`."""
    cat = db.session.execute(sa.select(Category)).scalar_one()
    held = held or kst(10, 20, 10)
    finding(cat, number, [
        ("routed", departments["clean"], kst(10, 13, 9), "assigned",
         {"resolve_due_at": kst(10, 16, 18), "due_reason": due_reason}),
        ("hold", departments["clean"], held, "on_hold", None, role)],
        state="on_hold", held_since=held, due_reason=due_reason)
    db.session.commit()
    refresh.refresh()
    rows = metrics.month_metrics("2026-10", as_of=AS_OF)
    return next(row for row in rows if row["department_code"] == "clean")


def test_a_hold_begun_after_the_due_date_leaves_it_late(ctx):
    clean = _held(build(), 30)  # overdue since 10-16 18:00, held on 10-20
    assert (clean["due"], clean["on_time"]) == (6, 1)


def test_a_hold_never_moves_a_warranty_deadline(ctx):
    clean = _held(build(), 31, due_reason="warranty_end", held=kst(10, 14, 10))
    assert (clean["due"], clean["on_time"]) == (6, 1)


def test_an_approved_hold_before_the_due_date_takes_the_item_out_of_due(ctx):
    clean = _held(build(), 32, held=kst(10, 14, 10))
    assert (clean["due"], clean["on_time"]) == (5, 1)


def test_a_staff_hold_before_the_due_date_does_not(ctx):
    clean = _held(build(), 33, held=kst(10, 14, 10), role="staff")
    assert (clean["due"], clean["on_time"], clean["holds_unapproved"]) == (6, 1, 2)


def test_rejection_rate(october):
    clean, road = october["clean"], october["road"]
    assert (clean["rejected"], clean["received"], clean["rejection_rate"]) == (1, 5, 0.2)
    assert (road["rejected"], road["rejection_rate"]) == (0, 0.0)
    assert october["dong1"]["rejection_rate"] == 0.0


class _Event:
    def __init__(self, kind, dept, at, data=None, role=None):
        self.kind, self.department_id, self.at, self.data = kind, dept, at, data or {}
        self.to_state, self.actor_role = None, role


def test_stints_end_by_rejection_overruling_and_withdrawal():
    routed = _Event("routed", 1, kst(10, 13, 9), {"resolve_due_at": kst(10, 16, 18)})
    cut = {role: facts.stints([routed, _Event("reject", 1, kst(10, 14, 9), role=role)],
                              BusinessCalendar())[0]["end_kind"]
           for role in ("department_staff", "manager", "admin", None)}
    assert cut == {"department_staff": "reject", "manager": "manager_reject",
                   "admin": "manager_reject", None: "reject"}
    withdrawn = facts.stints([routed, _Event("withdrawn", 1, kst(10, 14, 9))],
                             BusinessCalendar())
    assert [(s["end_kind"], s["ended_at"]) for s in withdrawn] == [
        ("withdrawn", kst(10, 14, 9))]
