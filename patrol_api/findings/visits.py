"""A check of a fix is a later visit: after the resolve, with a photo or a position on the spot.

`verify` needs, besides its role and state checks (lifecycle.py):

- to come after the resolve (`verify_too_early`, 409);
- a photo taken there (evidence, the same checks as a resolve's — `evidence.py` — with its
  EXIF capture time after the resolve), or the verifier's position reported by the phone,
  within the finding's radius (`verification_too_far`, position.lat); neither is 422
  `verification_evidence_required`. An approved resolve exception never widens the radius of
  a check. What was checked is kept in the verify event (`evidence`, `position`).
"""
from datetime import datetime

from patrol_api.errors import ApiError
from patrol_api.findings import evidence as photos
from patrol_api.findings import merge
from patrol_api.models import Finding


def _after_resolve(finding: Finding, at: datetime) -> None:
    """409 unless the check comes after the fix was reported."""
    if finding.resolved_at is None or at <= finding.resolved_at:
        resolved = finding.resolved_at.isoformat() if finding.resolved_at else None
        raise ApiError(409, "verify_too_early", "A check must come after the fix was "
                       "reported (on a later visit).", "action", resolved_at=resolved)


def _photo(finding: Finding, given: dict) -> dict:
    """The facts of the check's photo (422 when refused or taken too far)."""
    facts = photos.locate(finding, given, purpose="verify")
    if not facts["within"]:
        raise photos.too_far(facts)
    return facts


def _position(finding: Finding, given: dict) -> dict:
    """The verifier's reported position and its distance (422 beyond the radius)."""
    distance = round(merge.metres(given["lat"], given["lon"], finding.lat, finding.lon), 1)
    radius = photos.radius_m(finding)
    if distance > radius:
        raise ApiError(422, "verification_too_far", f"You are {distance} m from the finding; "
                       f"check it from within {radius} m.", "position.lat",
                       distance_m=distance, radius_m=radius)
    return {"lat": given["lat"], "lon": given["lon"],
            "accuracy_m": given.get("accuracy_m"), "distance_m": distance, "radius_m": radius}


def for_verify(finding: Finding, evidence: dict | None, position: dict | None,
               at: datetime) -> dict:
    """The event data of a check: its photo and/or position, each checked; 4xx otherwise."""
    _after_resolve(finding, at)
    if evidence is None and position is None:
        raise ApiError(422, "verification_evidence_required", "A check is a visit: send a "
                       "photo taken on the spot (evidence) or your position there "
                       "(position).", "evidence")
    return {"evidence": _photo(finding, evidence) if evidence else None,
            "position": _position(finding, position) if position else None}
