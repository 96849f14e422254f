"""Private EXIF facts in finding events and refusals: shown to managers and admins only.

The evidence of a resolve or a check (`data["evidence"]`, see evidence.py) keeps what the
photo's EXIF says — when it was taken, where, and how far that is from the finding — because
managers judge evidence by it. docs/media.md shows those facts to managers and admins only,
so every output of event data and every refusal quoting them passes through here. Evidence is
filtered by the list of PUBLIC keys of the output `finding_evidence`, kept with those of every
other output in patrol_api/photos/exif_privacy.py: a key added later (or left in old events)
stays private until it is listed.
"""
from collections.abc import Iterator
from contextlib import contextmanager

from patrol_api.errors import ApiError
from patrol_api.photos import exif_privacy as photo_privacy
from patrol_api.photos.exif_privacy import shows_exif as shows_exif  # re-exported

PUBLIC_EVIDENCE_KEYS = photo_privacy.PUBLIC_KEYS["finding_evidence"]
PRIVATE_EVIDENCE_KEYS = photo_privacy.PRIVATE_KEYS["finding_evidence"]


def public_evidence(evidence: dict) -> dict:
    """Evidence facts without the private EXIF ones."""
    return photo_privacy.only_public("finding_evidence", evidence)


def public_event_data(data: dict | None, role: str | None) -> dict:
    """Event data as a reader of this role may see it (a copy; role None: no privilege)."""
    data = dict(data or {})
    if not photo_privacy.shows_exif(role) and isinstance(data.get("evidence"), dict):
        data["evidence"] = public_evidence(data["evidence"])
    return data


def public_refusal(error: ApiError, role: str | None) -> ApiError:
    """The refusal of a piece of evidence, without the EXIF time or distance it quotes."""
    if photo_privacy.shows_exif(role):
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
