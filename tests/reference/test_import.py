"""Bulk import from CSV and GeoJSON: good rows kept, bad rows reported with their field."""
import io
import json

import pytest
from refapi import assert_error, square

from patrol_api.reference import service

SITES_CSV = """code,name_ko,facility_type_code,lat,lon,address_ko
S-001,여의도공원 빗물받이 1호,drain,37.525,126.925,서울특별시 영등포구 여의공원로 68
S-002,위도가 잘못된 곳,drain,abc,126.920,
S-003,없는 시설유형,no-such-type,37.520,126.920,
,코드 없는 행,drain,37.520,126.920,
S-005,"쉼표, 들어간 이름",drain,37.530,126.930,
"""
GOOD_SITES = {"S-001": "여의도공원 빗물받이 1호", "S-005": "쉼표, 들어간 이름"}


def _summary(response) -> dict:
    """The counts of an import answer."""
    payload = response.get_json()
    assert response.status_code == 200, payload
    return {key: payload[key] for key in ("created", "updated", "unchanged", "rejected")}


def _rows_by_status(response, status: str) -> list[dict]:
    return [row for row in response.get_json()["rows"] if row["status"] == status]


def _sites(ref) -> dict:
    """Live sites by code."""
    return {site["code"]: site for site in ref.list("sites", page_size=500).get_json()}


def _feature(geometry: dict, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)},
                      ensure_ascii=False)


@pytest.fixture
def imported(ref, base):
    """The mixed sites CSV imported once."""
    return ref.import_("sites", SITES_CSV)


def test_good_rows_are_created_and_bad_rows_rejected_with_their_field(ref, imported):
    assert _summary(imported) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    assert imported.get_json()["dry_run"] is False
    rejected = {row["row"]: row for row in _rows_by_status(imported, "rejected")}
    assert {n: (r["code"], r["error"]["field"]) for n, r in rejected.items()} == {
        2: ("S-002", "lat"), 3: ("S-003", "facility_type_code"), 4: (None, "code")}
    assert rejected[3]["error"]["code"] == "unknown_reference"
    assert rejected[2]["error"]["code"] == "validation_error"
    assert rejected[2]["error"]["message"].startswith("lat: ")

    sites = _sites(ref)
    assert {code: site["name_ko"] for code, site in sites.items()} == GOOD_SITES
    assert sites["S-001"]["address_ko"] == "서울특별시 영등포구 여의공원로 68"
    assert sites["S-001"]["area_code"] == "yeoui"  # derived from the position
    assert sites["S-005"]["address_ko"] is None


def test_reimport_of_the_same_file_changes_nothing(ref, imported):
    versions = {code: site["version"] for code, site in _sites(ref).items()}
    again = ref.import_("sites", SITES_CSV)
    assert _summary(again) == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 3}
    assert {code: site["version"] for code, site in _sites(ref).items()} == versions


def test_reimport_with_changes_counts_updates(ref, imported):
    changed = (SITES_CSV.replace("여의도공원 빗물받이 1호", "여의도공원 빗물받이 1호(이설)")
               .replace("S-005,\"쉼표, 들어간 이름\",drain,37.530",
                        "S-005,\"쉼표, 들어간 이름\",drain,37.531"))
    again = ref.import_("sites", changed)
    assert _summary(again) == {"created": 0, "updated": 2, "unchanged": 0, "rejected": 3}
    sites = _sites(ref)
    assert sites["S-001"]["name_ko"] == "여의도공원 빗물받이 1호(이설)"
    assert sites["S-005"]["lat"] == 37.531
    assert sites["S-001"]["version"] == sites["S-005"]["version"] == 2


def test_import_revives_a_retired_code_as_a_new_record(ref, imported):
    old = _sites(ref)["S-001"]
    assert ref.delete("sites", old["id"]).status_code == 204
    again = ref.import_("sites", SITES_CSV)
    assert _summary(again)["created"] == 1 and _summary(again)["unchanged"] == 1
    assert _sites(ref)["S-001"]["id"] != old["id"]


