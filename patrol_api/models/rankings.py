"""Rankings: per-department work facts derived from finding events, and frozen snapshots."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from patrol_api.extensions import db
from patrol_api.models.base import UTCDateTime, utcnow


class RankingFact(db.Model):
    """One stint of a department on a finding (received -> resolved/ended), business-timed."""

    __tablename__ = "ranking_fact"
    __table_args__ = (sa.Index("ix_ranking_fact_dept_received", "department_id", "received_at"),
                      sa.Index("ix_ranking_fact_resolved", "resolved_at"),
                      sa.Index("ix_ranking_fact_due", "due_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("finding.id"), nullable=False,
                                            index=True)
    stint: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), nullable=False)
    category_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    area_id: Mapped[int | None] = mapped_column(sa.Integer)
    origin: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # routed|transfer|reopen
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_kind: Mapped[str | None] = mapped_column(sa.String(20))  # transfer|reject|merge
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopen_after_s: Mapped[int | None] = mapped_column(sa.Integer)  # resolve -> reopen
    ack_s: Mapped[int | None] = mapped_column(sa.Integer)
    resolve_s: Mapped[int | None] = mapped_column(sa.Integer)
    expected_ack_s: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    expected_resolve_s: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # Until when the department held the finding (None: still holds it); a transfer into
    # coordination keeps it answerable until another department gets the finding.
    accountable_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    holds_unapproved: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # approved open hold


class RankingSnapshot(db.Model):
    """A frozen monthly ranking: never overwritten, a recomputation is a new version."""

    __tablename__ = "ranking_snapshot"
    __table_args__ = (sa.UniqueConstraint("month", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(sa.String(7), nullable=False, index=True)  # YYYY-MM
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    data_version: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    formula_version: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    params: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    tables: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    reason: Mapped[str | None] = mapped_column(sa.String(200))  # why this version was made
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
