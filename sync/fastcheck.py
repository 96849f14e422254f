"""A hand-written check of plain observation.create data, for the push fast path.

It accepts only data that is plainly valid and returns exactly what
`schemas.ObservationCreate().load` returns for it; anything else (strings for numbers,
unknown keys, a bad value) gives None and goes through marshmallow, which then accepts it or
words the rejection. So results never differ; only the common case skips the schema machinery.
"""
import math
import re
from datetime import datetime

from patrol_api.models.observations import PHOTO_ROLES
from patrol_api.reference.schemas import compose
from patrol_api.timebounds import within
from sync.schemas import MAX_NOTE, MAX_PHOTOS

KNOWN = frozenset({"category_code", "site_code", "lat", "lon", "accuracy_m", "note", "photos",
                   "recorded_at"})
PHOTO_KEYS = frozenset({"sha256", "role"})
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def _code(value) -> bool:
    return type(value) is str and 1 <= len(value) <= 40


def _number(value, low: float, high: float) -> float | None:
    """A JSON number within [low, high] as a float, else None."""
    if type(value) is int:  # compared before converting: a huge int cannot overflow
        return float(value) if low <= value <= high else None
    if type(value) is not float:
        return None
    return value if math.isfinite(value) and low <= value <= high else None


def _photos(listed) -> list | None:
    """The photo list as the schema loads it, or None."""
    if type(listed) is not list or len(listed) > MAX_PHOTOS:
        return None
    loaded = []
    for photo in listed:
        if type(photo) is not dict or not photo.keys() <= PHOTO_KEYS:
            return None
        digest, role = photo.get("sha256"), photo.get("role", "before")
        if type(digest) is not str or not SHA256.match(digest) or role not in PHOTO_ROLES:
            return None
        loaded.append({"sha256": digest.lower(), "role": role})
    if len({photo["sha256"] for photo in loaded}) != len(loaded):
        return None
    return loaded


def _aware(value) -> datetime | None:
    """An ISO 8601 time with an offset in the accepted range, parsed as `Moment` does."""
    if type(value) is not str:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    aware = moment.tzinfo is not None and moment.tzinfo.utcoffset(moment) is not None
    return moment if aware and within(moment) else None


def create(data) -> dict | None:
    """observation.create data loaded like the schema does, or None (use the schema)."""
    if type(data) is not dict or not data.keys() <= KNOWN:
        return None
    category, site = data.get("category_code"), data.get("site_code")
    if not _code(category) or (site is not None and not _code(site)):
        return None
    lat, lon = _number(data.get("lat"), -90, 90), _number(data.get("lon"), -180, 180)
    accuracy = data.get("accuracy_m")
    if accuracy is not None:
        accuracy = _number(accuracy, 0, 100_000)
        if accuracy is None:
            return None
    note = data.get("note", "")
    if lat is None or lon is None or type(note) is not str:
        return None
    note = compose(note)
    photos, recorded_at = _photos(data.get("photos", [])), _aware(data.get("recorded_at"))
    if len(note) > MAX_NOTE or photos is None or recorded_at is None:
        return None
    return {"category_code": category, "site_code": site, "lat": lat, "lon": lon,
            "accuracy_m": accuracy, "note": note, "photos": photos, "recorded_at": recorded_at}