def test_cp949_csv_with_korean_names(ref, base):
    text = "code,name_ko,name_en,kind\nydp-roads,도로과,Roads,headquarters\n" \
           "ydp-dang1,당산제1동주민센터,Dangsan 1-dong,dong_office\n"
    response = ref.import_("departments", text.encode("cp949"))
    assert _summary(response)["created"] == 2
    names = {d["code"]: d["name_ko"] for d in ref.list("departments", q="ydp").get_json()}
    assert names == {"ydp-roads": "도로과", "ydp-dang1": "당산제1동주민센터"}


def test_utf8_csv_with_bom_and_crlf(ref):
    text = "code,name_ko,name_en,kind\r\nbom-1,자원순환과,Recycling,headquarters\r\n"
    response = ref.import_("departments", b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert _summary(response)["created"] == 1
    assert ref.list("departments").get_json()[0]["name_ko"] == "자원순환과"


def test_csv_charset_parameter_is_honoured(ref):
    text = "code,name_ko,name_en,kind\neuc-1,치수과,Flood control,headquarters\n"
    response = ref.import_("departments", text.encode("euc-kr"),
                           content_type="text/csv; charset=euc-kr")
    assert _summary(response)["created"] == 1
    assert ref.list("departments").get_json()[0]["name_ko"] == "치수과"


def test_geojson_areas_from_polygons(ref):
    document = _collection(
        _feature(square(126.90, 37.50), code="11560605", name_ko="문래동", name_en="Mullae-dong"),
        _feature(square(126.92, 37.52), code=11560540, name_ko="여의동", name_en="Yeoui-dong"),
        _feature({"type": "Polygon", "coordinates": [[[126.9, 37.5], [126.92, 37.52],
                                                       [126.92, 37.5], [126.9, 37.52],
                                                       [126.9, 37.5]]]},
                 code="bowtie", name_ko="꼬인 동", name_en="Twisted"),
        _feature({"type": "Point", "coordinates": [126.9, 37.5]}, code="point",
                 name_ko="점", name_en="Point"),
    )
    response = ref.import_("areas", document, content_type="application/geo+json")
    assert _summary(response) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    rejected = _rows_by_status(response, "rejected")
    assert [(r["code"], r["error"]["code"], r["error"]["field"]) for r in rejected] == [
        ("bowtie", "invalid_geometry", "geometry"), ("point", "invalid_geometry", "geometry")]
    areas = {a["code"]: a for a in ref.list("areas").get_json()}
    assert set(areas) == {"11560605", "11560540"}
    assert areas["11560540"]["geometry"] == square(126.92, 37.52)
    again = ref.import_("areas", document, content_type="application/geo+json")
    assert _summary(again) == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 2}


def test_geojson_sites_from_points(ref, base):
    document = _collection(
        _feature({"type": "Point", "coordinates": [126.925, 37.525]}, code="G-1",
                 name_ko="여의도 제설함", facility_type_code="drain"),
        _feature({"type": "Point", "coordinates": [126.925, 95.0]}, code="G-2",
                 name_ko="범위 밖", facility_type_code="drain"),
        _feature(square(126.9, 37.5), code="G-3", name_ko="면 도형", facility_type_code="drain"),
    )
    response = ref.import_("sites", document, content_type="application/geo+json")
    assert _summary(response) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 2}
    fields = [r["error"]["field"] for r in _rows_by_status(response, "rejected")]
    assert fields == ["lat", "geometry"]
    site = _sites(ref)["G-1"]
    assert (site["lat"], site["lon"], site["area_code"]) == (37.525, 126.925, "yeoui")


def test_csv_areas_with_geojson_cells(ref):
    good = json.dumps(square(126.90, 37.50)).replace('"', '""')
    text = f'code,name_ko,name_en,geometry\n11560605,문래동,Mullae-dong,"{good}"\n' \
           f'11560585,도림동,Dorim-dong,POLYGON((126.9 37.5))\n'
    response = ref.import_("areas", text)
    assert _summary(response) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert _rows_by_status(response, "rejected")[0]["error"]["field"] == "geometry"
    assert ref.list("areas").get_json()[0]["geometry"] == square(126.90, 37.50)


