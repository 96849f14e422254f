"""A crafted October 2026 (holidays 10-05 and 10-09) of three departments, built from events.

Times are Seoul time. Expected values are computed by hand in docs/rankings.md.
"""
from datetime import datetime

from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Category, Department, Finding, FindingEvent


def kst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Seoul time in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=SEOUL)


def department(code: str, kind: str = "headquarters") -> Department:
    """A department."""
    dept = Department(code=code, name_ko=f"{code}과", name_en=code, kind=kind)
    db.session.add(dept)
    db.session.flush()
    return dept


def category() -> Category:
    """Roads: acknowledge in 3 business hours, resolve in 3 business days."""
    cat = Category(code="road", name_ko="도로", name_en="Roads", group="street",
                   ack_hours=3, resolve_days=3)
    db.session.add(cat)
    db.session.flush()
    return cat


def finding(cat: Category, number: int, events: list[tuple], **columns) -> Finding:
    """A finding with its events: (kind, department, at, to_state, data); `columns` set what
    the projection of those events would (e.g. state and held_since of a finding on hold)."""
    first = events[0][2]
    row = Finding(reference=f"F-2026-{number:06d}", category_id=cat.id, lat=37.5, lon=126.9,
                  cell_key=1, first_seen_at=first, last_seen_at=first,
                  **{"state": "assigned", **columns}, event_count=len(events))
    db.session.add(row)
    db.session.flush()
    for seq, (kind, dept, at, to_state, data, *role) in enumerate(events, start=1):
        db.session.add(FindingEvent(finding_id=row.id, seq=seq, kind=kind, at=at,
                                    department_id=dept.id if dept else None,
                                    to_state=to_state, data=_json(data or {}),
                                    actor_role=role[0] if role else "staff"))
    return row


def _json(data: dict) -> dict:
    """Times in event data as ISO text."""
    return {key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in data.items()}


def build() -> dict:
    """The crafted month; returns the departments by code."""
    cat = category()
    road, clean = department("road"), department("clean")
    dong = department("dong1", "dong_office")
    due = "resolve_due_at"
    finding(cat, 1, [  # acked 1.5 h, resolved in 16 business hours (over 10-05), verified
        ("routed", road, kst(10, 1, 10), "assigned", {due: kst(10, 7, 18)}),
        ("acknowledge", road, kst(10, 1, 11, 30), "acknowledged", None),
        ("resolve", road, kst(10, 6, 10), "resolved", None),
        ("verify", road, kst(10, 7, 9), "verified", None)])
    finding(cat, 2, [  # 8 business hours on an approved hold; on time; fails verification
        ("routed", road, kst(10, 1, 10), "assigned", {due: kst(10, 7, 18)}),
        ("acknowledge", road, kst(10, 2, 9), "acknowledged", None),
        ("hold", road, kst(10, 2, 10), "on_hold", None, "manager"),
        ("resume", road, kst(10, 6, 10), "acknowledged", {due: kst(10, 8, 18)}),
        ("resolve", road, kst(10, 8, 12), "resolved", None),
        ("fail_verification", road, kst(10, 12, 10), "reopened", {due: kst(10, 15, 18)})])
    finding(cat, 3, [  # transferred from road to clean, resolved late by clean
        ("routed", road, kst(10, 13, 9), "assigned", {due: kst(10, 16, 18)}),
        ("transfer", clean, kst(10, 13, 11), "assigned", None),
        ("acknowledge", clean, kst(10, 13, 14), "acknowledged", None),
        ("resolve", clean, kst(10, 19, 10), "resolved", None)])
    finding(cat, 4, [  # open, due in November: not late
        ("routed", road, kst(10, 29, 10), "assigned", {due: kst(11, 3, 18)})])
    finding(cat, 5, [  # open since September: backlog
        ("routed", road, kst(9, 1, 10), "assigned", {due: kst(9, 4, 18)})])
    finding(cat, 6, [  # the dong office's single finding (due over 한글날 10-09)
        ("routed", dong, kst(10, 6, 10), "assigned", {due: kst(10, 12, 18)}),
        ("acknowledge", dong, kst(10, 6, 10, 30), "acknowledged", None),
        ("resolve", dong, kst(10, 8, 17), "resolved", None),
        ("verify", dong, kst(10, 9, 11), "verified", None)])
    finding(cat, 7, [  # resolved in an hour; reopened after 31 days: outside the window
        ("routed", clean, kst(10, 20, 9), "assigned", {due: kst(10, 23, 18)}),
        ("resolve", clean, kst(10, 20, 10), "resolved", None),
        ("verify", clean, kst(10, 21, 10), "verified", None),
        ("reopen", clean, kst(11, 20, 10), "reopened", {due: kst(11, 25, 18)})])
    finding(cat, 8, [  # on a staff hold (not approved) across its due date: late
        ("routed", clean, kst(10, 27, 10), "assigned", {due: kst(10, 30, 18)}),
        ("hold", clean, kst(10, 28, 10), "on_hold", None)],
        state="on_hold", held_since=kst(10, 28, 10))
    finding(cat, 9, [  # rejected by clean after its due date: late for clean
        ("routed", clean, kst(10, 19, 9), "assigned", {due: kst(10, 22, 18)}),
        ("reject", clean, kst(10, 26, 10), "rejected", None)], state="rejected")
    finding(cat, 10, [  # transferred by road after its due date: late for road, not dong1
        ("routed", road, kst(10, 19, 9), "assigned", {due: kst(10, 22, 18)}),
        ("transfer", dong, kst(10, 26, 10), "assigned", None),
        ("resolve", dong, kst(10, 27, 12), "resolved", None)], state="resolved")
    finding(cat, 11, [  # ping-pong: road -> clean -> coordination -> road; due 10-23 kept
        ("routed", road, kst(10, 20, 9), "assigned", {due: kst(10, 23, 18)}),
        ("transfer", clean, kst(10, 21, 9), "assigned", None),
        ("transfer", None, kst(10, 22, 9), "new", {"in_coordination": True}),
        ("assign", road, kst(10, 26, 9), "assigned", {due: kst(10, 29, 18)}, "manager"),
        ("resolve", road, kst(10, 27, 17), "resolved", None)], state="resolved")
    first = finding(cat, 13, [  # fixed by dong1; the problem is back 16 days later
        ("routed", dong, kst(10, 13, 9), "assigned", {due: kst(10, 16, 18)}),
        ("resolve", dong, kst(10, 14, 10), "resolved", None)], state="resolved")
    finding(cat, 14, [  # the recurrence: a new finding at the same place
        ("routed", dong, kst(10, 30, 10), "assigned", {due: kst(11, 4, 18)})],
        recurrence_of_id=first.id)
    db.session.commit()
    return {"road": road, "clean": clean, "dong1": dong}
