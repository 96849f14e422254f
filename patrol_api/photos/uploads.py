"""Resumable upload sessions (tus): create, find, append chunks, complete, terminate.

Chunks are stored in the blob storage (`uploads/<id>/<offset>-<nonce>`), not on the API
host's disk: any API process can take the next PATCH of an upload, and a restart loses
nothing that was acknowledged. A PATCH is spooled to a temporary file and stored every
PART_BYTES, so a dropped connection keeps what arrived (tus: the client asks HEAD for the
offset and continues). A PATCH with Upload-Checksum is stored only whole and verified.

No database transaction is held while bytes arrive: each stored chunk is recorded in a
short transaction that re-reads the session under a row lock (SQLite: BEGIN IMMEDIATE) and
refuses the chunk if another request moved the offset meanwhile.
"""
import contextlib
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import ClientDisconnected

from media.digest import normalize_sha256
from media.errors import EMPTY_FILE, TOO_LARGE, MediaError
from media.keys import upload_part_key
from patrol_api import database, jobs, photos
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import MediaBlob
from patrol_api.models.base import utcnow
from patrol_api.models.media import UploadSession
from patrol_api.photos import ingest, tus
from patrol_api.photos.errors import refused

PART_BYTES = 4 * 1024 * 1024  # a long PATCH is stored (and acknowledged) every 4 MiB
READ_BYTES = 64 * 1024
PURGE_EVERY_SECONDS = 900  # creations enqueue the purge of expired uploads this often
_ID = re.compile(r"[0-9a-f]{32}")
_last_purge = 0.0


def create(user_id: int, device_id: int | None, length: int | None,
           raw_metadata: str | None) -> UploadSession:
    """A new upload of `length` bytes announced by its SHA-256 (in Upload-Metadata).

    The same owner announcing the same digest again gets their open upload back (a phone
    that lost the URL resumes); a digest already verified gets an upload that is complete.
    """
    facts = tus.metadata(raw_metadata)
    sha256 = _announced(facts.get("sha256"))
    _check_length(length)
    upload = _open_upload(user_id, device_id, sha256, length) or _new_upload(
        user_id, device_id, sha256, length, raw_metadata, facts)
    db.session.commit()
    if upload.state == "complete":
        ingest.announce(sha256)  # cheap and idempotent: completeness, missing derivatives
    _maybe_purge()
    return upload


def _announced(value: str | None) -> str:
    """The digest announced in the metadata, normalised; 400 when missing or malformed."""
    if not value:
        raise ApiError(400, "sha256_required", "Upload-Metadata must carry `sha256`: the hex "
                       "SHA-256 of the whole file.", "Upload-Metadata")
    try:
        return normalize_sha256(value)
    except MediaError as error:
        raise refused(error, "Upload-Metadata") from None


def _check_length(length: int | None) -> None:
    """Upload-Length is required (no deferred length), positive and within the limit."""
    limit = current_app.config["MEDIA_MAX_UPLOAD_BYTES"]
    if length is None:
        raise ApiError(400, "length_required", "Upload-Length is required (deferred length "
                       "is not supported).", "Upload-Length")
    if length == 0:
        raise ApiError(422, EMPTY_FILE, "An empty file is not a photo.", "Upload-Length")
    if length > limit:
        raise ApiError(413, TOO_LARGE, f"{length} bytes is more than {limit}.",
                       "Upload-Length")


def _open_upload(user_id: int, device_id: int | None, sha256: str,
                 length: int) -> UploadSession | None:
    """The owner's live upload of the same digest and length, if any."""
    return db.session.execute(sa.select(UploadSession).where(
        UploadSession.user_id == user_id, _same_device(device_id),
        UploadSession.sha256 == sha256, UploadSession.length == length,
        UploadSession.state.in_(("open", "complete")),
        UploadSession.expires_at > utcnow()).order_by(
        UploadSession.created_at.desc()).limit(1)).scalar()


def _same_device(device_id: int | None):
    """Condition: the upload was created from this device (or, for None, from the web)."""
    column = UploadSession.device_id
    return column.is_(None) if device_id is None else column == device_id


def _new_upload(user_id: int, device_id: int | None, sha256: str, length: int,
                raw_metadata: str | None, facts: dict) -> UploadSession:
    """Stage a new upload: complete at once when the digest is already verified."""
    blob = db.session.get(MediaBlob, sha256)
    done = blob is not None and blob.verified_at is not None and blob.size == length
    if not done:
        _check_quota(user_id)
    upload = UploadSession(
        id=secrets.token_hex(16), user_id=user_id, device_id=device_id, sha256=sha256,
        length=length, received=length if done else 0, parts=[],
        upload_metadata=raw_metadata, filename=tus.clean_text(facts.get("filename"), 255),
        filetype=tus.clean_text(facts.get("filetype"), 100),
        state="complete" if done else "open", expires_at=_expiry())
    db.session.add(upload)
    return upload


