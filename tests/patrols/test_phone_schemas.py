"""The data of patrol mutations: a position carries the GPS accuracy as observations do,
and an optional field sent as null is its empty value, not a rejection."""
from hypothesis import given
from hypothesis import strategies as st

from patrol_api.patrols import phone_schemas

LAT = st.floats(-90, 90, allow_nan=False)
LON = st.floats(-180, 180, allow_nan=False)
ACCURACY = st.none() | st.floats(0, 100_000, allow_nan=False)
OPTIONAL = ("team", "participant_user_ids", "auditor_user_ids", "resident_count",
            "resident_names", "campaign_id")


@given(LAT, LON, ACCURACY)
def test_a_site_check_position_may_carry_its_accuracy(lat, lon, accuracy):
    data = phone_schemas.SiteCheckRecord().load({
        "site_code": "s1", "result": "ok", "checked_at": "2026-07-01T09:00:00+09:00",
        "position": {"lat": lat, "lon": lon, "accuracy_m": accuracy}})
    assert data["position"] == {"lat": lat, "lon": lon, "accuracy_m": accuracy}


@given(LAT, LON, ACCURACY)
def test_an_inspection_position_may_carry_its_accuracy(lat, lon, accuracy):
    position = {"lat": lat, "lon": lon, "accuracy_m": accuracy}
    data = phone_schemas.InspectionSubmit().load({
        "template_id": 1, "site_code": "s1", "inspected_at": "2026-07-01T09:00:00+09:00",
        "answers": {}, "position": position, "photo_position": position})
    assert data["position"]["accuracy_m"] == accuracy


@given(st.sets(st.sampled_from(OPTIONAL), min_size=1))
def test_optional_run_fields_accept_null(nulls):
    start = phone_schemas.RunStart().load({
        "kind": "night", "started_at": "2026-07-01T21:00:00+09:00",
        **dict.fromkeys(nulls)})
    change = phone_schemas.RunChange().load(dict.fromkeys(nulls))
    for data in (start, change):
        for key in nulls:
            assert data[key] == phone_schemas.RUN_EMPTY.get(key), key
