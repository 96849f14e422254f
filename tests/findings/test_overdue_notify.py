"""The deadlines job (overdue, reminders, escalation) and notifications (SMTP, webhooks)."""
import email
import email.policy
import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import notify, overdue
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import FindingEvent, Notification
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, consistent, photo, reload, take
from tests.findings.servers import HookServer


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL).astimezone(UTC)


def subject(message: dict) -> str:
    """The decoded Subject of a message the SMTP sink received."""
    return email.message_from_bytes(message["data"], policy=email.policy.default)["Subject"]


def kinds(finding) -> list[str]:
    return db.session.execute(sa.select(FindingEvent.kind).where(
        FindingEvent.finding_id == finding.id).order_by(FindingEvent.seq)).scalars().all()


@pytest.fixture
def staff(make_user, world):
    return make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0]


def test_unacknowledged_finding_becomes_overdue_once(observe, clock):
    clock.now = kst(2026, 11, 23, 10, 0)
    finding = take(observe("roads"))  # ack due Mon 14:00
    assert overdue.mark_overdue(kst(2026, 11, 23, 13, 59))["overdue"] == 0
    assert overdue.mark_overdue(kst(2026, 11, 23, 14, 1))["overdue"] == 1
    assert overdue.mark_overdue(kst(2026, 11, 23, 15, 0))["overdue"] == 0
    finding = reload(finding)
    assert finding.overdue and kinds(finding)[-1] == "overdue" and consistent(finding)


def test_acknowledging_clears_the_flag_until_the_resolve_date_passes(observe, clock, staff):
    clock.now = kst(2026, 11, 23, 10, 0)
    finding = take(observe("roads"))
    overdue.mark_overdue(kst(2026, 11, 23, 15, 0))
    clock.now = kst(2026, 11, 23, 15, 30)
    finding = act(staff, finding, "acknowledge")
    assert not finding.overdue
    assert overdue.mark_overdue(kst(2026, 11, 26, 17, 0))["overdue"] == 0  # due Thu 18:00
    assert overdue.mark_overdue(kst(2026, 11, 26, 18, 1))["overdue"] == 1


def test_open_but_not_due_and_on_hold_are_never_late(observe, clock, staff):
    clock.now = kst(2026, 11, 23, 10, 0)
    finding = act(staff, take(observe("roads")), "acknowledge")
    finding = act(staff, finding, "hold", reason="other_agency")
    assert overdue.mark_overdue(kst(2026, 12, 31, 12, 0)) == {
        "overdue": 0, "escalated": 0, "reminded": 0}
    assert take(observe("other", offset(SPOT, 500))).ack_due_at is None  # coordination


def test_escalation_after_business_hours_past_due(observe, clock, staff):
    clock.now = kst(2026, 11, 23, 10, 0)
    finding = act(staff, take(observe("roads")), "acknowledge")  # resolve due Thu 18:00
    overdue.mark_overdue(kst(2026, 11, 27, 9, 0))
    assert overdue.mark_overdue(kst(2026, 11, 27, 18, 0))["escalated"] == 0  # 8 h past
    # Friday 18:00 + the weekend + Monday: 16 business hours at Monday 18:00
    assert overdue.mark_overdue(kst(2026, 11, 30, 18, 0))["escalated"] == 1
    finding = reload(finding)
    assert finding.escalated and consistent(finding)


def test_reminder_once_before_the_resolve_date(observe, clock, staff):
    clock.now = kst(2026, 11, 23, 10, 0)
    finding = act(staff, take(observe("roads")), "acknowledge")
    assert overdue.mark_overdue(kst(2026, 11, 26, 13, 0))["reminded"] == 0  # 5 h before
    assert overdue.mark_overdue(kst(2026, 11, 26, 14, 30))["reminded"] == 1
    assert overdue.mark_overdue(kst(2026, 11, 26, 15, 0))["reminded"] == 0
    assert reload(finding).reminded_due_at == finding.resolve_due_at


@pytest.fixture
def hook(app):
    server = HookServer(statuses=[500, 503])
    app.config.update(FINDING_WEBHOOK_URLS=(server.url,), FINDING_WEBHOOK_SECRET="s3cret",
                      FINDING_NOTIFY_BACKOFF_S=0)
    yield server
    app.config.update(FINDING_WEBHOOK_URLS=(), FINDING_WEBHOOK_SECRET=None,
                      FINDING_NOTIFY_BACKOFF_S=None)
    server.shutdown()
    server.server_close()


def test_new_assignment_is_emailed_to_the_department(smtp, observe):
    finding = take(observe("roads"))
    [message] = smtp.messages  # delivered after the intake committed
    assert message["to"] == ["roads@ydp.example.go.kr"]
    assert finding.reference.encode() in message["data"]
    row = db.session.execute(sa.select(Notification)).scalar_one()
    assert (row.status, row.attempts, row.topic) == ("sent", 1, "assigned")


