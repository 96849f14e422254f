"""Observations as phones see them: in push results, in pulls and at the fate endpoint."""
from datetime import UTC, datetime

from patrol_api.models import Observation


def _iso(value: datetime | None) -> str | None:
    """ISO 8601 text of a time in UTC, or None."""
    return value.astimezone(UTC).isoformat() if value is not None else None


def _code(record) -> str | None:
    """The code of a related reference record, or None."""
    return record.code if record is not None else None


def observation_record(obs: Observation) -> dict:
    """The observation with its position, times, photos, completeness and fate."""
    return {
        "client_id": obs.client_id, "version": obs.version, "change_seq": obs.change_seq,
        "category_code": _code(obs.category), "site_code": _code(obs.site),
        "area_code": _code(obs.area), "lat": obs.lat, "lon": obs.lon,
        "accuracy_m": obs.accuracy_m, "note": obs.note,
        "recorded_at_device": _iso(obs.recorded_at_device),
        "clock_offset_ms": obs.clock_offset_ms, "recorded_at": _iso(obs.recorded_at),
        "time_flags": list(obs.time_flags), "received_at": _iso(obs.received_at),
        "photos": [{"sha256": p.sha256, "role": p.role} for p in obs.photos],
        "photos_expected": obs.photos_expected, "photos_verified": obs.photos_verified,
        "complete": obs.complete, "fate": obs.fate, "fate_reason": obs.fate_reason,
        "finding_id": obs.finding_id, "created_at": _iso(obs.created_at),
        "updated_at": _iso(obs.updated_at), "deleted": obs.deleted_at is not None,
    }
