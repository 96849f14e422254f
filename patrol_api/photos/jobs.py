"""Photo jobs, run on rq or in-process; they take digests, not ORM objects.

- `make_derivatives(sha256)`: the thumb and screen JPEGs of a verified photo.
- `purge_expired_uploads()`: drop the stored chunks of abandoned uploads (cron or opportunistic).
"""
import contextlib
import io
import logging
import shutil
import tempfile
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image
from sqlalchemy.exc import IntegrityError

from media import derivatives
from media.errors import MediaError
from media.keys import blob_key, derivative_key
from patrol_api import photos
from patrol_api.extensions import db
from patrol_api.models import MediaBlob
from patrol_api.models.base import utcnow
from patrol_api.models.media import MediaDerivative, MediaMetadata, UploadSession

log = logging.getLogger(__name__)
KINDS = ("thumb", "screen")
MIME = "image/jpeg"
UPLOAD_RETENTION = timedelta(days=7)  # expired uploads answer 410 this long, then 404


class DecodersBusy(Exception):
    """Every decode slot of the process stayed taken for the whole wait."""


def make_derivatives(sha256: str, wait: float | None = None) -> int:
    """Job: make, store and record the thumb and screen JPEGs; returns how many were made.

    The decode waits for one of the process's decode slots (`photos.decode_slot`): as a
    job without limit, in a request (``wait`` seconds) raising DecodersBusy after that.
    """
    sha256 = sha256.lower()
    if not needs_derivatives(sha256):
        return 0
    db.session.commit()  # hold no transaction (SQLite: no write lock) while decoding
    with photos.decode_slot(wait) as acquired:
        if not acquired:
            raise DecodersBusy(sha256)
        try:
            made = _derive(sha256)
        except MediaError as error:
            _record_failure(sha256, error)
            return 0
    return _record(sha256, made)


def needs_derivatives(sha256: str) -> bool:
    """True when the blob is verified and a derivative of the current profile is missing."""
    blob = db.session.get(MediaBlob, sha256)
    if blob is None or blob.verified_at is None:
        return False
    have = db.session.execute(sa.select(MediaDerivative.kind).where(
        MediaDerivative.sha256 == sha256,
        MediaDerivative.profile == derivatives.PROFILE)).scalars().all()
    return set(KINDS) - set(have) != set()


def _derive(sha256: str) -> dict[str, tuple[str, bytes]]:
    """Decode the stored original once, store each derivative; {kind: (key, bytes)}."""
    store = photos.storage()
    with tempfile.TemporaryFile() as original:
        with contextlib.closing(store.open(blob_key(sha256))) as source:
            shutil.copyfileobj(source, original, 1 << 20)  # S3 streams cannot seek
        made = derivatives.make_derivatives(original, **photos.decode_limits())
    stored = {}
    for kind in KINDS:
        key = derivative_key(sha256, kind, derivatives.PROFILE)
        store.put(key, made[kind])
        stored[kind] = (key, made[kind])
    return stored


def _record(sha256: str, made: dict[str, tuple[str, bytes]]) -> int:
    """Record the stored derivatives (a concurrent twin job may have done it first)."""
    for kind, (key, data) in made.items():
        row = db.session.get(MediaDerivative, (sha256, kind)) or MediaDerivative(
            sha256=sha256, kind=kind)
        row.profile, row.key, row.mime, row.size = derivatives.PROFILE, key, MIME, len(data)
        row.width, row.height = _size(data)
        db.session.add(row)
    meta = db.session.get(MediaMetadata, sha256)
    if meta is not None:
        meta.derive_error = None
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return 0
    return len(made)


def _record_failure(sha256: str, error: MediaError) -> None:
    """Keep why the derivatives could not be made (an original that passed inspection)."""
    log.warning("derivatives of %s failed: %s", sha256, error)
    meta = db.session.get(MediaMetadata, sha256)
    if meta is not None:
        meta.derive_error = str(error)[:300]
        db.session.commit()


def _size(jpeg: bytes) -> tuple[int, int]:
    """Width and height of an encoded image (header only)."""
    with Image.open(io.BytesIO(jpeg)) as im:
        return im.size


def purge_expired_uploads() -> int:
    """Job: delete the stored chunks of open uploads past their expiry (they become "expired")
    and forget uploads expired a week ago; returns how many uploads expired now."""
    now = utcnow()
    expired = db.session.execute(sa.select(UploadSession).where(
        UploadSession.expires_at < now, UploadSession.state == "open")).scalars().all()
    store = photos.storage()
    for upload in expired:
        for part in upload.parts:
            store.delete(part[2])
        upload.parts, upload.state = [], "expired"
    db.session.execute(sa.delete(UploadSession).where(
        UploadSession.expires_at < now - UPLOAD_RETENTION))
    db.session.commit()
    return len(expired)