def _check_quota(user_id: int) -> None:
    """429 when the user already has MEDIA_MAX_OPEN_UPLOADS live uploads."""
    limit = current_app.config["MEDIA_MAX_OPEN_UPLOADS"]
    count = db.session.execute(sa.select(sa.func.count()).select_from(UploadSession).where(
        UploadSession.user_id == user_id, UploadSession.state == "open",
        UploadSession.expires_at > utcnow())).scalar()
    if count >= limit:
        raise ApiError(429, "too_many_uploads", f"You have {count} unfinished uploads: "
                       "finish or delete some first.")


def _expiry():
    """When an upload touched now expires if abandoned."""
    return utcnow() + timedelta(hours=current_app.config["MEDIA_UPLOAD_EXPIRY_HOURS"])


def find(upload_id: str, user_id: int, device_id: int | None) -> UploadSession:
    """The caller's upload; 404 for others' uploads and unknown ids alike."""
    upload = db.session.get(UploadSession, upload_id) if _ID.fullmatch(upload_id) else None
    if upload is None or upload.user_id != user_id or upload.device_id != device_id:
        raise ApiError(404, "not_found", "No such upload.")
    return upload


def check_usable(upload: UploadSession) -> None:
    """410 for an upload that expired or whose file was refused."""
    if upload.state == "refused":
        raise ApiError(410, "upload_refused", f"This upload was refused: "
                       f"{upload.error_message}", reason=upload.error_code)
    if upload.state == "expired" or (upload.state == "open" and upload.expires_at <= utcnow()):
        raise ApiError(410, "upload_expired", "This upload expired; start a new one.")


def status(upload_id: str, user_id: int, device_id: int | None) -> UploadSession:
    """The upload as HEAD shows it. One whose bytes all arrived but whose completion failed
    half-way (a crash, storage down) is completed now, so it never looks done but is not."""
    upload = find(upload_id, user_id, device_id)
    check_usable(upload)
    if upload.state == "open" and upload.received == upload.length:
        db.session.commit()
        with database.writing(), contextlib.suppress(ApiError):
            complete(upload_id)
        upload = find(upload_id, user_id, device_id)
        check_usable(upload)
    return upload


def append(upload_id: str, user_id: int, device_id: int | None, offset: int,
           body: BinaryIO, length: int, check: tus.Checksum | None) -> UploadSession:
    """Add `length` bytes at `offset`; completes the upload with its last byte."""
    upload = find(upload_id, user_id, device_id)
    check_usable(upload)
    if upload.state == "complete" and offset == upload.length and length == 0:
        return upload
    if upload.state != "open" or offset != upload.received:
        raise ApiError(409, "offset_mismatch", f"Upload-Offset must be {upload.received}.",
                       "Upload-Offset", offset=upload.received)
    if length > upload.length - offset:
        raise ApiError(413, "exceeds_upload_length", "The chunk runs past Upload-Length.")
    total = upload.length
    db.session.commit()  # hold no transaction (SQLite: no write lock) while bytes arrive
    received = _receive(upload_id, offset, body, length, check)
    if received == total:
        complete(upload_id)
    return find(upload_id, user_id, device_id)


def _receive(upload_id: str, offset: int, body: BinaryIO, length: int,
             check: tus.Checksum | None) -> int:
    """Store the body in parts; returns the new offset. Re-raises a dropped connection
    after keeping (without a checksum) the bytes that arrived."""
    if check is not None:
        return _receive_checked(upload_id, offset, body, length, check)
    position, left = offset, length
    while left > 0:
        with tempfile.TemporaryFile() as spool:
            size, dropped = _spool(body, spool, min(PART_BYTES, left))
            position = _store_part(upload_id, position, spool, size) if size else position
        if dropped is not None:
            raise dropped
        left -= size
    return position


def _receive_checked(upload_id: str, offset: int, body: BinaryIO, length: int,
                     check: tus.Checksum) -> int:
    """Spool the whole chunk, compare its digest, then store it (or answer 460)."""
    hasher = check.hasher()
    with tempfile.TemporaryFile() as spool:
        size, dropped = _spool(body, spool, length, hasher)
        if dropped is not None:
            raise dropped  # an incomplete chunk cannot be verified: nothing is kept
        if not secrets.compare_digest(hasher.digest(), check.expected):
            raise ApiError(tus.CHECKSUM_MISMATCH, "checksum_mismatch", "The chunk does not "
                           f"match its Upload-Checksum ({check.algorithm}); nothing was kept.",
                           "Upload-Checksum")
        return _store_part(upload_id, offset, spool, size) if size else offset


