"""Photos listed by observations: completeness, and the hook called when a blob verifies."""
import sqlalchemy as sa
from sqlalchemy.orm import Session

from patrol_api import changefeed
from patrol_api.extensions import db
from patrol_api.findings import intake
from patrol_api.models import MediaBlob, Observation, ObservationPhoto

OPEN_FATES = ("received", "awaiting_photos")  # fates that only completeness decides


def verified(session: Session, digests: list[str]) -> set[str]:
    """Those of the digests whose blobs have arrived and verified."""
    if not digests:
        return set()
    return set(session.execute(sa.select(MediaBlob.sha256).where(
        MediaBlob.sha256.in_(digests), MediaBlob.verified_at.is_not(None))).scalars())


def set_photos(obs: Observation, refs: list[dict]) -> None:
    """List these photos in this order; rows of kept digests are reused, not re-inserted."""
    existing = {photo.sha256: photo for photo in obs.photos}
    listed = []
    for position, ref in enumerate(refs):
        photo = existing.get(ref["sha256"]) or ObservationPhoto(sha256=ref["sha256"])
        photo.role, photo.position = ref["role"], position
        listed.append(photo)
    obs.photos = listed


def refresh(obs: Observation, verified_digests: set[str]) -> None:
    """Recount verified photos; complete when all have; the fate follows while still open."""
    obs.photos_expected = len(obs.photos)
    obs.photos_verified = sum(photo.sha256 in verified_digests for photo in obs.photos)
    obs.complete = obs.photos_verified == obs.photos_expected
    if obs.fate in OPEN_FATES:
        obs.fate = "received" if obs.complete else "awaiting_photos"


def blob_verified(sha256: str) -> int:
    """Job: after a blob verified, update the observations listing it; returns how many
    became complete. Their change_seq moves, so phones pull the news, and the findings intake
    takes in those that just became complete. Commits."""
    session = db.session
    blob = session.get(MediaBlob, sha256.lower())
    if blob is None or blob.verified_at is None:
        return 0
    changefeed.allocate(session, 0)  # queue behind other writers before reading what we change
    completed = [obs.id for obs in _listing(session, blob.sha256) if _recount(session, obs)]
    if completed:
        intake.schedule_many(completed)
    session.commit()
    return len(completed)


def _listing(session: Session, sha256: str) -> list[Observation]:
    """Live observations that list a digest."""
    return list(session.execute(sa.select(Observation).join(ObservationPhoto).where(
        ObservationPhoto.sha256 == sha256, Observation.deleted_at.is_(None))).scalars())


def _recount(session: Session, obs: Observation) -> bool:
    """Refresh one observation's photo state; True when it just became complete."""
    was_complete = obs.complete
    refresh(obs, verified(session, [photo.sha256 for photo in obs.photos]))
    return obs.complete and not was_complete
