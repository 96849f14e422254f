"""The offline reference pull: change order, paging by cursor, tombstones."""
import base64

import pytest
from refapi import KINDS, assert_error


def _page(response) -> dict:
    payload = response.get_json()
    assert response.status_code == 200, payload
    return payload


def _keys(changes: list[dict]) -> list[tuple]:
    return [(c["kind"], c["id"]) for c in changes]


def _pull_all(api, cursor=None, limit=3) -> tuple[list[dict], list[dict]]:
    """Follow next_cursor until has_more is false; returns (changes, pages)."""
    changes, pages = [], []
    while True:
        page = _page(api.changes(cursor, limit))
        pages.append(page)
        changes += page["changes"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return changes, pages


def _live(ref) -> set[tuple]:
    """(kind, id) of every live record."""
    return {(kind, r["id"]) for kind in KINDS for r in ref.list(kind, page_size=500).get_json()}


def _highest_seq(ref) -> int:
    return max(r["change_seq"] for kind in KINDS
               for r in ref.list(kind, include_deleted="true", page_size=500).get_json())


@pytest.fixture
def records(ref, base) -> dict:
    """The base records plus two sites and a routing rule, one department retired."""
    retired = ref.create("departments", "retired")
    assert ref.delete("departments", retired["id"]).status_code == 204
    return {**base, "retired": retired,
            "site1": ref.create("sites", "s-1"), "site2": ref.create("sites", "s-2"),
            "rule": ref.create("routing-rules", note="기본 규칙")}


def _upserts(changes: list[dict]) -> list[tuple]:
    return [(c["kind"], c["id"]) for c in changes if c["op"] == "upsert"]


def test_full_download_is_every_live_record_in_seq_order(ref, records):
    page = _page(ref.changes())
    seqs = [c["seq"] for c in page["changes"]]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert set(_upserts(page["changes"])) == _live(ref)
    assert len(_upserts(page["changes"])) == len(_live(ref)) == 7
    assert page["has_more"] is False
    assert page["reference_version"] == _highest_seq(ref) == seqs[-1]


def test_upsert_carries_the_record_as_get_shows_it(ref, records):
    change = next(c for c in _page(ref.changes())["changes"] if c["kind"] == "sites")
    record = ref.get("sites", change["id"]).get_json()
    assert change["record"] == record
    assert change["seq"] == record["change_seq"]
    assert change["record"]["name_ko"] == "여의도 빗물받이 1호"


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 8])
def test_paging_has_no_gaps_or_repeats(ref, records, limit):
    full = _page(ref.changes())["changes"]
    changes, pages = _pull_all(ref, limit=limit)
    assert changes == full
    assert [p["has_more"] for p in pages] == [True] * (len(pages) - 1) + [False]
    assert all(len(p["changes"]) == limit for p in pages[:-1])
    assert len(pages) == max(1, -(-len(full) // limit))


def test_cursor_then_later_changes_gives_only_those(ref, records):
    _, pages = _pull_all(ref, limit=2)
    cursor = pages[-1]["next_cursor"]
    assert _page(ref.changes(cursor))["changes"] == []

    site = records["site1"]
    ref.patch("sites", site["id"], {"name_ko": "여의도 빗물받이 1호(이설)"})
    added = ref.create("categories", "snow", name_ko="제설")
    ref.delete("routing-rules", records["rule"]["id"])

    page = _page(ref.changes(cursor))
    assert [(c["kind"], c["id"], c["op"]) for c in page["changes"]] == [
        ("sites", site["id"], "upsert"), ("categories", added["id"], "upsert"),
        ("routing-rules", records["rule"]["id"], "delete")]
    assert page["changes"][0]["record"]["name_ko"] == "여의도 빗물받이 1호(이설)"
    assert page["reference_version"] == page["changes"][-1]["seq"]
    assert _page(ref.changes(page["next_cursor"]))["changes"] == []


def test_update_moves_a_record_to_the_end(ref, records):
    first = _page(ref.changes())["changes"][0]
    ref.patch(first["kind"], first["id"], {"name_en": "Renamed"})
    changes = _page(ref.changes())["changes"]
    assert _keys(changes).count((first["kind"], first["id"])) == 1
    assert (changes[-1]["kind"], changes[-1]["id"]) == (first["kind"], first["id"])
    assert changes[-1]["record"]["name_en"] == "Renamed"


def test_delete_arrives_as_a_tombstone(ref, records):
    cursor = _page(ref.changes())["next_cursor"]
    site = records["site2"]
    assert ref.delete("sites", site["id"]).status_code == 204
    (change,) = _page(ref.changes(cursor))["changes"]
    assert change == {"kind": "sites", "op": "delete", "id": site["id"], "record": None,
                      "seq": ref.get("sites", site["id"]).get_json()["change_seq"]}


def test_full_download_carries_earlier_deletes_as_tombstones(ref, records):
    changes = _page(ref.changes())["changes"]
    tombstones = [c for c in changes if c["op"] == "delete"]
    assert [(c["kind"], c["id"], c["record"]) for c in tombstones] == [
        ("departments", records["retired"]["id"], None)]


def test_changes_made_while_paging_are_not_lost(ref, records):
    first = _page(ref.changes(limit=3))
    moved = first["changes"][0]
    ref.patch(moved["kind"], moved["id"], {"name_en": "Changed meanwhile"})
    rest, _ = _pull_all(ref, first["next_cursor"], limit=3)
    assert set(_upserts(first["changes"] + rest)) == _live(ref)
    assert rest[-1]["record"]["name_en"] == "Changed meanwhile"


def test_empty_database_gives_an_empty_page(ref):
    page = _page(ref.changes())
    assert page["changes"] == [] and page["has_more"] is False
    assert page["reference_version"] == 0
    assert _page(ref.changes(page["next_cursor"]))["changes"] == []


def test_officer_can_pull(officer, records):
    assert len(_upserts(_page(officer.changes())["changes"])) == 7


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", ["garbage!", "bm90IGEgY3Vyc29y", _cursor("ref1:-1"),
                                    _cursor("ref1:abc"), _cursor("ref2:1"), _cursor("ref1:²"),
                                    _cursor("ref1:99999"), "한글"])
def test_invalid_cursor_is_400(ref, records, cursor):
    assert_error(ref.changes(cursor), 400, "invalid_cursor", "cursor")


@pytest.mark.parametrize("limit", [0, 2001, "all"])
def test_limit_out_of_range_is_422(ref, limit):
    assert_error(ref.changes(limit=limit), 422, "validation_error", "limit")
