"""Findings (적출사항): one problem at one place, the observations merged into it, its events."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patrol_api.extensions import db
from patrol_api.models.base import UTCDateTime, Versioned, utcnow


class Finding(Versioned, db.Model):
    """A problem to fix. Everything but its identity is a projection of its events."""

    __tablename__ = "finding"
    __table_args__ = (sa.Index("ix_finding_open_cell", "is_open", "cell_key"),
                      sa.Index("ix_finding_cell_closed", "cell_key", "closed_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(24), unique=True, nullable=False)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), nullable=False)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("area.id"), index=True)
    lat: Mapped[float] = mapped_column(sa.Float, nullable=False)
    lon: Mapped[float] = mapped_column(sa.Float, nullable=False)
    cell_key: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    observation_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    priority: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="normal")
    # the intake channel of the observation that started it (findings/channels.py)
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="patrol",
                                         server_default="patrol", index=True)
    # projection of the events, kept in step in the same transaction
    event_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    state: Mapped[str] = mapped_column(sa.String(20), nullable=False, index=True)
    is_open: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"),
                                                      index=True)
    in_coordination: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    routing_rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("routing_rule.id"))
    routing_outcome: Mapped[str | None] = mapped_column(sa.String(20))
    transfer_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    ping_pong: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    due_reason: Mapped[str | None] = mapped_column(sa.String(20))  # what set resolve_due_at
    overdue: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    escalated: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    reminded_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_reason: Mapped[str | None] = mapped_column(sa.String(40))
    held_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_from_state: Mapped[str | None] = mapped_column(sa.String(20))
    exception_status: Mapped[str | None] = mapped_column(sa.String(20))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recurrence_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("finding.id"))
    recurrence_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("finding.id"))

    category = relationship("Category", lazy="selectin")
    department = relationship("Department", lazy="selectin")
    site = relationship("Site", lazy="selectin")
    area = relationship("Area", lazy="selectin")


class FindingEvent(db.Model):
    """An append-only fact in a finding's life: who did what, when, from which state."""

    __tablename__ = "finding_event"
    __table_args__ = (sa.UniqueConstraint("finding_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("finding.id"), nullable=False,
                                            index=True)
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    from_state: Mapped[str | None] = mapped_column(sa.String(20))
    to_state: Mapped[str | None] = mapped_column(sa.String(20))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    actor_role: Mapped[str | None] = mapped_column(sa.String(32))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow,
                                         index=True)
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    note: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)

    actor = relationship("User", lazy="selectin")


class Notification(db.Model):
    """An outgoing email or webhook, retried with backoff until delivered or given up."""

    __tablename__ = "finding_notification"
    __table_args__ = (sa.Index("ix_finding_notification_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(10), nullable=False)  # email | webhook
    target: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    topic: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    finding_id: Mapped[int | None] = mapped_column(sa.ForeignKey("finding.id"), index=True)
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False,
                                                      default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ParkedIntake(db.Model):
    """An observation the intake failed on for a reason other than a passing database fault:
    kept out of the periodic sweep, with the error, until an admin retries it."""

    __tablename__ = "intake_parked"
    observation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("observation.id", ondelete="CASCADE"), primary_key=True)
    error: Mapped[str] = mapped_column(sa.String(1000), nullable=False)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    parked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False,
                                                     default=utcnow)

    observation = relationship("Observation", lazy="joined")
