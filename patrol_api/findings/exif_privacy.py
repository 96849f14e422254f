"""Private EXIF facts in finding events and refusals: shown to managers and admins only.

The evidence of a resolve or a check (`data["evidence"]`, see evidence.py) keeps what the
photo's EXIF says — when it was taken, where, and how far that is from the finding — because
managers judge evidence by it. docs/media.md shows those facts to managers and admins only,
so every output of event data and every refusal quoting them passes through here. Evidence is
filtered by a list of PUBLIC keys: a key added later (or left in old events) stays private
until it is listed.
"""
from collections.abc import Iterator
from contextlib import contextmanager

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError

OVERSEERS = frozenset({Role.ADMIN.value, Role.MANAGER.value})  # = photos.policy.shows_exif
PUBLIC_EVIDENCE_KEYS = frozenset({
    "sha256", "role", "purpose", "position_source", "phone_lat", "phone_lon",
    "phone_distance_m", "radius_m", "within", "exception"})
# What evidence.locate keeps beyond those (documented in docs/findings.md): the EXIF capture
# time, the photo's position (the EXIF one when it has GPS) and distances that may be EXIF's.
PRIVATE_EVIDENCE_KEYS = frozenset({
    "captured_at", "lat", "lon", "exif_distance_m", "distance_m", "farthest_source"})


def shows_exif(role: str | None) -> bool:
    """True when this role may read a photo's EXIF facts (managers and admins)."""
    return role in OVERSEERS


def public_evidence(evidence: dict) -> dict:
    """Evidence facts without the private EXIF ones."""
    return {key: value for key, value in evidence.items() if key in PUBLIC_EVIDENCE_KEYS}


def public_event_data(data: dict | None, role: str | None) -> dict:
    """Event data as a reader of this role may see it (a copy; role None: no privilege)."""
    data = dict(data or {})
    if not shows_exif(role) and isinstance(data.get("evidence"), dict):
        data["evidence"] = public_evidence(data["evidence"])
    return data


def public_refusal(error: ApiError, role: str | None) -> ApiError:
    """The refusal of a piece of evidence, without the EXIF time or distance it quotes."""
    if shows_exif(role):
        return error
    extra = dict(error.extra)
    if error.code == "evidence_taken_before":
        extra.pop("captured_at", None)
        return ApiError(error.status, error.code, "The photo's camera time is before the "
                        f"work it should prove began ({extra.get('not_before')}).",
                        error.field, **extra)
    if error.code == "evidence_too_far" and extra.get("position_source") == "exif":
        extra.pop("distance_m", None)
        return ApiError(error.status, error.code, "The photo's GPS position is outside the "
                        f"finding's radius; it must be taken within {extra.get('radius_m')} m.",
                        error.field, **extra)
    return error


@contextmanager
def refusals_for(role: str | None) -> Iterator[None]:
    """Re-raise an evidence refusal redacted for the acting user's role."""
    try:
        yield
    except ApiError as error:
        redacted = public_refusal(error, role)
        if redacted is error:
            raise
        raise redacted from None
