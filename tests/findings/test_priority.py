"""Priority changes: an event with a reason, due dates recomputed (holds still paused), the
department told when a date moves earlier; over HTTP for managers only."""
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import priority
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import FindingEvent, Notification
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, consistent, reload, take


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL).astimezone(UTC)


@pytest.fixture
def people(make_user, world):
    """A manager and staff of the roads and street-order departments."""
    def staff(code):
        return make_user(Role.DEPARTMENT_STAFF, department=world.department(code))[0]
    return {"manager": make_user(Role.MANAGER)[0], "admin": make_user(Role.ADMIN)[0],
            "roads": staff("roads"), "street": staff("street-order")}


def change(user, finding, new, reason="safety_risk", note=None):
    """Change the priority and commit; the reloaded finding."""
    priority.change(user, finding.id, new, reason, note)
    db.session.commit()
    return reload(finding)


def last_event(finding) -> FindingEvent:
    return db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.finding_id == finding.id).order_by(FindingEvent.seq.desc())).scalars().first()


def test_raising_the_priority_tightens_both_dates_and_tells_the_department(
        observe, clock, people, smtp):
    clock.now = kst(2026, 11, 23, 10, 0)  # Monday
    finding = take(observe("roads"))
    assert (finding.ack_due_at, finding.resolve_due_at, finding.due_reason) == (
        kst(2026, 11, 23, 14, 0), kst(2026, 11, 26, 18, 0), "category")
    smtp.messages.clear()
    clock.now = kst(2026, 11, 24, 10, 0)
    finding = change(people["manager"], finding, "urgent", note="보행자 사고 우려")
    # urgent caps (1 h, 1 day) counted from Monday 10:00, when the department received it
    assert (finding.priority, finding.ack_due_at, finding.resolve_due_at,
            finding.due_reason) == ("urgent", kst(2026, 11, 23, 11, 0),
                                    kst(2026, 11, 24, 18, 0), "priority")
    event = last_event(finding)
    assert (event.kind, event.reason, event.note, event.actor_user_id, event.to_state) == (
        "priority_changed", "safety_risk", "보행자 사고 우려", people["manager"].id, None)
    assert event.data["previous_priority"] == "normal" and event.data["due_earlier"] is True
    [message] = smtp.messages
    assert message["to"] == ["roads@ydp.example.go.kr"] and finding.reference.encode() in \
        message["data"]
    row = db.session.execute(sa.select(Notification).where(
        Notification.topic == "due_earlier")).scalar_one()
    assert row.status == "sent" and consistent(finding)


def test_time_already_on_hold_stays_paused(observe, clock, people, smtp):
    clock.now = kst(2026, 11, 23, 10, 0)
    finding = take(observe("street_order"))  # 5 business days: Monday 30th 18:00
    assert finding.resolve_due_at == kst(2026, 11, 30, 18, 0)
    staff = people["street"]
    finding = act(staff, finding, "acknowledge")
    clock.now = kst(2026, 11, 24, 10, 0)
    finding = act(staff, finding, "hold", reason="budget")
    clock.now = kst(2026, 11, 25, 10, 0)
    finding = act(staff, finding, "resume")  # 8 business hours on hold
    assert finding.resolve_due_at == kst(2026, 12, 1, 18, 0)
    smtp.messages.clear()
    clock.now = kst(2026, 11, 25, 11, 0)
    finding = change(people["admin"], finding, "high", reason="many_complaints")
    # high caps resolve at 3 days: Thursday 26th 18:00, plus the 8 hours held: Friday 18:00
    assert finding.resolve_due_at == kst(2026, 11, 27, 18, 0)
    assert finding.state == "acknowledged" and len(smtp.messages) == 1
    finding = change(people["manager"], finding, "normal", reason="overrated")
    assert finding.resolve_due_at == kst(2026, 12, 1, 18, 0)  # back where it was
    assert last_event(finding).data["due_earlier"] is False
    assert len(smtp.messages) == 1 and consistent(finding)


def test_a_hold_still_running_is_added_on_resume(observe, clock, people):
    clock.now = kst(2026, 11, 23, 10, 0)
    finding = take(observe("street_order"))
    staff = people["street"]
    clock.now = kst(2026, 11, 24, 10, 0)
    finding = act(staff, finding, "hold", reason="contractor")
    clock.now = kst(2026, 11, 25, 10, 0)
    finding = change(people["manager"], finding, "high")
    assert finding.state == "on_hold" and finding.resolve_due_at == kst(2026, 11, 26, 18, 0)
    clock.now = kst(2026, 11, 26, 10, 0)
    finding = act(staff, finding, "resume")  # Tuesday 10:00 to Thursday 10:00: 16 h
    assert finding.resolve_due_at == kst(2026, 11, 30, 18, 0) and consistent(finding)


def test_coordination_findings_change_priority_without_dates(observe, people):
    finding = take(observe("other", offset(SPOT, 900)))
    assert finding.in_coordination
    finding = change(people["manager"], finding, "high")
    assert (finding.priority, finding.ack_due_at, finding.resolve_due_at) == ("high", None, None)
    assert consistent(finding)


def refusal(call) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    db.session.rollback()
    return caught.value


def test_refusals(observe, people):
    finding = take(observe("roads"))
    manager = people["manager"]
    assert refusal(lambda: priority.change(people["roads"], finding.id, "urgent",
                                           "safety_risk", None)).status == 403
    assert refusal(lambda: priority.change(manager, finding.id, "urgent", "because",
                                           None)).code == "invalid_reason"
    assert refusal(lambda: priority.change(manager, finding.id, "normal", "safety_risk",
                                           None)).code == "same_priority"
    act(people["roads"], finding, "reject", reason="not_actionable")
    assert refusal(lambda: priority.change(manager, finding.id, "urgent", "safety_risk",
                                           None)).status == 409


URL = "/api/v1/findings/{}/priority"


def test_over_http(client, make_user, world, reporter, observe):
    auditor = reporter(Role.CITIZEN_AUDITOR)
    finding = take(observe("roads", user=auditor))
    manager = make_user(Role.MANAGER)[1]
    staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[1]
    body = {"priority": "urgent", "reason": "safety_risk", "note": "내부 메모"}
    assert client.post(URL.format(finding.id), json=body, headers=staff).status_code == 403
    stale = client.post(URL.format(finding.id), json=body,
                        headers={**manager, "If-Match": '"v999"'})
    assert stale.status_code == 412
    answer = client.post(URL.format(finding.id), json=body, headers=manager)
    assert answer.status_code == 200, answer.get_json()
    got = answer.get_json()
    assert (got["priority"], got["due_reason"], got["due_reason_label"]["name_ko"]) == (
        "urgent", "priority", "우선순위 상한")
    assert got["events"][-1]["kind"] == "priority_changed"
    seen = client.get(f"/api/v1/findings/{finding.id}", headers=auditor.headers).get_json()
    assert seen["events"][-1]["kind"] == "priority_changed"
    assert seen["events"][-1]["note"] is None  # citizen auditors never see internal notes
    wrong = client.post(URL.format(finding.id), json={**body, "priority": "extreme"},
                        headers=manager)
    assert wrong.status_code == 422 and wrong.get_json()["field"] == "priority"
