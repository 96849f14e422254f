"""Annual awards from twelve snapshots made by the snapshot service; missing months; exports.

The crafted year ranks (computed by hand, docs/rankings.md): September road 23.53 (F5 late
and open: on time 0, speed 0, transfer 1, rejection 1 → 100 × 0.2 / 0.85); October clean
45.78, road 44.57 (dong1 88.98); November and December: every department 0.00 (only late
items left open: F2's reopening, F4, F5 for road; F7's reopening, F8 for clean; F14 for
dong1 — an overdue item counts against its holder every month it stays open).
"""
import csv
import io

import pytest
from scenario import build

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.rankings import awards, months, snapshots

YEAR = months.span("2026-01", "2026-12")


@pytest.fixture
def year(ctx, monkeypatch):
    """The crafted months and a snapshot of every month but July; awards need 3 months."""
    monkeypatch.setitem(ctx.config, "RANKING_MIN_VOLUME", 1)
    monkeypatch.setitem(ctx.config, "RANKING_AWARD_MIN_MONTHS", 3)
    # judged in January 2027: every month of 2026 is over, whatever today's date
    monkeypatch.setattr(months, "current", lambda now=None: "2027-01")
    build()
    for month in YEAR:
        if month != "2026-07":
            snapshots.compute(month)
    db.session.commit()


def _scores(month: str) -> dict:
    """{code: (rank, tied, score)} of the month's latest snapshot."""
    snap = snapshots.latest(month)
    return {row["department_code"]: (row["rank"], row["tied"], row["score"])
            for kind in ("headquarters", "dong_office") for row in snap.tables[kind]
            if row["ranked"]}


def test_monthly_scores_by_hand(year):
    assert _scores("2026-09") == {"road": (1, False, 23.53)}
    assert _scores("2026-10") == {"clean": (1, False, 45.78), "road": (2, False, 44.57),
                                  "dong1": (1, False, 88.98)}
    late = {"clean": (1, True, 0.0), "road": (1, True, 0.0), "dong1": (1, False, 0.0)}
    assert _scores("2026-11") == late and _scores("2026-12") == late


def test_missing_months_are_named_and_warned(year):
    result = awards.awards(2026)
    assert result["months_missing"] == ["2026-07"] and len(result["snapshots"]) == 11
    assert "2026-07" in result["warning"] and "No snapshot" in result["warning"]


def test_twelve_snapshots_give_complete_awards(year):
    snapshots.compute("2026-07")
    db.session.commit()
    result = awards.awards(2026)
    assert (result["months_missing"], result["warning"]) == ([], None)
    assert [s["month"] for s in result["snapshots"]] == YEAR
    # road: (23.53 + 44.57 + 0 + 0) / 4 = 17.025, stored as 17.02 (a binary float);
    # clean (45.78 + 0 + 0) / 3 = 15.26; dong1 (88.98 + 0 + 0) / 3 = 29.66
    assert [(r["department_code"], r["months_ranked"], r["score"], r["rank"], r["award"])
            for r in result["tables"]["headquarters"]] == [("road", 4, 17.02, 1, "최우수"),
                                                           ("clean", 3, 15.26, 2, "우수")]
    assert [(r["department_code"], r["score"]) for r in result["tables"]["dong_office"]] == [
        ("dong1", 29.66)]


@pytest.fixture
def viewer(make_user):
    """Authorization header of a viewer."""
    return make_user(Role.VIEWER)[1]


def test_awards_api_carries_the_warning(client, year, viewer):
    body = client.get("/api/v1/rankings/awards?year=2026", headers=viewer).get_json()
    assert body["months_missing"] == ["2026-07"] and "2026-07" in body["warning"]
    assert body["tables"]["headquarters"][0]["department_kind"] == "headquarters"


def test_awards_csv(client, year, viewer, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "RANKING_AWARD_MIN_MONTHS", 2)
    answer = client.get("/api/v1/rankings/awards.csv?year=2026", headers=viewer)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.headers["X-Months-Missing"] == "2026-07"
    assert 'filename="awards-2026.csv"' in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0] == ["구분", "순위", "포상", "부서코드", "부서명", "평가 개월 수",
                       "연간 점수(월 평균)"]
    assert rows[1:] == [["본청 부서", "1", "최우수", "road", "road과", "4", "17.02"],
                        ["본청 부서", "2", "우수", "clean", "clean과", "3", "15.26"],
                        ["동 주민센터", "1", "최우수", "dong1", "dong1과", "3", "29.66"]]


def test_awards_xlsx_is_printable_and_warns(client, year, viewer):
    openpyxl = pytest.importorskip("openpyxl")
    answer = client.get("/api/v1/rankings/awards.xlsx?year=2026", headers=viewer)
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["본청 부서", "동 주민센터"]
    sheet = book["본청 부서"]
    assert sheet["A1"].value.startswith("2026년") and "2026-07" in sheet["A2"].value
    assert [cell.value for cell in sheet[3]][:3] == ["구분", "순위", "포상"]
    assert [cell.value for cell in sheet[4]] == ["본청 부서", 1, "최우수", "road", "road과", 4,
                                                17.02]
    assert sheet.print_title_rows == "$3:$3" and sheet.page_setup.orientation == "landscape"


def test_ties_are_marked_in_snapshot_exports(client, year, viewer):
    openpyxl = pytest.importorskip("openpyxl")
    november = snapshots.latest("2026-11").id
    text = client.get(f"/api/v1/rankings/snapshots/{november}/csv", headers=viewer)
    rows = list(csv.reader(io.StringIO(text.data.decode("utf-8-sig"))))
    assert [(row[0], row[7]) for row in rows[1:3]] == [("1=", "clean"), ("1=", "road")]
    book = client.get(f"/api/v1/rankings/snapshots/{november}/xlsx", headers=viewer)
    sheet = openpyxl.load_workbook(io.BytesIO(book.data))["본청 부서"]
    assert [sheet.cell(row, 1).value for row in (3, 4)] == ["1=", "1="]


def test_bad_year_is_a_structured_422(client, viewer):
    answer = client.get("/api/v1/rankings/awards.csv?year=abc", headers=viewer)
    assert answer.status_code == 422 and answer.get_json()["field"] == "year"
