"""Private EXIF facts in every output: the PUBLIC keys of each output, in one place.

A photo's EXIF says when it was taken and where; docs/media.md shows that (and distances
computed from it) to managers and admins only. Outputs that carry such facts keep them whole
in the database and drop them on the way out through `public(output, record, role)`. Each
output has an allow-list: a key added later (or left in old data) stays private until it is
listed here. PRIVATE_KEYS names what is known to be private, for the docs and the tests.
"""
from typing import NamedTuple

from patrol_api.photos.policy import OVERSEERS

PUBLIC_KEYS = {
    # data.evidence of finding events (patrol_api/findings/evidence.py, docs/findings.md)
    "finding_evidence": frozenset({
        "sha256", "role", "purpose", "position_source", "phone_lat", "phone_lon",
        "phone_distance_m", "radius_m", "within", "exception"}),
    # an item of GET /inspections (patrol_api/patrols/inspection_schemas.InspectionSchema)
    "inspection": frozenset({
        "id", "client_id", "site_id", "site_code", "user_id", "run_id", "campaign_id", "lat",
        "lon", "distance_m", "far_from_site", "far_reason", "clock_offset_ms", "time_flags",
        "created_at", "template_id", "template_revision", "inspected_at",
        "inspected_at_device", "answers", "failures", "not_campaign_target",
        "outside_campaign_window", "campaign_flags", "campaign_flag_labels"}),
    # the push result of inspection.submit (sync/handlers/patrols.py)
    "inspection_result": frozenset({
        "status", "entity_id", "failures", "far_from_site", "far_reason", "campaign_flags"}),
    # last_inspection of GET /sites/coverage (patrol_api/patrols/coverage.py)
    "coverage_inspection": frozenset({
        "id", "at", "result", "failures", "campaign_id", "run_id", "far_from_site",
        "far_reason"}),
}
PRIVATE_KEYS = {
    # the EXIF capture time, the photo's position (its EXIF GPS when it has one) and
    # distances that may be the EXIF one's
    "finding_evidence": frozenset({
        "captured_at", "lat", "lon", "exif_distance_m", "distance_m", "farthest_source"}),
    # the answer photo's position (EXIF, or what the phone read from the photo) and distance
    "inspection": frozenset({"photo_lat", "photo_lon", "photo_distance_m"}),
    "inspection_result": frozenset(),
    "coverage_inspection": frozenset(),
}


class Shown(NamedTuple):
    """A record on its way to a reader of this role (None: no privilege)."""

    record: object
    role: str | None


def shows_exif(role: str | None) -> bool:
    """True when this role may read a photo's EXIF facts (managers and admins)."""
    return role in OVERSEERS


def only_public(output: str, record: dict) -> dict:
    """The record's public keys for this output (a copy)."""
    keys = PUBLIC_KEYS[output]
    return {key: value for key, value in record.items() if key in keys}


def public(output: str, record: dict, role: str | None) -> dict:
    """The record as a reader of this role may see it in this output (a copy)."""
    return dict(record) if shows_exif(role) else only_public(output, record)


def shown_to(role: str | None, records) -> list[Shown]:
    """Records wrapped for a schema that drops what this role may not see."""
    return [Shown(record, role) for record in records]
