"""Create, read, update and retire reference records; references travel as codes."""
import unicodedata

import pytest
from refapi import (
    CODED_KINDS,
    KINDS,
    YEOUI_SQUARE,
    assert_error,
    body,
    square,
)

# A Korean text field of each kind that PATCH changes in the round trip.
KOREAN_FIELD = {"departments": "name_ko", "areas": "name_ko", "categories": "name_ko",
                "facility-types": "name_ko", "sites": "address_ko", "routing-rules": "note"}
KOREAN_TEXT = "서울특별시 영등포구 여의대로 24, 2층 (여의동) — 점검"


@pytest.mark.usefixtures("base")
@pytest.mark.parametrize("kind", KINDS)
def test_crud_round_trip_keeps_korean_text(ref, kind):
    created = ref.create(kind, "new-1")
    assert created["version"] == 1 and created["deleted"] is False
    field = KOREAN_FIELD[kind]

    patched = ref.patch(kind, created["id"], {field: KOREAN_TEXT})
    assert patched.status_code == 200
    assert patched.get_json()[field] == KOREAN_TEXT

    fetched = ref.get(kind, created["id"])
    assert fetched.status_code == 200
    assert fetched.get_json()[field] == KOREAN_TEXT
    assert fetched.get_json()["version"] == 2

    assert ref.delete(kind, created["id"]).status_code == 204
    tombstone = ref.get(kind, created["id"]).get_json()
    assert tombstone["deleted"] is True
    listed = ref.list(kind).get_json()
    assert created["id"] not in [item["id"] for item in listed]
    with_deleted = ref.list(kind, include_deleted="true").get_json()
    assert created["id"] in [item["id"] for item in with_deleted]


@pytest.mark.parametrize("kind", CODED_KINDS)
def test_created_record_answers_what_was_sent(ref, base, kind):
    sent = body(kind, "echo-1")
    created = ref.create(kind, "echo-1")
    for name, value in sent.items():
        assert created[name] == value, name


def test_patch_of_missing_record_is_404(ref):
    assert_error(ref.patch("departments", 999, {"name_ko": "없음"}), 404, "not_found")


def test_retired_record_cannot_be_changed_or_retired_again(ref, base):
    record_id = base["category"]["id"]
    assert ref.delete("categories", record_id).status_code == 204
    assert_error(ref.patch("categories", record_id, {"name_ko": "다시"}), 404, "not_found")
    assert_error(ref.delete("categories", record_id), 404, "not_found")


def test_nfd_korean_is_stored_composed(ref):
    decomposed = unicodedata.normalize("NFD", "문래동주민센터")
    assert decomposed != "문래동주민센터"
    created = ref.create("departments", "mullae", name_ko=decomposed, kind="dong_office")
    assert created["name_ko"] == "문래동주민센터"
    assert [d["code"] for d in ref.list("departments", q="문래").get_json()] == ["mullae"]


# --- references by code ------------------------------------------------------------------

REFERENCES = [
    ("departments", "area_code", "yeoui", "area_code"),
    ("categories", "default_department_code", "roads", "default_department_code"),
    ("facility-types", "owner_department_code", "roads", "owner_department_code"),
    ("sites", "facility_type_code", "drain", "facility_type_code"),
    ("sites", "owner_department_code", "roads", "owner_department_code"),
    ("routing-rules", "category_code", "road-damage", "category_code"),
    ("routing-rules", "area_code", "yeoui", "area_code"),
    ("routing-rules", "owner_department_code", "roads", "owner_department_code"),
    ("routing-rules", "target_department_code", "roads", "target_department_code"),
]


@pytest.mark.usefixtures("base")
@pytest.mark.parametrize(("kind", "field", "code", "_"), REFERENCES)
def test_reference_by_code_round_trips(ref, kind, field, code, _):
    created = ref.create(kind, "ref-1", **{field: code})
    assert created[field] == code
    assert ref.get(kind, created["id"]).get_json()[field] == code


