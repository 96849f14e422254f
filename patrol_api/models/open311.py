"""Open311 GeoReport v2: client applications with their API keys, and the requests they filed."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patrol_api.extensions import db
from patrol_api.models.base import UTCDateTime, utcnow


class Open311Client(db.Model):
    """An application allowed to file requests; only the SHA-256 of its API key is stored.

    Its requests are observations of its own service user (role viewer, no password)."""

    __tablename__ = "open311_client"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")


class Open311Request(db.Model):
    """A request filed over Open311: its token, observation and the reporter's contact
    details (personal data: never in a public answer)."""

    __tablename__ = "open311_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(36), unique=True, nullable=False)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("open311_client.id"), nullable=False)
    observation_id: Mapped[int] = mapped_column(sa.ForeignKey("observation.id"),
                                                nullable=False, index=True)
    email: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    first_name: Mapped[str | None] = mapped_column(sa.String(100))
    last_name: Mapped[str | None] = mapped_column(sa.String(100))
    device_id: Mapped[str | None] = mapped_column(sa.String(200))
    account_id: Mapped[str | None] = mapped_column(sa.String(200))
    address_string: Mapped[str | None] = mapped_column(sa.String(300))
    media_url: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    observation = relationship("Observation")
    client = relationship("Open311Client")
