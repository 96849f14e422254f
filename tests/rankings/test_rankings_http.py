"""The rankings API: metrics, live tables, snapshots, awards, CSV with Korean headers."""
import io

import pytest
from scenario import build

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import RankingSnapshot


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
    assert rows[("2026-10", "road")]["received"] == 7
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
    assert ",이송률,반려,반려율," in text.splitlines()[0]
    clean = next(line for line in text.splitlines() if ",clean," in line)
    assert ",0.2,1,0.2," in clean  # transfer rate 1/5, 1 rejected of 5 received


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
    assert {sheet.cell(row, 8).value for row in (3, 4)} == {"clean", "road"}


def test_metrics_xlsx_is_formatted_for_printing(client, manager):
    openpyxl = pytest.importorskip("openpyxl")
    build()
    answer = client.get("/api/v1/rankings/metrics.xlsx?from=2026-09&to=2026-10"
                        "&kind=headquarters", headers=manager)
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data))["월별 지표"]
    assert sheet["A1"].value.startswith("2026-09 ~ 2026-10") and "본청 부서" in sheet["A1"].value
    headers = [cell.value for cell in sheet[2]]
    assert headers[:5] == ["월", "부서코드", "부서명", "구분", "접수"]
    assert sheet.print_title_rows == "$2:$2" and sheet.page_setup.orientation == "landscape"
    rows = {(row[0], row[1]): dict(zip(headers, row, strict=True))
            for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {("2026-09", "clean"), ("2026-09", "road"), ("2026-10", "clean"),
                         ("2026-10", "road")}
    road = rows[("2026-10", "road")]
    assert (road["접수"], road["기한내처리율"], road["구분"]) == (7, 0.2857, "본청 부서")
    rate_column = headers.index("기한내처리율") + 1
    assert sheet.cell(3, rate_column).number_format == "0.0%"
    assert sheet.column_dimensions["C"].width == 18
    # business hours, not seconds: road's acknowledgements 1.5 h, 7 h and 47 h (F11, whose
    # clock runs from road's first receipt)
    assert (road["접수확인 중앙값(업무시간)"], road["접수확인 90%(업무시간)"]) == (7.0, 47.0)
    assert road["처리 90%(업무시간)"] == 47.0  # 169,200 s
    assert (road["반려"], road["반려율"]) == (0, 0.0)
    hours_column = headers.index("처리 중앙값(업무시간)") + 1
    assert sheet.cell(3, hours_column).number_format == "#,##0.0"
    assert not any("(초)" in header for header in headers)


def _other_category_and_area(departments) -> tuple[int, int]:
    """Add a building-violation finding in 여의동 for clean (October); (category, area) ids."""
    from scenario import finding, kst

    from patrol_api.extensions import db
    from patrol_api.models import Area, Category

    building = Category(code="building", name_ko="건축", name_en="Buildings", group="building",
                        ack_hours=8, resolve_days=10)
    area = Area(code="yeoui", name_ko="여의동", name_en="Yeoui-dong", geometry={},
                min_lat=37.5, min_lon=126.9, max_lat=37.6, max_lon=127.0)
    db.session.add_all([building, area])
    db.session.flush()
    row = finding(building, 18, [
        ("routed", departments["clean"], kst(10, 5, 10), "assigned",
         {"resolve_due_at": kst(10, 20, 18)}),
        ("resolve", departments["clean"], kst(10, 14, 10), "resolved", None)])
    row.area_id = area.id
    db.session.commit()
    return building.id, area.id


def _received(client, headers, query) -> dict:
    """{department_code: received} of October's metrics with a filter query."""
    answer = client.get(f"/api/v1/rankings/metrics?from=2026-10&to=2026-10&{query}",
                        headers=headers)
    assert answer.status_code == 200, answer.json
    return {row["department_code"]: row["received"] for row in answer.json}


def test_category_area_and_kind_filters(client, manager):
    from patrol_api.models import Category

    departments = build()
    building, area = _other_category_and_area(departments)
    road = Category.query.filter_by(code="road").one().id
    assert _received(client, manager, "") == {"clean": 6, "road": 7, "dong1": 4}
    assert _received(client, manager, f"category_id={road}") == {
        "clean": 5, "road": 7, "dong1": 4}
    # a filter leaves out the departments with nothing in its scope
    assert _received(client, manager, f"category_id={building}") == {"clean": 1}
    assert _received(client, manager, f"area_id={area}") == {"clean": 1}
    assert _received(client, manager, f"area_id={area}&kind=dong_office") == {}
    tables = client.get(f"/api/v1/rankings?month=2026-10&category_id={building}",
                        headers=manager).json
    assert [row["department_code"] for row in tables["headquarters"]] == ["clean"]
    assert tables["dong_office"] == []


def test_from_alone_runs_to_the_current_month(client, manager):
    from patrol_api.rankings import months

    build()
    year, month = months.parse(months.current())
    first = f"{year - (month <= 2):04d}-{(month - 3) % 12 + 1:02d}"  # two months back
    answer = client.get(f"/api/v1/rankings/metrics?from={first}&kind=headquarters",
                        headers=manager)
    assert answer.status_code == 200, answer.json
    assert sorted({row["month"] for row in answer.json}) == [
        first, *months.span(first, months.current())[1:]]
    assert len({row["month"] for row in answer.json}) == 3


def test_snapshot_is_done_at_once_where_other_jobs_go_to_the_background(
        ctx, manager, app_factory):
    build()
    background = app_factory(JOBS_BACKGROUND=True)  # as demo-serve runs the embedded server
    with background.app_context():
        made = background.test_client().post("/api/v1/rankings/snapshots",
                                             json={"month": "2026-10"}, headers=manager)
    assert made.status_code == 202 and made.json["status"] == "done", made.json
    db.session.rollback()
    stored = db.session.get(RankingSnapshot, made.json["snapshot_id"])
    assert (stored.month, stored.version) == ("2026-10", 1)
