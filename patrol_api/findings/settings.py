"""Findings settings: defaults, overridable in the Flask config under the same names."""
from flask import current_app

DEFAULTS = {
    "FINDING_REOPEN_WITHIN_DAYS": 14,      # a recurrence this soon after closing reopens
    "FINDING_EVIDENCE_MIN_RADIUS_M": 30,   # "after" photos count within max(this, radius)
    "FINDING_EVIDENCE_CLOCK_TOLERANCE_S": 600,  # camera clock slack on EXIF capture times
    "FINDING_REMIND_BEFORE_HOURS": 4,      # business hours before a resolve date: reminder
    "FINDING_REMIND_ACK_BEFORE_HOURS": 1,  # ... before an acknowledge date (at most half-way)
    "FINDING_ESCALATE_AFTER_HOURS": 16,    # business hours past a due date: escalation
    "FINDING_PRIORITY_CAPS": {"urgent": (1, 1), "high": (4, 3)},  # (ack h, resolve d) caps
    "FINDING_DEFECT_GROUPS": ("street", "water", "safety"),  # category groups: warranty defects
    "FINDING_WEBHOOK_URLS": (),
    "FINDING_WEBHOOK_SECRET": None,
    "FINDING_NOTIFY_MAX_ATTEMPTS": 6,
    "FINDING_NOTIFY_BACKOFF_S": 30,        # doubles after each failed attempt
    "FINDING_NOTIFY_TIMEOUT_S": 5,
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_USER": None,
    "SMTP_PASSWORD": None,
    "SMTP_STARTTLS": False,
    "SMTP_FROM": "patrol@localhost",
}


def get(name: str):
    """A findings setting of the current app, or its default."""
    value = current_app.config.get(name)
    return DEFAULTS[name] if value is None else value
