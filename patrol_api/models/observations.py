"""Observations phones record offline, their photos, and the records of the sync protocol."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from patrol_api.extensions import db
from patrol_api.models.base import UTCDateTime, Versioned, utcnow

PHOTO_ROLES = ("before", "after", "checklist")
FATES = ("received", "awaiting_photos", "merged", "routed", "coordination", "resolved", "verified",
         "rejected")


class Observation(Versioned, db.Model):
    """One observation recorded on a phone; its client_id is the phone's UUID for it.

    `field_versions` maps each device-editable field to `[version, device_id]`: the version
    at which it last changed and the device that changed it (conflict detection).
    """

    __tablename__ = "observation"
    __table_args__ = (sa.Index("ix_observation_user_id_change_seq", "user_id", "change_seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(36), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("device.id"), nullable=False)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"), nullable=False)
    site_id: Mapped[int | None] = mapped_column(sa.ForeignKey("site.id"))
    lat: Mapped[float] = mapped_column(sa.Float, nullable=False)
    lon: Mapped[float] = mapped_column(sa.Float, nullable=False)
    accuracy_m: Mapped[float | None] = mapped_column(sa.Float)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("area.id"), index=True)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # how the problem reached the office (patrol_api/findings/channels.py)
    channel: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="patrol",
                                         server_default="patrol")
    recorded_at_device: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    clock_offset_ms: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    time_flags: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    photos_expected: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    photos_verified: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    complete: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    fate: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="received")
    fate_reason: Mapped[str | None] = mapped_column(sa.String(300))
    finding_id: Mapped[int | None] = mapped_column(sa.Integer)
    field_versions: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    # the entry a pull sends, as JSON text the database rendered (sync/pulltext.py)
    pull_json: Mapped[str | None] = mapped_column(sa.Text, deferred=True)

    category = relationship("Category", lazy="selectin")
    site = relationship("Site", lazy="selectin")
    area = relationship("Area", lazy="selectin")
    photos = relationship("ObservationPhoto", lazy="selectin", cascade="all, delete-orphan",
                          order_by="ObservationPhoto.position")


class ObservationPhoto(db.Model):
    """A photo an observation lists, by SHA-256; the blob itself may arrive later."""

    __tablename__ = "observation_photo"
    __table_args__ = (sa.UniqueConstraint("observation_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(sa.ForeignKey("observation.id"),
                                                nullable=False)
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    role: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)


class MediaBlob(db.Model):
    """Uploaded content addressed by its SHA-256; usable once verified."""

    __tablename__ = "media_blob"
    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    mime: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class AppliedMutation(db.Model):
    """The ledger of device mutations, written in the transaction of the write it records."""

    __tablename__ = "applied_mutation"
    __table_args__ = (
        sa.UniqueConstraint("device_id", "mutation_id"),
        sa.Index("ix_applied_mutation_device_id_device_seq", "device_id", "device_seq"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("device.id"), nullable=False)
    mutation_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    device_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    entity_id: Mapped[str | None] = mapped_column(sa.String(36))
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    result: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class SyncConflict(db.Model):
    """A value that lost a same-field conflict, kept with the value that won."""

    __tablename__ = "sync_conflict"
    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    entity_id: Mapped[str] = mapped_column(sa.String(36), nullable=False, index=True)
    field: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    server_value: Mapped[object] = mapped_column(sa.JSON)
    device_value: Mapped[object] = mapped_column(sa.JSON)
    base_version: Mapped[int | None] = mapped_column(sa.Integer)
    server_version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("device.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    mutation_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    rule: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class ClockSample(db.Model):
    """A device clock reading taken at a push: offset = server time - device time."""

    __tablename__ = "clock_sample"
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("device.id"), nullable=False,
                                           index=True)
    server_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    device_time: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    offset_ms: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)


class DeviceSyncState(db.Model):
    """Per-device high-water marks: every seq <= acked_through has been processed."""

    __tablename__ = "device_sync_state"
    device_id: Mapped[int] = mapped_column(sa.ForeignKey("device.id"), primary_key=True)
    acked_through: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    max_seq_seen: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
