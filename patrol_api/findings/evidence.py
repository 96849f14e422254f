"""Evidence of a fix: a photo taken on the spot, after the work began, new to the finding.

A photo counts as evidence when (each refusal a 422 with a code and the field it concerns):

- it is an uploaded, verified photo (`photo_not_verified`, evidence.sha256);
- its role is "after" (`evidence_wrong_role`, evidence.role) — the photo model knows
  "before", "after" and "checklist"; a check's photo also shows the state after the fix;
- it is new to the finding: not a photo of the finding's own observations (a "before"
  photo reused) nor one already given as evidence of a resolve or a check of it
  (`evidence_photo_reused`, evidence.sha256);
- when its EXIF has a capture time, it was taken after the work it proves began — when the
  department received the finding (`assigned_at`) for a resolve, the resolve for a check —
  allowing FINDING_EVIDENCE_CLOCK_TOLERANCE_S for the camera's clock
  (`evidence_taken_before`, evidence.sha256);
- every position known — the phone's sent with it and the photo's EXIF GPS — is within the
  finding's radius, the category's merge radius but at least FINDING_EVIDENCE_MIN_RADIUS_M
  (`evidence_too_far`, evidence.lat for the phone, evidence.sha256 for EXIF); at least one
  is needed (`evidence_position_missing`).
"""
from datetime import datetime, timedelta

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import merge, photo_facts, settings
from patrol_api.models import Finding, MediaBlob

ROLES = ("after",)
FIELDS = {"phone": "evidence.lat", "exif": "evidence.sha256"}


def radius_m(finding: Finding) -> float:
    """How far from the finding an evidence photo (or a check) may be taken."""
    return max(finding.category.merge_radius_m, settings.get("FINDING_EVIDENCE_MIN_RADIUS_M"))


def _verified(sha256: str) -> None:
    """422 unless the photo has been uploaded and verified."""
    blob = db.session.get(MediaBlob, sha256)
    if blob is None or blob.verified_at is None:
        raise ApiError(422, "photo_not_verified", "Upload the photo (and let it verify) "
                       "before using it as evidence.", "evidence.sha256")


def _role(role: str) -> None:
    """422 unless the photo is an "after" photo."""
    if role not in ROLES:
        raise ApiError(422, "evidence_wrong_role", f"Evidence must be an \"after\" photo, "
                       f"not \"{role}\".", "evidence.role", allowed=list(ROLES))


def _new_to(finding: Finding, sha256: str) -> None:
    """422 when the photo already belongs to the finding's reports or earlier evidence."""
    if sha256 in photo_facts.observation_photos(finding.id):
        raise ApiError(422, "evidence_photo_reused", "This photo belongs to a report of the "
                       "problem; take a new photo after the fix.", "evidence.sha256",
                       used_as="observation")
    if sha256 in photo_facts.evidence_photos(finding.id):
        raise ApiError(422, "evidence_photo_reused", "This photo was already given as "
                       "evidence for this finding; take a new one.", "evidence.sha256",
                       used_as="evidence")


def work_began(finding: Finding, purpose: str) -> datetime:
    """Since when an evidence photo may have been taken: the receipt, or the resolve."""
    if purpose == "verify":
        return finding.resolved_at
    return finding.assigned_at or finding.first_seen_at


def _taken_after(captured: datetime | None, since: datetime) -> None:
    """422 when the photo's EXIF time is before `since`, beyond the clock tolerance."""
    tolerance = timedelta(seconds=settings.get("FINDING_EVIDENCE_CLOCK_TOLERANCE_S"))
    if captured is not None and since is not None and captured < since - tolerance:
        raise ApiError(422, "evidence_taken_before", "The photo was taken "
                       f"{captured.isoformat()}, before the work it should prove began "
                       f"({since.isoformat()}).", "evidence.sha256",
                       captured_at=captured.isoformat(), not_before=since.isoformat())


def _positions(finding: Finding, evidence: dict, sha256: str) -> dict:
    """Every known position of the photo ('phone', 'exif') with its distance; 422 if none."""
    found = {}
    if evidence.get("lat") is not None and evidence.get("lon") is not None:
        found["phone"] = (evidence["lat"], evidence["lon"])
    exif = photo_facts.exif_position(sha256)
    if exif is not None:
        found["exif"] = exif
    if not found:
        raise ApiError(422, "evidence_position_missing", "The photo has no GPS position; "
                       "send the phone's lat and lon with it.", "evidence.lat")
    return {source: (lat, lon, round(merge.metres(lat, lon, finding.lat, finding.lon), 1))
            for source, (lat, lon) in found.items()}


def _position_facts(finding: Finding, positions: dict) -> dict:
    """Where the photo was taken by each source, the farthest distance, and if all are near."""
    lat, lon, _ = positions.get("exif") or positions["phone"]
    radius = radius_m(finding)
    farthest = max(positions, key=lambda source: positions[source][2])
    phone = positions.get("phone", (None, None, None))
    exif = positions.get("exif", (None, None, None))
    return {"lat": lat, "lon": lon,
            "position_source": "both" if len(positions) == 2 else next(iter(positions)),
            "phone_lat": phone[0], "phone_lon": phone[1], "phone_distance_m": phone[2],
            "exif_distance_m": exif[2], "distance_m": positions[farthest][2],
            "farthest_source": farthest, "radius_m": radius,
            "within": positions[farthest][2] <= radius}


def locate(finding: Finding, evidence: dict, purpose: str = "resolve") -> dict:
    """Check a photo offered as evidence; the facts kept in the event (422 when refused)."""
    sha256 = evidence["sha256"].lower()
    _verified(sha256)
    role = evidence.get("role") or "after"
    _role(role)
    _new_to(finding, sha256)
    captured = photo_facts.captured_at(sha256)
    _taken_after(captured, work_began(finding, purpose))
    facts = _position_facts(finding, _positions(finding, evidence, sha256))
    return {"sha256": sha256, "role": role, "purpose": purpose,
            "captured_at": captured, **facts}


def too_far(facts: dict) -> ApiError:
    """The refusal of evidence taken outside the finding's radius."""
    source = facts["farthest_source"]
    return ApiError(422, "evidence_too_far", f"The photo was taken {facts['distance_m']} m "
                    f"from the finding (by its {source} position); it must be within "
                    f"{facts['radius_m']} m.", FIELDS[source], distance_m=facts["distance_m"],
                    radius_m=facts["radius_m"], position_source=source)


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
        raise too_far(facts)
    return {**facts, "exception": not facts["within"]}