def test_code_taken_meanwhile_rejects_only_that_row(ref, monkeypatch):
    ref.create("departments", "taken")
    # Another import created the code after this one looked: both miss each other.
    monkeypatch.setattr(service, "by_code", lambda *args, **kwargs: None)
    text = "code,name_ko,name_en,kind\ntaken,도로과,Roads,headquarters\n" \
           "fresh,공원녹지과,Parks,headquarters\n"
    response = ref.import_("departments", text)
    assert _summary(response) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert _rows_by_status(response, "rejected")[0]["error"]["code"] == "conflict"
    assert {d["code"] for d in ref.list("departments").get_json()} == {"taken", "fresh"}


def test_multipart_upload_of_csv_and_geojson(ref, base):
    csv_file = (io.BytesIO("code,name_ko,name_en\nmp-1,제설함,Snow box\n".encode()), "types.csv")
    response = ref.client.post("/api/v1/facility-types/import", data={"file": csv_file},
                               content_type="multipart/form-data", headers=ref.headers)
    assert _summary(response)["created"] == 1
    geojson = _collection(_feature(square(126.9, 37.5), code="mp-area", name_ko="업로드 동",
                                   name_en="Uploaded"))
    geo_file = (io.BytesIO(geojson.encode()), "dongs.geojson")
    response = ref.client.post("/api/v1/areas/import", data={"file": geo_file},
                               content_type="multipart/form-data", headers=ref.headers)
    assert _summary(response)["created"] == 1


def test_multipart_without_a_file_is_400(ref):
    response = ref.client.post("/api/v1/areas/import", data={"other": "x"},
                               content_type="multipart/form-data", headers=ref.headers)
    assert_error(response, 400, "missing_file", "file")


def test_dry_run_reports_but_changes_nothing(ref, base):
    before = ref.changes().get_json()["reference_version"]
    response = ref.import_("sites", SITES_CSV, dry_run="true")
    assert response.get_json()["dry_run"] is True
    assert _summary(response) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    assert _sites(ref) == {}
    assert ref.changes().get_json()["reference_version"] == before


def test_routing_rules_import_by_id(ref, base):
    text = "target_department_code,category_code,effective_from,effective_to,note\n" \
           "roads,road-damage,2026-01-01,,도로 파손 기본 규칙\n" \
           "roads,,2026-05-01,2026-04-30,날짜가 거꾸로\n"
    first = ref.import_("routing-rules", text)
    assert _summary(first) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert _rows_by_status(first, "rejected")[0]["error"]["field"] == "effective_to"
    rule = ref.list("routing-rules").get_json()[0]
    update = f"id,target_department_code,effective_from,note\n" \
             f"{rule['id']},roads,2026-01-01,도로 파손 규칙(수정)\n" \
             f"9999,roads,2026-01-01,없는 규칙\n"
    second = ref.import_("routing-rules", update)
    assert _summary(second) == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 1}
    assert ref.get("routing-rules", rule["id"]).get_json()["note"] == "도로 파손 규칙(수정)"


def test_row_with_cells_beyond_the_header_is_rejected(ref):
    # An unquoted comma in an address shifts the row: refuse it rather than guess.
    text = "code,name_ko,name_en,kind,email\n" \
           "ok-1,도로과,Roads,headquarters,\n" \
           "bad-1,주차관리과,Parking,headquarters,여의대로 24, 2층\n" \
           "short-1,청소과,Cleaning,headquarters\n" \
           "trailing-1,공원녹지과,Parks,headquarters,,,\n"
    response = ref.import_("departments", text)
    assert _summary(response) == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 1}
    (rejected,) = _rows_by_status(response, "rejected")
    assert (rejected["row"], rejected["code"]) == (2, "bad-1")
    assert rejected["error"]["code"] == "malformed_row"
    codes = [d["code"] for d in ref.list("departments").get_json()]
    assert codes == ["ok-1", "short-1", "trailing-1"]


def test_unknown_column_is_rejected_with_its_name(ref):
    response = ref.import_("departments", "code,name_ko,name_en,kind,colour\n"
                                          "d-1,도로과,Roads,headquarters,blue\n")
    assert _rows_by_status(response, "rejected")[0]["error"]["field"] == "colour"


