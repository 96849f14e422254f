"""Verify a received file and record it: digest, inspection, content-addressed store, EXIF.

Both upload routes (tus and single-request) end here. The file work happens outside any
database transaction; the rows are then written in one short transaction, and the jobs
(derivatives, observation completeness) are enqueued after it committed.
"""
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.exc import IntegrityError

from media.digest import verify_digest
from media.errors import TOO_LARGE, MediaError
from media.inspect import ImageInfo, inspect_image
from media.storage import put_blob
from patrol_api import jobs, photos
from patrol_api.extensions import db
from patrol_api.models import MediaBlob
from patrol_api.models.base import utcnow
from patrol_api.models.media import MediaMetadata, MediaUploader
from patrol_api.ops import metrics

log = logging.getLogger(__name__)


def ingest(path: str | os.PathLike[str], announced: str, user_id: int,
           device_id: int | None) -> tuple[str, bool]:
    """Verify, store and record a file; returns (sha256, True when newly verified)."""
    sha256, info = verify_and_store(path, announced)
    created = commit_retrying(lambda: record(sha256, info, user_id, device_id))
    announce(sha256)
    return sha256, created


def verify_and_store(path: str | os.PathLike[str], announced: str) -> tuple[str, ImageInfo]:
    """Check the bytes against the announced digest, then the image rules; store them once.

    Raises MediaError (digest_mismatch, too_large, unsupported_type, corrupt_image, ...).
    """
    try:
        sha256 = verify_digest(path, announced)
        info = inspect_image(path, **photos.limits())
    except MediaError as error:
        metrics.upload_refused(error.code)
        raise
    put_blob(photos.storage(), path, sha256)
    return sha256, info


def record(sha256: str, info: ImageInfo, user_id: int, device_id: int | None) -> bool:
    """Stage the blob (verified), its private metadata and its uploader; True when the blob
    was not verified before. Does not commit."""
    blob = db.session.get(MediaBlob, sha256)
    if blob is None:
        blob = MediaBlob(sha256=sha256, size=info.size_bytes, mime=info.mime,
                         uploaded_by_user_id=user_id)
        db.session.add(blob)
    created = blob.verified_at is None
    if created:
        blob.size, blob.mime, blob.verified_at = info.size_bytes, info.mime, utcnow()
        blob.uploaded_by_user_id = blob.uploaded_by_user_id or user_id
    if db.session.get(MediaMetadata, sha256) is None:
        db.session.add(metadata_row(sha256, info, device_id))
    if db.session.get(MediaUploader, (sha256, user_id)) is None:
        db.session.add(MediaUploader(sha256=sha256, user_id=user_id, device_id=device_id))
    return created


def metadata_row(sha256: str, info: ImageInfo, device_id: int | None) -> MediaMetadata:
    """The private facts of a photo: size as shown, capture time, position, camera."""
    captured = info.captured_at
    offset = captured.utcoffset() if captured is not None else None
    return MediaMetadata(
        sha256=sha256, format=info.format, width=info.width, height=info.height,
        orientation=info.orientation, captured_at_raw=info.captured_at_raw,
        captured_at_local=captured.replace(tzinfo=None) if captured else None,
        captured_utc_offset_min=None if offset is None else int(offset.total_seconds() // 60),
        latitude=info.latitude, longitude=info.longitude, altitude_m=info.altitude_m,
        gps_accuracy_m=info.gps_accuracy_m, gps_time=info.gps_time,
        camera_make=info.camera_make, camera_model=info.camera_model,
        uploaded_by_device_id=device_id)


def commit_retrying(stage: Callable[[], bool]) -> bool:
    """Stage and commit; once more after a unique clash (the same photo finishing twice)."""
    try:
        result = stage()
        db.session.commit()
        return result
    except IntegrityError:
        db.session.rollback()
    result = stage()  # now sees the rows the other request committed
    db.session.commit()
    return result


def announce(sha256: str) -> None:
    """After commit: make the derivatives, and let sync complete the observations listing it."""
    from patrol_api.photos import jobs as photo_jobs
    from sync.photos import blob_verified

    try:
        jobs.enqueue(photo_jobs.make_derivatives, sha256)
    except Exception:  # noqa: BLE001 - serving makes missing derivatives on first view
        log.exception("derivatives of %s not made now", sha256)
    jobs.enqueue(blob_verified, sha256)


def ingest_stream(stream: BinaryIO, announced: str, user_id: int,
                  device_id: int | None) -> tuple[str, bool]:
    """Spool a request body (at most MEDIA_MAX_UPLOAD_BYTES) to a file and ingest it."""
    limit = photos.limits()["max_bytes"]
    with tempfile.TemporaryDirectory(prefix="patrol-photo-") as folder:
        path = Path(folder) / "photo"
        with path.open("wb") as out:
            copied = _copy_bounded(stream, out, limit + 1)
        if copied > limit:
            raise MediaError(TOO_LARGE, f"the file is more than {limit} bytes")
        return ingest(path, announced, user_id, device_id)


def _copy_bounded(source: BinaryIO, target: BinaryIO, limit: int) -> int:
    """Copy at most `limit` bytes; returns how many were copied."""
    copied = 0
    while copied < limit:
        block = source.read(min(1 << 20, limit - copied))
        if not block:
            break
        target.write(block)
        copied += len(block)
    return copied
