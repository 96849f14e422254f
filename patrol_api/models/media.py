"""Photo pipeline records: resumable upload sessions, private EXIF facts, derivatives, uploaders.

The blob itself is `MediaBlob` (models/observations.py, owned by sync); these tables hang
off it by SHA-256.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from patrol_api.extensions import db
from patrol_api.models.base import UTCDateTime, utcnow

UPLOAD_STATES = ("open", "complete", "refused", "expired")


class UploadSession(db.Model):
    """A tus upload: who may continue it, how much arrived, where the parts are stored.

    `parts` lists `[offset, size, key]` of the chunks stored so far in the blob storage,
    in order; `received` is their total. The session lives until `expires_at`.
    """

    __tablename__ = "upload_session"
    __table_args__ = (sa.Index("ix_upload_session_user_id_state", "user_id", "state"),)
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), nullable=False)
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("device.id"))
    sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    length: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    received: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    parts: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    upload_metadata: Mapped[str | None] = mapped_column(sa.Text)
    filename: Mapped[str | None] = mapped_column(sa.String(255))
    filetype: Mapped[str | None] = mapped_column(sa.String(100))
    state: Mapped[str] = mapped_column(sa.String(12), nullable=False, default="open")
    error_code: Mapped[str | None] = mapped_column(sa.String(40))
    error_message: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


class MediaMetadata(db.Model):
    """What a verified photo says about itself. Private: capture time and position are shown
    only to managers and admins (and feed plausibility checks of evidence)."""

    __tablename__ = "media_metadata"
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("media_blob.sha256"), primary_key=True)
    format: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    width: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    height: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    orientation: Mapped[int | None] = mapped_column(sa.Integer)
    captured_at_raw: Mapped[str | None] = mapped_column(sa.String(100))
    captured_at_local: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=False))
    captured_utc_offset_min: Mapped[int | None] = mapped_column(sa.Integer)
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    altitude_m: Mapped[float | None] = mapped_column(sa.Float)
    gps_accuracy_m: Mapped[float | None] = mapped_column(sa.Float)
    gps_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    camera_make: Mapped[str | None] = mapped_column(sa.String(100))
    camera_model: Mapped[str | None] = mapped_column(sa.String(100))
    uploaded_by_device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("device.id"))
    derive_error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class MediaDerivative(db.Model):
    """A metadata-free JPEG made from a photo (thumb or screen), stored under `key`."""

    __tablename__ = "media_derivative"
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("media_blob.sha256"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    profile: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    key: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    mime: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    width: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    height: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class MediaUploader(db.Model):
    """A user who sent the bytes of a blob (identical content is stored once, for all)."""

    __tablename__ = "media_uploader"
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("media_blob.sha256"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), primary_key=True)
    device_id: Mapped[int | None] = mapped_column(sa.ForeignKey("device.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