def test_webhooks_are_signed_and_retried_with_backoff(hook, observe):
    finding = take(observe("roads"))
    row = db.session.execute(sa.select(Notification)).scalar_one()
    assert (row.status, row.attempts) == ("pending", 1) and "500" in row.last_error
    assert notify.deliver_due() == 0  # second try: 503
    assert notify.deliver_due() == 1
    db.session.expire_all()
    row = db.session.execute(sa.select(Notification)).scalar_one()
    assert (row.status, row.attempts) == ("sent", 3)
    headers, body = hook.received[-1]
    expected = notify.signature("s3cret", headers["X-Patrol-Timestamp"], body)
    assert headers["X-Patrol-Signature"] == expected and headers["X-Patrol-Event"] == "assigned"
    assert json.loads(body)["finding"]["reference"] == finding.reference


def test_a_dead_webhook_is_given_up_after_max_attempts(app, observe):
    app.config.update(FINDING_WEBHOOK_URLS=("http://127.0.0.1:9/nothing",),
                      FINDING_NOTIFY_BACKOFF_S=0, FINDING_NOTIFY_MAX_ATTEMPTS=2)
    try:
        take(observe("roads"))
        notify.deliver_due()
        db.session.expire_all()
        row = db.session.execute(sa.select(Notification)).scalar_one()
        assert (row.status, row.attempts) == ("failed", 2)
        assert notify.deliver_due() == 0
    finally:
        app.config.update(FINDING_WEBHOOK_URLS=(), FINDING_NOTIFY_BACKOFF_S=None,
                          FINDING_NOTIFY_MAX_ATTEMPTS=None)


def test_overdue_and_escalation_notify(smtp, observe, clock, make_user):
    manager = make_user(Role.MANAGER)[0]
    manager.email = "audit@ydp.example.go.kr"
    db.session.commit()
    clock.now = kst(2026, 11, 23, 10, 0)
    take(observe("roads"))
    overdue.mark_overdue(kst(2026, 11, 25, 10, 0))
    overdue.mark_overdue(kst(2026, 11, 30, 10, 0))
    topics = db.session.execute(sa.select(Notification.topic, Notification.target)
                                .order_by(Notification.id)).all()
    assert [t for t, _ in topics] == ["assigned", "overdue", "escalated"]
    assert topics[-1][1] == "audit@ydp.example.go.kr"
    assert len(smtp.messages) == 3


def test_due_soon_backoff_timing(app, observe):
    app.config.update(FINDING_WEBHOOK_URLS=("http://127.0.0.1:9/x",),
                      FINDING_NOTIFY_BACKOFF_S=60)
    try:
        take(observe("roads"))
        row = db.session.execute(sa.select(Notification)).scalar_one()
        wait = row.next_attempt_at - datetime.now(UTC)
        assert timedelta(seconds=50) < wait <= timedelta(seconds=60)
        assert notify.deliver_due() == 0 and reload_row(row).attempts == 1  # not due yet
    finally:
        app.config.update(FINDING_WEBHOOK_URLS=(), FINDING_NOTIFY_BACKOFF_S=None)


def reload_row(row):
    db.session.expire_all()
    return db.session.get(Notification, row.id)


def test_an_acknowledge_date_gets_its_reminder_once(observe, clock, staff):
    clock.now = kst(2026, 11, 23, 10, 0)
    finding = take(observe("roads"))  # ack due Mon 14:00 (3 business hours, lunch 12-13)
    assert overdue.mark_overdue(kst(2026, 11, 23, 11, 30))["reminded"] == 0  # 1.5 h before
    assert overdue.mark_overdue(kst(2026, 11, 23, 12, 30))["reminded"] == 1  # 1 h before
    assert overdue.mark_overdue(kst(2026, 11, 23, 13, 30))["reminded"] == 0
    event = db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.kind == "reminder")).scalar_one()
    assert event.data == {"due": "ack", "due_at": finding.ack_due_at.isoformat()}
    clock.now = kst(2026, 11, 23, 13, 45)
    finding = act(staff, finding, "acknowledge")  # now only the resolve date (Thu 18:00)
    assert overdue.mark_overdue(kst(2026, 11, 26, 14, 30))["reminded"] == 1
    assert reload(finding).reminded_due_at == finding.resolve_due_at and consistent(finding)


def test_a_short_acknowledge_target_is_reminded_half_way(observe, clock):
    clock.now = kst(2026, 11, 23, 10, 0)
    take(observe("safety"))  # urgent: acknowledge within 1 business hour, by 11:00
    assert overdue.mark_overdue(kst(2026, 11, 23, 10, 1))["reminded"] == 0  # not at once
    assert overdue.mark_overdue(kst(2026, 11, 23, 10, 30))["reminded"] == 1