@pytest.mark.usefixtures("base")
@pytest.mark.parametrize(("kind", "field", "_code", "_"), REFERENCES)
def test_unknown_reference_names_the_field(ref, kind, field, _code, _):
    response = ref.post(kind, body(kind, "ref-2", **{field: "no-such-code"}))
    payload = assert_error(response, 422, "unknown_reference", field)
    assert "no-such-code" in payload["message"]
    assert ref.list(kind, q="ref-2").get_json() == []


def test_reference_to_retired_record_is_unknown(ref, base):
    assert ref.delete("facility-types", base["facility_type"]["id"]).status_code == 204
    assert_error(ref.post("sites", body("sites", "s-1")), 422, "unknown_reference",
                 "facility_type_code")


def test_patch_can_change_and_clear_a_reference(ref, base):
    other = ref.create("departments", "parks", name_ko="공원녹지과")
    ftype = base["facility_type"]
    changed = ref.patch("facility-types", ftype["id"], {"owner_department_code": "parks"})
    assert changed.get_json()["owner_department_code"] == "parks"
    assert other["code"] == "parks"
    cleared = ref.patch("facility-types", ftype["id"], {"owner_department_code": None})
    assert cleared.get_json()["owner_department_code"] is None


def test_missing_required_reference_is_422(ref, base):
    data = body("sites", "s-1")
    del data["facility_type_code"]
    assert_error(ref.post("sites", data), 422, "validation_error", "facility_type_code")


# --- codes ---------------------------------------------------------------------------------

@pytest.mark.usefixtures("base")
@pytest.mark.parametrize("kind", CODED_KINDS)
def test_duplicate_code_is_409(ref, kind):
    ref.create(kind, "dup-1")
    response = ref.post(kind, body(kind, "dup-1", name_ko="다른 이름"))
    assert_error(response, 409, "duplicate_code", "code")


def test_changing_code_to_a_taken_one_is_409(ref, base):
    other = ref.create("departments", "parks")
    assert_error(ref.patch("departments", other["id"], {"code": "roads"}), 409,
                 "duplicate_code", "code")


@pytest.mark.usefixtures("base")
@pytest.mark.parametrize("kind", CODED_KINDS)
def test_retired_code_can_be_reused(ref, kind):
    first = ref.create(kind, "again")
    assert ref.delete(kind, first["id"]).status_code == 204
    second = ref.create(kind, "again", name_ko="새로 만든 것")
    assert second["id"] != first["id"] and second["code"] == "again"
    assert [r["id"] for r in ref.list(kind, q="again").get_json()] == [second["id"]]
    assert ref.get(kind, first["id"]).get_json()["deleted"] is True


def test_retired_code_can_be_reused_twice(ref):
    for _ in range(3):
        record = ref.create("departments", "cycle")
        assert ref.delete("departments", record["id"]).status_code == 204
    assert ref.create("departments", "cycle")["code"] == "cycle"


def test_retired_code_can_be_taken_by_patch(ref, base):
    retired = ref.create("departments", "old-name")
    assert ref.delete("departments", retired["id"]).status_code == 204
    renamed = ref.patch("departments", base["department"]["id"], {"code": "old-name"})
    assert renamed.status_code == 200, renamed.get_json()
    assert renamed.get_json()["code"] == "old-name"


def test_longest_area_code_can_be_retired_and_reused(ref):
    code = "A" * 20
    first = ref.create("areas", code)
    assert ref.delete("areas", first["id"]).status_code == 204
    assert ref.create("areas", code)["code"] == code


@pytest.mark.parametrize(("kind", "code"), [("areas", "A" * 21), ("departments", "B" * 41),
                                            ("departments", "한글코드"), ("sites", "bad code")])
def test_code_format_is_validated(ref, base, kind, code):
    assert_error(ref.post(kind, body(kind, code)), 422, "validation_error", "code")


def test_over_long_email_is_422(ref):
    email = "a" * 190 + "@example.go.kr"
    assert_error(ref.post("departments", body("departments", "d1", email=email)), 422,
                 "validation_error", "email")