@pytest.mark.parametrize(("data", "content_type", "status", "code"), [
    (b"", "text/csv", 422, "empty_import"),
    (b"code,name_ko,name_en,kind\n", "text/csv", 422, "empty_import"),
    (b'code,name_ko\n"unterminated,quote\n', "text/csv", 422, "malformed_csv"),
    (b"code,code,name_ko\nx,y,z\n", "text/csv", 422, "malformed_csv"),
    (b"\xff\xfe\x00\x80", "text/csv", 422, "bad_encoding"),
    (b"{not json", "application/geo+json", 422, "malformed_geojson"),
    (b'{"type": "Feature"}', "application/geo+json", 422, "malformed_geojson"),
    (b'{"type": "FeatureCollection", "features": []}', "application/geo+json", 422,
     "empty_import"),
], ids=["empty body", "header only", "open quote", "duplicate header", "binary",
        "broken json", "not a collection", "no features"])
def test_unreadable_file_is_a_structured_error(ref, data, content_type, status, code):
    assert_error(ref.import_("departments", data, content_type=content_type), status, code,
                 "file")
    assert ref.list("departments").get_json() == []


def test_deeply_nested_geojson_is_422(ref):
    deep = "[" * 10_000 + "]" * 10_000
    assert_error(ref.import_("areas", deep, content_type="application/geo+json"), 422,
                 "malformed_geojson", "file")
    response = ref.import_("areas", f'code,name_ko,name_en,geometry\na-1,동,Dong,"{deep}"\n')
    assert _rows_by_status(response, "rejected")[0]["error"]["field"] == "geometry"


@pytest.mark.parametrize(("field", "raw"), [("name_ko", r"a\u0000b"), ("name_ko", r"\ud800"),
                                            ("code", r"d\u0000"), ("name_en", r"x\udfffy")])
def test_text_no_database_stores_rejects_the_row(ref, field, raw):
    properties = {"code": "d-1", "name_ko": "도로과", "name_en": "Roads", "kind": "headquarters"}
    good = json.dumps({**properties, "code": "d-2"}, ensure_ascii=False)
    bad = json.dumps(properties, ensure_ascii=False).replace(f'"{properties[field]}"', f'"{raw}"')
    document = ('{"type": "FeatureCollection", "features": ['
                f'{{"type": "Feature", "geometry": null, "properties": {bad}}}, '
                f'{{"type": "Feature", "geometry": null, "properties": {good}}}]}}')
    response = ref.import_("departments", document, content_type="application/geo+json")
    assert _summary(response) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    error = _rows_by_status(response, "rejected")[0]["error"]
    assert (error["code"], error["field"]) == ("validation_error", field)


def test_nul_in_a_csv_cell_rejects_the_row(ref):
    text = "code,name_ko,name_en,kind\nd-1,도로\x00과,Roads,headquarters\n" \
           "d-2,공원녹지과,Parks,headquarters\n"
    response = ref.import_("departments", text)
    assert _summary(response)["created"] == 1
    assert _rows_by_status(response, "rejected")[0]["error"]["field"] == "name_ko"


def test_features_that_are_not_a_list_name_the_field(ref):
    response = ref.import_("areas", '{"type": "FeatureCollection", "features": {}}',
                           content_type="application/geo+json")
    assert_error(response, 422, "malformed_geojson", "features")


def test_too_many_rows_is_413(ref, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 2)
    text = "code,name_ko,name_en\n" + "".join(f"t-{n},유형{n},Type {n}\n" for n in range(3))
    assert_error(ref.import_("facility-types", text), 413, "too_many_rows", "file")
    assert ref.list("facility-types").get_json() == []
    allowed = "code,name_ko,name_en\n" + "".join(f"t-{n},유형{n},Type {n}\n" for n in range(2))
    assert _summary(ref.import_("facility-types", allowed))["created"] == 2


@pytest.mark.parametrize("content_type", ["application/xml", "application/vnd.ms-excel"])
def test_wrong_content_type_is_415(ref, content_type):
    response = ref.import_("departments", b"<rows/>", content_type=content_type)
    assert_error(response, 415, "unsupported_media_type", "Content-Type")

