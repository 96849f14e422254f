"""Users, their registered devices and their bearer tokens."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patrol_api.extensions import db
from patrol_api.models.base import UTCDateTime, utcnow


class User(db.Model):
    """A person who signs in: staff, patrol officer, citizen auditor or admin."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    # the patrol team the user walks with (matches PatrolRun.team / Campaign.teams)
    team: Mapped[str | None] = mapped_column(sa.String(80))
    # codes of the dong areas the user patrols: their phone pulls open findings there
    patrol_area_codes: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    password_hash: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    department = relationship("Department")


class Device(db.Model):
    """A phone or tablet registered to a user; its tokens die with it."""

    __tablename__ = "device"
    __table_args__ = (sa.UniqueConstraint("user_id", "client_uid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    client_uid: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    name: Mapped[str | None] = mapped_column(sa.String(120))
    platform: Mapped[str | None] = mapped_column(sa.String(40))
    app_version: Mapped[str | None] = mapped_column(sa.String(40))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False,
                                         index=True)
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("device.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    device = relationship("Device")