def test_two_close_due_dates_never_alternate_reminders(observe, clock, staff, make_user, world):
    clock.now = kst(2026, 11, 23, 10, 0)
    finding = take(observe("roads"))  # resolve due Thu 18:00
    cleaning = make_user(Role.DEPARTMENT_STAFF, department=world.department("cleaning"))[0]
    clock.now = kst(2026, 11, 26, 13, 0)
    finding = act(staff, finding, "transfer", reason="not_our_jurisdiction",
                  department_code="cleaning")  # new ack due Thu 16:00, resolve stays 18:00
    assert overdue.mark_overdue(kst(2026, 11, 26, 14, 0))["reminded"] == 0  # ack comes first
    assert overdue.mark_overdue(kst(2026, 11, 26, 15, 0))["reminded"] == 1  # the ack date
    assert overdue.mark_overdue(kst(2026, 11, 26, 15, 30))["reminded"] == 0
    clock.now = kst(2026, 11, 26, 15, 45)
    act(cleaning, finding, "acknowledge")
    assert overdue.mark_overdue(kst(2026, 11, 26, 15, 45))["reminded"] == 1  # the resolve date
    assert overdue.mark_overdue(kst(2026, 11, 26, 16, 30))["reminded"] == 0
    dues = db.session.execute(sa.select(FindingEvent.data).where(
        FindingEvent.kind == "reminder").order_by(FindingEvent.id)).scalars().all()
    assert [d["due"] for d in dues] == ["ack", "resolve"]


def test_reminders_are_emailed_by_which_date(smtp, observe, clock, staff):
    clock.now = kst(2026, 11, 23, 10, 0)
    finding = take(observe("roads"))
    overdue.mark_overdue(kst(2026, 11, 23, 12, 30))
    clock.now = kst(2026, 11, 23, 13, 0)
    act(staff, finding, "acknowledge")
    overdue.mark_overdue(kst(2026, 11, 26, 14, 30))
    topics = db.session.execute(sa.select(Notification.topic).order_by(
        Notification.id)).scalars().all()
    assert topics == ["assigned", "ack_reminder", "reminder"]
    assert subject(smtp.messages[1]).startswith("[순찰] 접수기한 임박 / Acknowledge deadline")


@pytest.fixture
def checked(observe, clock, staff, reporter):
    """A roads finding resolved a day ago, and its reporter (a patrol officer)."""
    patrol = reporter()
    finding = take(observe("roads", user=patrol))
    finding = act(staff, finding, "resolve",
                  evidence={"sha256": photo("fix"), "lat": SPOT[0], "lon": SPOT[1]})
    clock.advance(days=1)
    return finding, patrol


def _reopened() -> list[Notification]:
    return db.session.execute(sa.select(Notification).where(
        Notification.topic == "reopened")).scalars().all()


def test_a_failed_check_tells_the_department(smtp, checked):
    finding, patrol = checked
    act(patrol, finding, "fail_verification", reason="partially_fixed")
    [row] = _reopened()
    assert (row.target, row.status) == ("roads@ydp.example.go.kr", "sent")
    assert row.payload["event"] == {"kind": "fail_verification", "reason": "partially_fixed",
                                    "at": row.payload["event"]["at"]}
    assert subject(smtp.messages[-1]) == (
        f"[순찰] 적출사항 재처리 요청 / Finding reopened, to be worked again: {finding.reference}")


def test_a_managers_reopen_tells_the_department(smtp, checked, make_user):
    finding, patrol = checked
    finding = act(patrol, finding, "verify", position={"lat": SPOT[0], "lon": SPOT[1]})
    act(make_user(Role.MANAGER)[0], finding, "reopen", reason="not_fixed")
    assert [row.payload["event"]["kind"] for row in _reopened()] == ["reopen"]


def test_a_recurrence_that_reopens_tells_the_department(smtp, checked, observe, clock):
    finding, patrol = checked
    act(patrol, finding, "verify", position={"lat": SPOT[0], "lon": SPOT[1]})
    clock.advance(days=3)
    again = take(observe("roads", offset(SPOT, 5)))
    assert again.id == finding.id and again.state == "reopened"
    [row] = _reopened()
    assert row.payload["event"]["reason"] == "recurred"
    assert row.payload["finding"]["department_code"] == "roads"


def test_webhooks_are_never_sent_unsigned(app, observe):
    server = HookServer(statuses=[])
    app.config.update(FINDING_WEBHOOK_URLS=(server.url,), FINDING_NOTIFY_BACKOFF_S=0)
    try:
        take(observe("roads"))  # a secret removed while running: refused, retried later
        row = db.session.execute(sa.select(Notification)).scalar_one()
        assert row.status == "pending" and "never sent unsigned" in row.last_error
        assert server.received == []
    finally:
        app.config.update(FINDING_WEBHOOK_URLS=(), FINDING_NOTIFY_BACKOFF_S=None)
        server.shutdown()
        server.server_close()
