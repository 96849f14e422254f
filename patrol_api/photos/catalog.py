"""Look up what a user may be served of a photo, and the photo's record (no HTTP).

Unknown, unverified and invisible photos are all "not found"; a visible photo whose
original the user may not download is "forbidden" (policy.py has the rules).
"""
from dataclasses import dataclass

import sqlalchemy as sa

from media.digest import normalize_sha256
from media.errors import MediaError
from media.keys import blob_key
from patrol_api import database
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import MediaBlob, User
from patrol_api.models.media import MediaDerivative, MediaMetadata
from patrol_api.photos import jobs, policy

BASE_URL = "/api/v1/photos"  # where blueprint http/photos.py is mounted
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
              "image/heic": "heic"}  # the only types ever served
DECODE_WAIT_SECONDS = 20  # a thumb made on the spot waits this long for a decode slot, then 503


@dataclass(frozen=True)
class Stored:
    """A stored file to answer with: where it is and how to present it."""

    key: str
    mime: str
    size: int
    etag: str  # unquoted, strong
    filename: str
    attachment: bool  # originals download as files, derivatives show inline


def visible_blob(user: User, sha256: str) -> MediaBlob:
    """The verified blob, if the user may see it; 404 otherwise."""
    digest = _digest(sha256)
    blob = db.session.get(MediaBlob, digest) if digest else None
    if blob is None or blob.verified_at is None or not policy.may_view(user, digest):
        raise ApiError(404, "not_found", "No such photo.")
    return blob


def original(user: User, sha256: str) -> Stored:
    """The original file; 403 unless a manager, an admin or one of its uploaders."""
    blob = visible_blob(user, sha256)
    if not policy.may_download_original(user, blob.sha256):
        raise ApiError(403, "forbidden", "Only managers, admins and the uploader may download "
                       "an original; use the screen image.")
    ext = EXTENSIONS.get(blob.mime, "bin")
    return Stored(blob_key(blob.sha256), blob.mime, blob.size, blob.sha256,
                  f"{blob.sha256}.{ext}", attachment=True)


def derivative(user: User, sha256: str, kind: str) -> Stored:
    """A thumb or screen JPEG, made now if the job has not run yet."""
    blob = visible_blob(user, sha256)
    row = db.session.get(MediaDerivative, (blob.sha256, kind))
    if row is None:
        _make_now(blob.sha256)
        row = db.session.get(MediaDerivative, (blob.sha256, kind))
    if row is None:
        raise ApiError(404, "derivative_unavailable", "This photo has no derivative images.")
    return Stored(row.key, row.mime, row.size, f"{row.sha256}.{kind}.{row.profile}",
                  f"{row.sha256}-{kind}.jpg", attachment=False)


def _make_now(sha256: str) -> None:
    """Run the derivatives job here (the queue may be behind, or the job failed before)."""
    db.session.commit()  # end the read transaction: the job writes (SQLite: BEGIN IMMEDIATE)
    with database.writing():
        try:
            jobs.make_derivatives(sha256, wait=DECODE_WAIT_SECONDS)
        except jobs.DecodersBusy:
            raise ApiError(503, "decoders_busy", "The server is making other photos' "
                           "images; try again in a few seconds.") from None


def _digest(value: str) -> str | None:
    """The normalised digest of a URL part, None when it is not one."""
    try:
        return normalize_sha256(value)
    except MediaError:
        return None


def record(user: User, blob: MediaBlob) -> dict:
    """The photo as the API shows it to this user: EXIF only for managers and admins."""
    sha256 = blob.sha256
    meta = db.session.get(MediaMetadata, sha256)
    made = db.session.execute(sa.select(MediaDerivative).where(
        MediaDerivative.sha256 == sha256)).scalars()
    answer = {
        "sha256": sha256, "mime": blob.mime, "size": blob.size,
        "width": meta.width if meta else None, "height": meta.height if meta else None,
        "verified_at": blob.verified_at,
        "derivatives": {row.kind: {"url": f"{BASE_URL}/{sha256}/{row.kind}", "width": row.width,
                                   "height": row.height, "size": row.size} for row in made},
        "thumb_url": f"{BASE_URL}/{sha256}/thumb",
        "screen_url": f"{BASE_URL}/{sha256}/screen",
        "original_url": (f"{BASE_URL}/{sha256}/original"
                         if policy.may_download_original(user, sha256) else None),
    }
    if meta is not None and policy.shows_exif(user):
        answer["exif"] = exif(meta)
    return answer


def exif(meta: MediaMetadata) -> dict:
    """The private facts a photo told about itself."""
    return {
        "captured_at_local": meta.captured_at_local.isoformat() if meta.captured_at_local
        else None,
        "captured_utc_offset_min": meta.captured_utc_offset_min,
        "captured_at_raw": meta.captured_at_raw, "gps_time": meta.gps_time,
        "latitude": meta.latitude, "longitude": meta.longitude,
        "altitude_m": meta.altitude_m, "gps_accuracy_m": meta.gps_accuracy_m,
        "orientation": meta.orientation, "camera_make": meta.camera_make,
        "camera_model": meta.camera_model,
    }
