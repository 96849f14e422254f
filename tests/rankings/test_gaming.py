"""Gaming the ranking never pays (issue 16): for each strategy, a department that games is
never better off than the same department handling the same items honestly.

Each generated example builds two worlds of the same departments, one category each: in the
honest world department A handles its items honestly; in the gaming world A handles the same
items the same way except one target item, which it games. A's month is scored in both worlds
with the same credibility prior (the honest world's group means: what A does to itself, not
to its neighbours), and its gaming score must never be higher; nor may any component be.
"""
import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario import kst

from patrol_api.extensions import db
from patrol_api.models import Category, Department, Finding, FindingEvent
from patrol_api.rankings import facts, metrics, refresh, scoring
from patrol_api.rankings import settings as ranking_settings

# October 2026's business days (10-05 and 10-09 are holidays)
DAYS = [1, 2, 6, 7, 8, 12, 13, 14, 15, 16, 19, 20, 21, 22]
AS_OF = kst(12, 20, 12)
_numbers = itertools.count(1)

EXAMPLES = settings(max_examples=5, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _calendar():
    from patrol_api.findings import deadlines
    return deadlines.calendar()


def _later(at: datetime, hours: float) -> datetime:
    """`hours` business hours after `at`."""
    return _calendar().add_business_seconds(at, hours * 3600)


def _due(at: datetime) -> datetime:
    return _calendar().add_business_days(at, 3)


class World:
    """Departments shared by the two worlds; one category per world."""

    def __init__(self):
        n = next(_numbers)
        self.a, self.b = (self._dept(f"{name}{n}") for name in ("a", "b"))
        self.cats = {name: self._cat(f"{name}{n}") for name in ("honest", "gaming")}

    @staticmethod
    def _dept(code):
        dept = Department(code=code, name_ko=code, name_en=code, kind="headquarters")
        db.session.add(dept)
        db.session.flush()
        return dept

    @staticmethod
    def _cat(code):
        cat = Category(code=code, name_ko=code, name_en=code, group="street", ack_hours=3,
                       resolve_days=3)
        db.session.add(cat)
        db.session.flush()
        return cat

    def add(self, world: str, events: list[tuple], **columns) -> None:
        """A finding of a world: events (kind, dept, at, data, role)."""
        first = events[0][2]
        row = Finding(reference=f"G-{next(_numbers):08d}", category_id=self.cats[world].id,
                      lat=37.5, lon=126.9, cell_key=1, first_seen_at=first,
                      last_seen_at=first, event_count=len(events),
                      **{"state": "assigned", **columns})
        db.session.add(row)
        db.session.flush()
        for seq, (kind, dept, at, data, role) in enumerate(events, start=1):
            data = {k: v.isoformat() if isinstance(v, datetime) else v
                    for k, v in (data or {}).items()}
            db.session.add(FindingEvent(finding_id=row.id, seq=seq, kind=kind, at=at,
                                        department_id=dept.id if dept else None,
                                        to_state="assigned", data=data, actor_role=role))

    def both(self, events: list[tuple]) -> None:
        for world in self.cats:
            self.add(world, events)

    def rows(self, world: str, month: str) -> list[dict]:
        filters = metrics.Filters(category_ids=(self.cats[world].id,))
        return metrics.month_metrics(month, filters, as_of=AS_OF)


def routed(dept, at):
    return ("routed", dept, at, {"resolve_due_at": _due(at)}, "staff")


def ev(kind, dept, at, data=None, role="staff"):
    return (kind, dept, at, data, role)


def _a_row(world: World, rows: list[dict]) -> dict | None:
    """A's row (None when nothing of A's was counted that month)."""
    return next((row for row in rows if row["department_id"] == world.a.id), None)


def _assert_not_better(world: World, months=("2026-10",)) -> None:
    """A's score and every component, gaming against honest, each month; same prior."""
    db.session.commit()
    refresh.refresh()
    weights = ranking_settings.get("RANKING_WEIGHTS")
    k = ranking_settings.get("RANKING_CREDIBILITY_K")
    for month in months:
        honest_rows, gaming_rows = world.rows("honest", month), world.rows("gaming", month)
        honest_row, gaming_row = _a_row(world, honest_rows), _a_row(world, gaming_rows)
        if honest_row is None or not honest_row["due"]:  # nothing due for the honest A
            assert gaming_row is None or gaming_row["on_time"] == 0 or not gaming_row["due"]
            continue
        assert gaming_row is not None, month  # the gaming A never drops out of a month
        means = scoring.group_means(honest_rows)
        honest = scoring.credible(honest_row, weights, means, k)
        gaming = scoring.credible(gaming_row, weights, means, k)
        assert gaming["score_exact"] <= honest["score_exact"] + 1e-9, (month, honest, gaming)
        raw_h, raw_g = scoring.components(honest_row), scoring.components(gaming_row)
        for name, value in raw_g.items():
            if value is not None and raw_h[name] is not None:
                assert value <= raw_h[name] + 1e-9, (month, name, raw_h, raw_g)


# Other items of A, the same in both worlds: (day index, business hours to resolve or None)
others = st.lists(st.tuples(st.integers(0, len(DAYS) - 1),
                            st.one_of(st.none(), st.integers(1, 60))), max_size=5)
day = st.integers(0, len(DAYS) - 1)


def _background(world: World, items) -> None:
    for index, hours in items:
        at = kst(10, DAYS[index], 10)
        events = [routed(world.a, at)]
        if hours is not None:
            events.append(ev("resolve", world.a, _later(at, hours)))
        world.both(events)


@pytest.mark.usefixtures("ctx")
@EXAMPLES
@given(items=others, received=day, late_by=st.integers(1, 40))
def test_transfer_a_late_item_away(items, received, late_by):
    """Honest: A fixes the late item. Gaming: A transfers it away at the same moment."""
    world = World()
    _background(world, items)
    at = kst(10, DAYS[received], 10)
    moment = _later(_due(at), late_by)
    world.add("honest", [routed(world.a, at), ev("resolve", world.a, moment)])
    world.add("gaming", [routed(world.a, at), ev("transfer", world.b, moment),
                         ev("resolve", world.b, _later(moment, 1))])
    _assert_not_better(world, ("2026-10", "2026-11"))


@pytest.mark.usefixtures("ctx")
@EXAMPLES
@given(items=others, received=day, before=st.integers(1, 20), held=st.integers(1, 140),
       late_by=st.integers(0, 40))
def test_hold_before_the_due_date(items, received, before, held, late_by):
    """Honest: A works the item and fixes it. Gaming: A puts it on hold (no manager's
    approval) shortly before its due date, resumes, and fixes it at the same moment."""
    world = World()
    _background(world, items)
    at = kst(10, DAYS[received], 10)
    due = _due(at)
    hold_at = max(at + timedelta(minutes=1), due - timedelta(hours=before))
    resume_at = _later(hold_at, held)
    fixed = max(_later(due, late_by), resume_at + timedelta(minutes=1))
    world.add("honest", [routed(world.a, at), ev("resolve", world.a, fixed)])
    world.add("gaming", [routed(world.a, at), ev("hold", world.a, hold_at),
                         ev("resume", world.a, resume_at), ev("resolve", world.a, fixed)])
    _assert_not_better(world, ("2026-10", "2026-11"))


@pytest.mark.usefixtures("ctx")
@EXAMPLES
@given(items=others, received=day, late_by=st.integers(1, 40))
def test_leave_late_items_open(items, received, late_by):
    """Honest: A fixes the late item. Gaming: A never fixes it — every month after counts."""
    world = World()
    _background(world, items)
    at = kst(10, DAYS[received], 10)
    world.add("honest", [routed(world.a, at),
                         ev("resolve", world.a, _later(_due(at), late_by))])
    world.add("gaming", [routed(world.a, at)])
    _assert_not_better(world, ("2026-10", "2026-11", "2026-12"))


@pytest.mark.usefixtures("ctx")
@EXAMPLES
@given(items=others, received=day, late_by=st.integers(1, 40))
def test_reject_overdue_items(items, received, late_by):
    """Honest: A fixes the overdue item. Gaming: A rejects it instead."""
    world = World()
    _background(world, items)
    at = kst(10, DAYS[received], 10)
    moment = _later(_due(at), late_by)
    world.add("honest", [routed(world.a, at), ev("resolve", world.a, moment)])
    world.add("gaming", [routed(world.a, at), ev("reject", world.a, moment)],
              state="rejected")
    _assert_not_better(world, ("2026-10", "2026-11"))


@pytest.mark.usefixtures("ctx")
@EXAMPLES
@given(items=others, received=day, first=st.integers(1, 20), second=st.integers(1, 20),
       waiting=st.integers(1, 40), fix=st.integers(1, 40))
def test_ping_pong(items, received, first, second, waiting, fix):
    """Honest: A keeps the item and fixes it. Gaming: A passes it to B, B to coordination,
    the manager gives it back to A (with a fresh due date on the finding), A fixes it at the
    same moment."""
    world = World()
    _background(world, items)
    at = kst(10, DAYS[received], 10)
    passed = _later(at, first)
    queued = _later(passed, second)
    back = _later(queued, waiting)
    fixed = _later(back, fix)
    world.add("honest", [routed(world.a, at), ev("resolve", world.a, fixed)])
    world.add("gaming", [
        routed(world.a, at), ev("transfer", world.b, passed), ev("transfer", None, queued),
        ev("assign", world.a, back, {"resolve_due_at": _due(back)}, "manager"),
        ev("resolve", world.a, fixed)])
    _assert_not_better(world, ("2026-10", "2026-11"))


@pytest.mark.usefixtures("ctx")
@EXAMPLES
@given(items=others, received=day, late_by=st.integers(1, 40))
def test_stay_small(items, received, late_by):
    """Honest: A keeps a hard item it will fix late. Gaming: A transfers it away before its
    due date to stay small — A still answers for the deadline it passed on."""
    world = World()
    _background(world, items)
    at = kst(10, DAYS[received], 10)
    moment = _later(_due(at), late_by)
    world.add("honest", [routed(world.a, at), ev("resolve", world.a, moment)])
    world.add("gaming", [routed(world.a, at), ev("transfer", world.b, _later(at, 1)),
                         ev("resolve", world.b, moment)])
    _assert_not_better(world, ("2026-10", "2026-11"))


def test_a_bad_month_cannot_be_skipped_by_staying_small(ctx):
    """One late item is enough to be ranked: there is no minimum volume to step under."""
    world = World()
    at = kst(10, 6, 10)
    world.add("honest", [routed(world.a, at), ev("resolve", world.a, _later(_due(at), 8))])
    db.session.commit()
    refresh.refresh()
    table = scoring.tables(world.rows("honest", "2026-10"))["headquarters"]
    row = _a_row(world, table)
    assert row["ranked"] and row["rank"] == 1 and row["on_time_rate"] == 0.0


def test_shrinking_pulls_small_departments_toward_the_group():
    """Five instant fixes no longer look perfect: the credibility z = 5 / (5 + k), the range
    is wider, and the lead over a big department shrinks."""
    def row(code, due, on_time, relative):
        return {"department_code": code, "department_kind": "headquarters", "due": due,
                "on_time": on_time, "relative_time": relative, "reopened": 0,
                "resolved": due, "verified": 0, "failed": 0, "transferred": 0,
                "received": due, "rejected": 0}
    weights = {"on_time": 0.4, "speed": 0.25}
    small, big = row("small", 5, 5, 0.0), row("big", 100, 94, 0.8)
    means = scoring.group_means([small, big])
    scoring.table([small, big], weights, 1, 10)
    assert small["credibility"] == pytest.approx(5 / 15)
    assert small["on_time_component"] == pytest.approx(5 / 15 + 10 / 15 * means["on_time"])
    assert small["score_high"] - small["score_low"] > big["score_high"] - big["score_low"]
    raw_small, raw_big = 100.0, 100 * (0.4 * 0.94 + 0.25 * 0.6) / 0.65
    assert small["score"] - big["score"] < raw_small - raw_big


def test_frozen_month_does_not_change_with_a_later_transfer(ctx):
    """A late October item transferred away in November: October's figures stay."""
    world = World()
    at = kst(10, 20, 10)
    world.add("honest", [routed(world.a, at)])
    db.session.commit()
    refresh.refresh()
    before = _a_row(world, world.rows("honest", "2026-10"))
    finding = db.session.query(Finding).filter_by(category_id=world.cats["honest"].id).one()
    db.session.add(FindingEvent(finding_id=finding.id, seq=2, kind="transfer",
                                at=kst(11, 10, 10), department_id=world.b.id,
                                to_state="assigned", data={}, actor_role="staff"))
    refresh.rebuild([finding.id])
    db.session.commit()
    after = _a_row(world, world.rows("honest", "2026-10"))
    assert after == before


@given(hops=st.lists(st.tuples(st.sampled_from(["transfer", "coordination"]),
                               st.integers(1, 30)), min_size=1, max_size=5),
       fix=st.integers(1, 60))
@settings(max_examples=60, deadline=None)
def test_ping_pong_always_leaves_someone_late(hops, fix):
    """Pure cut: however a finding is passed around, when it is fixed after its first
    deadline at least one department answers for that lateness."""
    from patrol_api.findings.calendar import BusinessCalendar

    cal = BusinessCalendar()

    class E:
        def __init__(self, kind, dept, at, data=None, role="staff"):
            self.kind, self.department_id, self.at = kind, dept, at
            self.data, self.actor_role = data or {}, role

    at = kst(10, 13, 9)
    due = cal.add_business_days(at, 3)
    events, holder, moment = [E("routed", 1, at, {"resolve_due_at": due})], 1, at
    for kind, hours in hops:
        moment = cal.add_business_seconds(moment, hours * 3600)
        if kind == "transfer":
            holder = 2 if holder != 2 else 3
            events.append(E("transfer", holder, moment))
        else:
            events.append(E("transfer", None, moment))
            moment = cal.add_business_seconds(moment, 3600)
            holder = 1
            events.append(E("assign", holder, moment,
                            {"resolve_due_at": cal.add_business_days(moment, 3)}, "manager"))
    fixed = cal.add_business_seconds(moment, fix * 3600)
    events.append(E("resolve", holder, fixed))
    cut = facts.stints(events, cal, resolve_days=3)
    counted = [s for s in cut if s["due_at"] is not None]  # a repeat stint counts once
    late = [s for s in counted if s["accountable_until"] is None
            or s["accountable_until"] > s["due_at"]]
    if fixed > due:
        assert late and any(s["department_id"] == 1 for s in late)  # 1 never escapes
    else:
        assert not late