def test_unknown_body_field_is_422(ref):
    response = ref.post("departments", body("departments", "d1", colour="blue"))
    assert_error(response, 422, "validation_error", "colour")


# --- sites and their area -----------------------------------------------------------------

def test_site_area_is_derived_from_the_dong_polygon(ref, demo):
    # 여의동's own centroid lies inside its polygon; no area_code is sent.
    data = body("sites", "derived-1", facility_type_code="storm_drain", lat=37.525,
                lon=126.925)
    del data["area_code"]
    created = ref.post("sites", data)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["area_code"] == "11560540"


def test_moving_a_site_moves_its_area_and_bumps_version_once(ref, demo):
    data = body("sites", "moving", facility_type_code="storm_drain", lat=37.525, lon=126.925)
    del data["area_code"]
    site = ref.post("sites", data).get_json()
    # 문래동 (Mullae-dong) centroid.
    moved = ref.patch("sites", site["id"], {"lat": 37.516, "lon": 126.895}, if_match='"v1"')
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["area_code"] == "11560605"
    assert moved.get_json()["version"] == 2
    assert moved.headers["ETag"] == '"v2"'


def test_null_area_code_means_derive_it(ref, base):
    assert ref.create("sites", "s-1", area_code=None)["area_code"] == "yeoui"


def test_site_outside_every_dong_has_no_area(ref, demo):
    data = body("sites", "busan", facility_type_code="storm_drain", lat=35.1, lon=129.0)
    del data["area_code"]
    assert ref.post("sites", data).get_json()["area_code"] is None


def test_explicit_area_code_wins_over_position(ref, demo):
    data = body("sites", "explicit", facility_type_code="storm_drain", lat=37.525,
                lon=126.925, area_code="11560605")
    assert ref.post("sites", data).get_json()["area_code"] == "11560605"


def test_retired_area_is_not_derived(ref, base):
    assert ref.delete("areas", base["area"]["id"]).status_code == 204
    data = body("sites", "s-1")
    del data["area_code"]
    assert ref.post("sites", data).get_json()["area_code"] is None


@pytest.mark.parametrize(("field", "value"), [("lat", 91), ("lat", "abc"), ("lon", -181),
                                              ("lat", None)])
def test_site_position_is_validated(ref, base, field, value):
    assert_error(ref.post("sites", body("sites", "s-1", **{field: value})), 422,
                 "validation_error", field)


# --- area polygons -------------------------------------------------------------------------

BOW_TIE = {"type": "Polygon", "coordinates": [[
    [126.90, 37.50], [126.92, 37.52], [126.92, 37.50], [126.90, 37.52], [126.90, 37.50]]]}
INVALID_GEOMETRIES = {
    "bow-tie": BOW_TIE,
    "point": {"type": "Point", "coordinates": [126.9, 37.5]},
    "line": {"type": "LineString", "coordinates": [[126.9, 37.5], [126.91, 37.51]]},
    "latitude out of range": square(126.9, 95.0),
    "longitude out of range": square(190.0, 37.5),
    "lat/lon swapped": square(37.5, 126.9),
    "too few points": {"type": "Polygon", "coordinates": [[[126.9, 37.5], [126.91, 37.5]]]},
    "no coordinates": {"type": "Polygon"},
    "empty": {"type": "Polygon", "coordinates": []},
    "text coordinates": {"type": "Polygon", "coordinates": "126.9 37.5"},
    "no type": {"coordinates": YEOUI_SQUARE["coordinates"]},
}


@pytest.mark.parametrize("geometry", INVALID_GEOMETRIES.values(), ids=INVALID_GEOMETRIES.keys())
def test_invalid_polygon_is_422_on_geometry(ref, geometry):
    response = ref.post("areas", body("areas", "bad-1", geometry=geometry))
    assert_error(response, 422, "invalid_geometry", "geometry")
    assert ref.list("areas").get_json() == []


