"""What the server knows about a photo offered as evidence: its EXIF facts and its past uses.

EXIF facts come from the photo pipeline's table (patrol_api/models/media.py, MediaMetadata),
read through the schema so that findings work (phone position only, no capture time) where
the photo pipeline is not installed. A capture time written without a UTC offset is read as
Seoul time (the district's phones); without any, the GPS timestamp is used, if any.
"""
from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import FindingEvent, Observation, ObservationPhoto

EXIF_TABLE = "media_metadata"
EVIDENCE_KINDS = ("resolve", "verify", "fail_verification")


def _exif_row(sha256: str, *names: str) -> sa.Row | None:
    """Some columns of the photo's EXIF row, or None (no row, or no such table/columns)."""
    table = db.metadata.tables.get(EXIF_TABLE)
    if table is None or not all(name in table.c for name in ("sha256", *names)):
        return None
    return db.session.execute(sa.select(*(table.c[name] for name in names)).where(
        table.c.sha256 == sha256)).first()


def exif_position(sha256: str) -> tuple[float, float] | None:
    """The EXIF GPS position recorded for a photo, or None when unknown."""
    row = _exif_row(sha256, "latitude", "longitude")
    if row is None or row[0] is None or row[1] is None:
        return None
    return row[0], row[1]


def captured_at(sha256: str) -> datetime | None:
    """When the photo says it was taken (UTC), or None when it does not say."""
    row = _exif_row(sha256, "captured_at_local", "captured_utc_offset_min", "gps_time")
    if row is None:
        return None
    local, offset_min, gps_time = row
    if local is None:
        return gps_time.astimezone(UTC) if gps_time is not None else None
    zone = SEOUL if offset_min is None else timezone(timedelta(minutes=offset_min))
    return local.replace(tzinfo=zone).astimezone(UTC)


def observation_photos(finding_id: int) -> set[str]:
    """Digests of the photos listed by the finding's observations (the reports' photos)."""
    return set(db.session.execute(sa.select(ObservationPhoto.sha256).join(
        Observation, Observation.id == ObservationPhoto.observation_id).where(
        Observation.finding_id == finding_id)).scalars())


def evidence_photos(finding_id: int) -> set[str]:
    """Digests of the photos already given as evidence of a resolve or a check of the finding."""
    rows = db.session.execute(sa.select(FindingEvent.data).where(
        FindingEvent.finding_id == finding_id, FindingEvent.kind.in_(EVIDENCE_KINDS)))
    found = set()
    for (data,) in rows:
        given = (data or {}).get("evidence") or {}
        if given.get("sha256"):
            found.add(given["sha256"])
    return found
