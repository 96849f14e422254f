"""The push fast path's hand-written check gives exactly what the schema gives, or defers."""
import unicodedata

import pytest

from sync import fastcheck, schemas
from sync.errors import Rejected

DIGEST = "AB" * 32
VALID = {"category_code": "road-damage", "lat": 37.525, "lon": 126.925, "accuracy_m": 8.0,
         "note": "보도블록 파손", "recorded_at": "2026-11-22T09:00:00+09:00", "photos": []}


def _schema(data):
    try:
        return schemas.load(schemas.ObservationCreate(), data, "data")
    except Rejected:
        return None


@pytest.mark.parametrize("changes", [
    {}, {"site_code": "drain-1"}, {"site_code": None}, {"accuracy_m": None}, {"accuracy_m": 0},
    {"lat": 37, "lon": 127}, {"lat": 90, "lon": -180}, {"note": ""},
    {"note": unicodedata.normalize("NFD", "보도블록")}, {"note": "가" * 4000},
    {"photos": [{"sha256": DIGEST}, {"sha256": "cd" * 32, "role": "after"}]},
    {"recorded_at": "2026-11-22T00:00:00.123456Z"}, {"recorded_at": "2026-11-22 09:00:00+09:00"},
])
def test_plain_valid_data_loads_exactly_as_the_schema_loads_it(changes):
    data = {**VALID, **changes}
    fast = fastcheck.create(data)
    assert fast is not None and fast == _schema(data)


@pytest.mark.parametrize("changes", [
    {"lat": "37.5"}, {"lat": 91}, {"lat": float("nan")}, {"lon": 10**400}, {"lat": True},
    {"accuracy_m": -1}, {"category_code": ""}, {"category_code": "x" * 41}, {"site_code": 5},
    {"note": "가" * 4001}, {"note": None}, {"photos": [{"sha256": "zz"}]},
    {"photos": [{"sha256": DIGEST}, {"sha256": DIGEST.lower()}]},
    {"photos": [{"sha256": DIGEST, "role": "selfie"}]}, {"photos": [{"sha256": DIGEST, "x": 1}]},
    {"recorded_at": "2026-11-22T09:00:00"}, {"recorded_at": "yesterday"}, {"extra": 1},
])
def test_anything_else_is_left_to_the_schema(changes):
    data = {**VALID, **changes}
    assert fastcheck.create(data) is None
    assert _schema(data) is None  # text for a number ("37.5") too: JSON numbers only


ENVELOPE = {"id": "6d0c2c56-2a4e-4d0e-9a8e-0c8b6b0f0a01", "seq": 3, "type": "observation.create",
            "entity_id": "7D0C2C56-2A4E-4D0E-9A8E-0C8B6B0F0A02", "base_version": None,
            "data": {"note": "x"}}


@pytest.mark.parametrize("changes", [
    {}, {"base_version": 4}, {"data": {}}, {"data": None}, {"seq": 2**63 - 1},
    {"type": "x" * 40}])
def test_plain_envelopes_parse_as_the_schema_parses_them(changes):
    from sync import mutations

    raw = {**ENVELOPE, **changes}
    fast = mutations._plain(0, raw)
    valid = schemas.load(schemas.MutationSchema(), raw)
    assert fast is not None and (fast.id, fast.seq, fast.type, fast.entity_id,
                                 fast.base_version, fast.data) == (
        str(valid["id"]), valid["seq"], valid["type"], str(valid["entity_id"]),
        valid["base_version"], valid["data"] or {})


@pytest.mark.parametrize("changes", [
    {"seq": 0}, {"seq": "3"}, {"seq": True}, {"type": ""}, {"id": "nope"}, {"data": []},
    {"base_version": 0}, {"base_version": 2**31}, {"extra": 1}, {"entity_id": 5}])
def test_other_envelopes_are_left_to_the_schema(changes):
    from sync import mutations

    assert mutations._plain(0, {**ENVELOPE, **changes}) is None
