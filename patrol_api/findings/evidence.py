"""Evidence of a fix: an "after" photo taken within the finding's radius.

The photo must be a verified upload (MediaBlob). Its position is the photo's own EXIF GPS
position when the photo pipeline recorded one, else the phone's position sent with it. The
radius is the category's merge radius, at least FINDING_EVIDENCE_MIN_RADIUS_M.
"""
import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import merge, settings
from patrol_api.models import Finding, MediaBlob

# Where the photo pipeline keeps EXIF facts (patrol_api/models/media.py, MediaMetadata):
# (table, digest, latitude, longitude columns). Read through the schema so that findings
# work (phone position only) where the photo pipeline is not installed.
EXIF_TABLES = (("media_metadata", "sha256", "latitude", "longitude"),)


def _table_position(table, digest: str, lat: str, lon: str, sha256: str):
    """(lat, lon) from one table of the schema, or None."""
    columns = table.c
    if not all(name in columns for name in (digest, lat, lon)):
        return None
    row = db.session.execute(sa.select(columns[lat], columns[lon]).where(
        columns[digest] == sha256)).first()
    return (row[0], row[1]) if row and row[0] is not None and row[1] is not None else None


def exif_position(sha256: str) -> tuple[float, float] | None:
    """The EXIF GPS position recorded for a photo, or None when unknown."""
    tables = db.metadata.tables
    for name, digest, lat, lon in EXIF_TABLES:
        if name in tables:
            found = _table_position(tables[name], digest, lat, lon, sha256)
            if found:
                return found
    return None


def radius_m(finding: Finding) -> float:
    """How far from the finding an after photo may be taken."""
    return max(finding.category.merge_radius_m, settings.get("FINDING_EVIDENCE_MIN_RADIUS_M"))


def _verified(sha256: str) -> None:
    """422 unless the photo has been uploaded and verified."""
    blob = db.session.get(MediaBlob, sha256.lower())
    if blob is None or blob.verified_at is None:
        raise ApiError(422, "photo_not_verified", "Upload the photo (and let it verify) "
                       "before using it as evidence.", "evidence.sha256")


def locate(finding: Finding, evidence: dict) -> dict:
    """Where the photo was taken, how far from the finding, and whether that is in reach."""
    _verified(evidence["sha256"])
    exif = exif_position(evidence["sha256"].lower())
    phone = (evidence.get("lat"), evidence.get("lon"))
    if exif is None and None in phone:
        raise ApiError(422, "evidence_position_missing", "The photo has no GPS position; "
                       "send the phone's lat and lon with it.", "evidence.lat")
    position, source = (exif, "exif") if exif else (phone, "phone")
    distance = merge.metres(*position, finding.lat, finding.lon)
    return {"sha256": evidence["sha256"].lower(), "role": evidence.get("role", "after"),
            "lat": position[0], "lon": position[1], "position_source": source,
            "phone_lat": phone[0], "phone_lon": phone[1], "distance_m": round(distance, 1),
            "radius_m": radius_m(finding), "within": distance <= radius_m(finding)}


def for_resolve(finding: Finding, evidence: dict | None) -> dict:
    """The after-photo evidence of a resolve, or the approved exception; 422 otherwise."""
    approved = finding.exception_status == "approved"
    if evidence is None:
        if approved:
            return {"exception": True}
        raise ApiError(422, "evidence_required", "Resolving needs an after photo taken on the "
                       "spot, or an exception approved by a manager.", "evidence")
    facts = locate(finding, evidence)
    if not facts["within"] and not approved:
        raise ApiError(422, "evidence_too_far", f"The photo was taken {facts['distance_m']} m "
                       f"from the finding; it must be within {facts['radius_m']} m.",
                       "evidence", distance_m=facts["distance_m"], radius_m=facts["radius_m"])
    return {**facts, "exception": not facts["within"]}