def _spool(body: BinaryIO, spool: BinaryIO, limit: int,
           hasher=None) -> tuple[int, Exception | None]:
    """Copy up to `limit` bytes; returns (bytes copied, the disconnect that stopped it)."""
    size = 0
    while size < limit:
        try:
            block = body.read(min(READ_BYTES, limit - size))
        except (ClientDisconnected, OSError) as error:
            return size, error
        if not block:
            return size, ClientDisconnected()
        spool.write(block)
        if hasher is not None:
            hasher.update(block)
        size += len(block)
    return size, None


def _store_part(upload_id: str, offset: int, spool: BinaryIO, size: int) -> int:
    """Store a spooled chunk, then record it if the upload still stands at `offset`."""
    key = upload_part_key(upload_id, offset, secrets.token_hex(4))
    spool.seek(0)
    photos.storage().put(key, spool)
    upload = _locked(upload_id)
    if upload is None or upload.state != "open" or upload.received != offset:
        db.session.rollback()
        photos.storage().delete(key)
        raise ApiError(409, "offset_mismatch", "The upload changed while this chunk arrived.",
                       "Upload-Offset")
    upload.parts = [*upload.parts, [offset, size, key]]
    upload.received = offset + size
    upload.updated_at, upload.expires_at = utcnow(), _expiry()
    db.session.commit()
    return offset + size


def _locked(upload_id: str) -> UploadSession | None:
    """The upload re-read under a row lock (PostgreSQL; SQLite writers are serialised)."""
    return db.session.get(UploadSession, upload_id, with_for_update=True,
                          populate_existing=True)


def complete(upload_id: str) -> None:
    """All bytes arrived: assemble, verify, store and record them, or refuse the upload."""
    upload = db.session.get(UploadSession, upload_id)
    parts, announced, length = list(upload.parts), upload.sha256, upload.length
    user_id, device_id = upload.user_id, upload.device_id
    db.session.commit()
    try:
        with _assembled(parts, length) as path:
            sha256, info = ingest.verify_and_store(path, announced)
    except MediaError as error:
        _refuse(upload_id, error)
        raise refused(error) from None
    ingest.commit_retrying(lambda: _finish(upload_id, sha256, info, user_id, device_id))
    _delete_parts(parts)
    ingest.announce(sha256)


@contextlib.contextmanager
def _assembled(parts: list, length: int) -> Iterator[Path]:
    """The stored chunks joined in order into a temporary file."""
    store = photos.storage()
    with tempfile.TemporaryDirectory(prefix="patrol-upload-") as folder:
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            for offset, size, key in parts:
                if out.tell() != offset:
                    raise RuntimeError(f"upload parts are not contiguous at {offset}")
                with contextlib.closing(store.open(key)) as chunk:
                    shutil.copyfileobj(chunk, out, 1 << 20)
                if out.tell() != offset + size:
                    raise RuntimeError(f"stored chunk {key} is not {size} bytes")
        if os.path.getsize(path) != length:
            raise RuntimeError("the stored chunks do not add up to Upload-Length")
        yield path


def _finish(upload_id: str, sha256: str, info, user_id: int, device_id: int | None) -> bool:
    """Stage the verified blob's rows and mark the upload complete (if it still exists)."""
    created = ingest.record(sha256, info, user_id, device_id)
    upload = _locked(upload_id)
    if upload is not None and upload.state == "open":
        upload.state, upload.parts, upload.updated_at = "complete", [], utcnow()
    return created


def _refuse(upload_id: str, error: MediaError) -> None:
    """Mark the upload refused with the reason and drop its chunks."""
    upload = _locked(upload_id)
    if upload is None:
        db.session.rollback()
        return
    parts = list(upload.parts)
    upload.state, upload.error_code, upload.parts = "refused", error.code, []
    upload.error_message, upload.updated_at = error.message[:300], utcnow()
    db.session.commit()
    _delete_parts(parts)


def terminate(upload_id: str, user_id: int, device_id: int | None) -> None:
    """Delete the upload and its stored chunks (a verified blob stays)."""
    upload = find(upload_id, user_id, device_id)
    parts = list(upload.parts)
    db.session.delete(upload)
    db.session.commit()
    _delete_parts(parts)


def _delete_parts(parts: list) -> None:
    """Delete stored chunks (missing ones are not an error)."""
    store = photos.storage()
    for _offset, _size, key in parts:
        store.delete(key)


def _maybe_purge() -> None:
    """Enqueue the purge of expired uploads at most every PURGE_EVERY_SECONDS per process."""
    global _last_purge
    now = time.monotonic()
    if now - _last_purge < PURGE_EVERY_SECONDS:
        return
    _last_purge = now
    from patrol_api.photos.jobs import purge_expired_uploads

    jobs.enqueue(purge_expired_uploads)
