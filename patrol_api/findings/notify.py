"""Notifications: departments hear of new assignments and deadlines by email (SMTP) and
integrations by signed webhooks. Each message is a row (an outbox) written in the transaction
of the event that caused it, sent after commit, and retried with exponential backoff.

Webhooks are POSTed as JSON with `X-Patrol-Signature: sha256=<hex>`, the HMAC-SHA256 of
"<X-Patrol-Timestamp>.<body>" under FINDING_WEBHOOK_SECRET; never unsigned (start-up refuses
webhook URLs without a secret, see startup.py).
"""
import hashlib
import hmac
import json
import smtplib
import time
import urllib.request
from datetime import timedelta
from email.message import EmailMessage

import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import aftercommit, settings
from patrol_api.models import Department, Finding, FindingEvent, Notification, User
from patrol_api.models.base import utcnow

TOPICS = {"assigned": ("새 적출사항 배정", "New finding assigned"),
          "reminder": ("처리기한 임박", "Deadline approaching"),
          "overdue": ("처리기한 경과", "Deadline passed"),
          "escalated": ("기한 경과 보고", "Overdue finding escalated"),
          "due_earlier": ("처리기한 단축 (우선순위 상향)", "Due date moved earlier (priority)"),
          "warranty_expiring": ("하자보수기간 만료 예정", "Warranty ending soon"),
          "reopened": ("적출사항 재처리 요청", "Finding reopened, to be worked again"),
          "ack_reminder": ("접수기한 임박", "Acknowledge deadline approaching")}
ASSIGNING = ("routed", "assign", "transfer")
REOPENING = ("fail_verification", "reopen")  # reopen: by a manager or by a recurrence


def topic_of(event: FindingEvent) -> str | None:
    """The notification an event causes, if any."""
    if event.kind in ASSIGNING:
        return "assigned" if event.department_id is not None else None
    if event.kind in REOPENING:
        return "reopened" if event.department_id is not None else None
    if event.kind == "priority_changed":
        return "due_earlier" if event.data.get("due_earlier") and event.department_id else None
    if event.kind == "reminder" and event.data.get("due") == "ack":
        return "ack_reminder"
    return event.kind if event.kind in TOPICS else None


def on_event(finding: Finding, event: FindingEvent) -> None:
    """Queue the notifications of an event (called for every appended event)."""
    topic = topic_of(event)
    if topic is not None:
        queue(topic, finding, event)


def payload(topic: str, finding: Finding, event: FindingEvent) -> dict:
    """What a message says: the topic, the finding and the event — never the event's data,
    so no EXIF fact (emails reach department staff; webhooks are treated the same)."""
    department = db.session.get(Department, event.department_id or 0)
    return {"topic": topic, "event": {"kind": event.kind, "at": event.at.isoformat(),
                                      "reason": event.reason},
            "finding": {"id": finding.id, "reference": finding.reference,
                        "state": finding.state, "lat": finding.lat, "lon": finding.lon,
                        "department_code": department.code if department else None,
                        "ack_due_at": _iso(finding.ack_due_at),
                        "resolve_due_at": _iso(finding.resolve_due_at)}}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def emails(topic: str, department_id: int | None) -> list[str]:
    """Who is written to: managers on escalation, else the department (or its staff)."""
    if not settings.get("SMTP_HOST"):
        return []
    if topic == "escalated":
        return _user_emails(User.role.in_([Role.MANAGER.value]))
    department = db.session.get(Department, department_id or 0)
    if department is None:
        return []
    if department.email:
        return [department.email]
    return _user_emails(User.department_id == department.id)


def _user_emails(condition) -> list[str]:
    """Addresses of active users matching a condition."""
    return list(db.session.execute(sa.select(User.email).where(
        condition, User.active.is_(True), User.email.is_not(None))).scalars())


def queue(topic: str, finding: Finding, event: FindingEvent) -> None:
    """Add outbox rows for every recipient; delivery starts after commit."""
    body = payload(topic, finding, event)
    targets = [("email", address) for address in emails(topic, event.department_id)]
    targets += [("webhook", url) for url in settings.get("FINDING_WEBHOOK_URLS")]
    for channel, target in targets:
        db.session.add(Notification(channel=channel, target=target, topic=topic,
                                    finding_id=finding.id, payload=body, status="pending",
                                    attempts=0, next_attempt_at=utcnow()))
    if targets:
        aftercommit.enqueue(deliver_due)


def deliver_due(limit: int = 100) -> int:
    """Job: send the messages whose time has come; returns how many were sent. Commits."""
    rows = db.session.execute(sa.select(Notification).where(
        Notification.status == "pending", Notification.next_attempt_at <= utcnow())
        .order_by(Notification.id).limit(limit)).scalars().all()
    sent = sum(_attempt(row) for row in rows)
    db.session.commit()
    return sent


def _attempt(row: Notification) -> bool:
    """Try one message; on failure schedule the next try (or give up)."""
    row.attempts += 1
    try:
        SENDERS[row.channel](row)
    except Exception as error:  # noqa: BLE001 - any failure is retried later
        row.last_error = f"{type(error).__name__}: {error}"[:500]
        backoff = settings.get("FINDING_NOTIFY_BACKOFF_S") * 2 ** (row.attempts - 1)
        row.next_attempt_at = utcnow() + timedelta(seconds=backoff)
        if row.attempts >= settings.get("FINDING_NOTIFY_MAX_ATTEMPTS"):
            row.status = "failed"
        return False
    row.status, row.sent_at = "sent", utcnow()
    return True


def send_email(row: Notification) -> None:
    """Send one email through the configured SMTP server."""
    message = EmailMessage()
    ko, en = TOPICS[row.topic]
    message["Subject"] = f"[순찰] {ko} / {en}: {row.payload['finding']['reference']}"
    message["From"], message["To"] = settings.get("SMTP_FROM"), row.target
    message.set_content(json.dumps(row.payload, ensure_ascii=False, indent=2))
    timeout = settings.get("FINDING_NOTIFY_TIMEOUT_S")
    with smtplib.SMTP(settings.get("SMTP_HOST"), settings.get("SMTP_PORT"),
                      timeout=timeout) as smtp:
        if settings.get("SMTP_STARTTLS"):
            smtp.starttls()
        if settings.get("SMTP_USER"):
            smtp.login(settings.get("SMTP_USER"), settings.get("SMTP_PASSWORD"))
        smtp.send_message(message)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Patrol-Signature value of a webhook body."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def send_webhook(row: Notification) -> None:
    """POST one signed webhook; any non-2xx answer is a failure."""
    body = json.dumps(row.payload, ensure_ascii=False, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Patrol-Event": row.topic,
               "X-Patrol-Delivery": str(row.id), "X-Patrol-Timestamp": timestamp}
    secret = settings.get("FINDING_WEBHOOK_SECRET")
    if not secret:  # start-up refuses this; a config changed at run time fails the same way
        raise ValueError("FINDING_WEBHOOK_SECRET is not set: webhooks are never sent unsigned")
    headers["X-Patrol-Signature"] = signature(secret, timestamp, body)
    if not row.target.startswith(("https://", "http://")):
        raise ValueError("webhook URLs must be http(s)")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        row.target, data=body, headers=headers, method="POST")
    timeout = settings.get("FINDING_NOTIFY_TIMEOUT_S")
    with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310 - raises on 4xx/5xx
        pass


SENDERS = {"email": send_email, "webhook": send_webhook}