def test_invalid_polygon_on_patch_leaves_area_unchanged(ref, base):
    area = base["area"]
    assert_error(ref.patch("areas", area["id"], {"geometry": BOW_TIE}), 422,
                 "invalid_geometry", "geometry")
    current = ref.get("areas", area["id"]).get_json()
    assert current["geometry"] == YEOUI_SQUARE and current["version"] == 1


def test_multipolygon_area_is_accepted(ref):
    geometry = {"type": "MultiPolygon", "coordinates": [
        square(126.90, 37.50)["coordinates"], square(126.95, 37.55)["coordinates"]]}
    created = ref.create("areas", "multi", geometry=geometry)
    assert created["geometry"] == geometry


def test_geometry_that_is_not_an_object_is_422(ref):
    response = ref.post("areas", body("areas", "bad-1", geometry="POLYGON((0 0, 1 0, 1 1))"))
    assert_error(response, 422, "validation_error", "geometry")


# --- routing rules -------------------------------------------------------------------------

def test_rule_ending_before_it_starts_is_422(ref, base):
    data = body("routing-rules", effective_from="2026-03-01", effective_to="2026-02-28")
    assert_error(ref.post("routing-rules", data), 422, "validation_error", "effective_to")


def test_rule_patched_to_end_before_its_start_is_422(ref, base):
    rule = ref.create("routing-rules", effective_from="2026-03-01")
    response = ref.patch("routing-rules", rule["id"], {"effective_to": "2026-01-31"})
    assert_error(response, 422, "validation_error", "effective_to")
    assert ref.get("routing-rules", rule["id"]).get_json()["effective_to"] is None


def test_rule_patched_to_start_after_its_end_is_422(ref, base):
    rule = ref.create("routing-rules", effective_from="2026-01-01", effective_to="2026-06-30")
    response = ref.patch("routing-rules", rule["id"], {"effective_from": "2026-07-01"})
    assert_error(response, 422, "validation_error", "effective_to")


def test_rule_of_one_day_is_accepted(ref, base):
    rule = ref.create("routing-rules", effective_from="2026-05-05", effective_to="2026-05-05")
    assert (rule["effective_from"], rule["effective_to"]) == ("2026-05-05", "2026-05-05")


# --- who may write -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_officer_reads_but_cannot_write(ref, officer, base, kind):
    record = ref.create(kind, "mine")
    assert officer.get(kind, record["id"]).status_code == 200
    assert record["id"] in [r["id"] for r in officer.list(kind).get_json()]
    assert_error(officer.post(kind, body(kind, "theirs")), 403, "forbidden")
    assert_error(officer.patch(kind, record["id"], {"priority": 1}), 403, "forbidden")
    assert_error(officer.delete(kind, record["id"]), 403, "forbidden")
    assert_error(officer.import_(kind, "code\nx\n"), 403, "forbidden")
    assert ref.get(kind, record["id"]).get_json()["version"] == 1


@pytest.mark.parametrize("role", ["manager", "viewer", "department_staff", "citizen_auditor"])
def test_other_roles_cannot_create(client, make_user, role):
    _, headers = make_user(role)
    response = client.post("/api/v1/departments", json=body("departments"), headers=headers)
    assert_error(response, 403, "forbidden")


def test_anonymous_cannot_read(client):
    assert_error(client.get("/api/v1/departments"), 401, "unauthenticated")
    assert_error(client.get("/api/v1/reference/changes"), 401, "unauthenticated")


def test_json_endpoint_refuses_csv_body(ref):
    response = ref.client.post("/api/v1/departments", data="code,name_ko\nx,y\n",
                               content_type="text/csv", headers=ref.headers)
    assert_error(response, 415, "unsupported_media_type", "Content-Type")


def test_malformed_json_is_400(ref):
    response = ref.client.post("/api/v1/departments", data=b"{not json",
                               content_type="application/json", headers=ref.headers)
    assert_error(response, 400, "malformed_json", "body")
