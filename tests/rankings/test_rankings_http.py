"""The rankings API: metrics, live tables, snapshots, awards, CSV with Korean headers."""
import io

import pytest
from scenario import build

from patrol_api.auth.roles import Role


@pytest.fixture
def manager(make_user):
    """Authorization header of a manager."""
    return make_user(Role.MANAGER)[1]


def test_metrics_over_a_month_range(client, manager):
    build()
    answer = client.get("/api/v1/rankings/metrics?from=2026-09&to=2026-10&kind=headquarters",
                        headers=manager)
    assert answer.status_code == 200
    rows = {(r["month"], r["department_code"]): r for r in answer.json}
    assert set(rows) == {("2026-09", "clean"), ("2026-09", "road"), ("2026-10", "clean"),
                         ("2026-10", "road")}
    assert rows[("2026-10", "road")]["received"] == 4
    assert rows[("2026-09", "road")]["received"] == 1


def test_bad_month_range_is_422(client, manager):
    answer = client.get("/api/v1/rankings/metrics?from=2026-10&to=2026-09", headers=manager)
    assert answer.status_code == 422


def test_metrics_csv_has_bom_and_korean_headers(client, manager):
    build()
    answer = client.get("/api/v1/rankings/metrics.csv?from=2026-10&to=2026-10", headers=manager)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    text = answer.data.decode("utf-8")
    assert text.startswith("\ufeff월,부서코드,부서명,구분,접수")
    assert "본청 부서" in text and "동 주민센터" in text


def test_snapshot_compute_list_detail_csv(client, manager, make_user):
    build()
    made = client.post("/api/v1/rankings/snapshots", json={"month": "2026-10"}, headers=manager)
    assert made.status_code == 202 and made.json["status"] == "done"
    viewer = make_user(Role.VIEWER)[1]
    listed = client.get("/api/v1/rankings/snapshots", headers=viewer).json
    assert [(s["month"], s["version"]) for s in listed] == [("2026-10", 1)]
    detail = client.get(f"/api/v1/rankings/snapshots/{listed[0]['id']}", headers=viewer).json
    assert {row["department_code"] for row in detail["tables"]["headquarters"]} == {
        "clean", "road"}
    csv = client.get(f"/api/v1/rankings/snapshots/{listed[0]['id']}/csv", headers=viewer)
    assert csv.data.decode("utf-8").startswith("\ufeff순위,종합점수")


def test_viewer_may_not_compute(client, make_user):
    viewer = make_user(Role.VIEWER)[1]
    answer = client.post("/api/v1/rankings/snapshots", json={"month": "2026-10"},
                         headers=viewer)
    assert answer.status_code == 403


def test_live_tables_and_awards(client, manager):
    build()
    tables = client.get("/api/v1/rankings?month=2026-10", headers=manager).json
    assert set(tables) == {"headquarters", "dong_office"}
    awarded = client.get("/api/v1/rankings/awards?year=2026", headers=manager)
    assert awarded.status_code == 200 and awarded.json["year"] == 2026


def test_missing_snapshot_is_404(client, manager):
    assert client.get("/api/v1/rankings/snapshots/999", headers=manager).status_code == 404


def test_snapshot_xlsx_has_a_sheet_per_kind(client, manager):
    openpyxl = pytest.importorskip("openpyxl")
    build()
    made = client.post("/api/v1/rankings/snapshots", json={"month": "2026-10"}, headers=manager)
    answer = client.get(f"/api/v1/rankings/snapshots/{made.json['snapshot_id']}/xlsx",
                        headers=manager)
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["본청 부서", "동 주민센터"]
    sheet = book["본청 부서"]
    assert sheet["A2"].value == "순위" and sheet.page_setup.orientation == "landscape"
    assert {sheet.cell(row, 5).value for row in (3, 4)} == {"clean", "road"}
