"""Lists of reference records: stable pages, the X-Pagination header, the `q` filter."""
import json

import pytest
from refapi import assert_error

DEPARTMENTS = [("roads", "도로과", "Roads Division"), ("parks", "공원녹지과", "Parks Division"),
               ("cleaning", "청소과", "Cleaning Division"),
               ("dong-yeoui", "여의동주민센터", "Yeoui-dong Community Center"),
               ("dong-mullae", "문래동주민센터", "Mullae-dong Community Center"),
               ("control", "CCTV관제센터", "Control Room"),
               ("pct", "100%민원실", "Complaints desk"),
               ("under_score", "기획_예산과", "Planning and Budget")]


@pytest.fixture
def departments(ref) -> list[dict]:
    """Eight departments, created in this order."""
    return [ref.create("departments", code, name_ko=ko, name_en=en)
            for code, ko, en in DEPARTMENTS]


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["code"] for item in response.get_json()]


def _pagination(response) -> dict:
    return json.loads(response.headers["X-Pagination"])


def test_pages_are_in_id_order_without_gaps_or_repeats(ref, departments):
    # Renaming the first one must not move it: the order is by id.
    ref.patch("departments", departments[0]["id"], {"name_ko": "힣 맨 뒤로"})
    pages = [ref.list("departments", page=page, page_size=3) for page in (1, 2, 3)]
    ids = [item["id"] for response in pages for item in response.get_json()]
    assert ids == sorted(d["id"] for d in departments)
    assert [len(p.get_json()) for p in pages] == [3, 3, 2]


def test_pagination_header_values(ref, departments):
    middle = _pagination(ref.list("departments", page=2, page_size=3))
    assert middle == {"total": 8, "total_pages": 3, "first_page": 1, "last_page": 3,
                      "page": 2, "previous_page": 1, "next_page": 3}
    last = _pagination(ref.list("departments", page=3, page_size=3))
    assert last["page"] == 3 and "next_page" not in last
    first = _pagination(ref.list("departments"))
    assert first["total"] == 8 and first["total_pages"] == 1 and "previous_page" not in first


def test_page_beyond_the_last_is_empty(ref, departments):
    response = ref.list("departments", page=9, page_size=3)
    assert response.get_json() == []
    assert _pagination(response)["total"] == 8


def test_empty_list_header(ref):
    response = ref.list("areas")
    assert response.get_json() == []
    assert _pagination(response) == {"total": 0, "total_pages": 0}


def test_retired_records_leave_the_count(ref, departments):
    ref.delete("departments", departments[0]["id"])
    assert _pagination(ref.list("departments"))["total"] == 7
    assert _pagination(ref.list("departments", include_deleted="true"))["total"] == 8


def test_largest_page_size_is_allowed(ref, departments):
    assert len(ref.list("departments", page_size=500).get_json()) == 8


@pytest.mark.parametrize(("name", "value"), [("page_size", 501), ("page_size", 0),
                                             ("page", 0), ("page_size", "many")])
def test_page_parameters_out_of_range_are_422(ref, name, value):
    payload = assert_error(ref.list("departments", **{name: value}), 422, "validation_error",
                           name)
    assert name in payload["errors"]["query"]


@pytest.mark.parametrize(("q", "expected"), [
    ("동주민센터", ["dong-yeoui", "dong-mullae"]),
    ("여의", ["dong-yeoui"]),
    ("도로과", ["roads"]),
    ("division", ["roads", "parks", "cleaning"]),
    ("DONG-", ["dong-yeoui", "dong-mullae"]),
    ("cctv", ["control"]),
    ("%", ["pct"]),
    ("_", ["under_score"]),
    ("없는이름", []),
])
def test_q_matches_code_and_names(ref, departments, q, expected):
    assert _codes(ref.list("departments", q=q)) == expected


def test_q_finds_korean_site_names(ref, base):
    ref.create("sites", "s-1", name_ko="여의도공원 무더위쉼터")
    ref.create("sites", "s-2", name_ko="당산역 빗물받이")
    assert _codes(ref.list("sites", q="무더위")) == ["s-1"]
    assert _codes(ref.list("sites", q="빗물받이")) == ["s-2"]


def test_q_finds_routing_rules_by_note(ref, base):
    ref.create("routing-rules", note="여의동 청소 민원은 동주민센터 처리")
    ref.create("routing-rules", note="기본 처리부서")
    notes = [r["note"] for r in ref.list("routing-rules", q="청소").get_json()]
    assert notes == ["여의동 청소 민원은 동주민센터 처리"]
