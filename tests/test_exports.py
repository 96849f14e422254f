"""Every CSV and XLSX export over hostile text (issue 13, items 1 and 7): team names, campaign
titles and codes, display names, department names and codes, category and dong names, a
team filter and frozen ranking snapshots drawn from text starting with a formula trigger or
holding control characters. No export answers 5xx, no XLSX cell is a formula, no cell starts
with a character that makes a spreadsheet evaluate it, and the hostile text is still there,
quoted."""
import csv
import io
import re
import uuid
from datetime import UTC, date, datetime

from database_reset import empty_database
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from patrol_api.auth import devices
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Area, Category, Department, Observation, RankingSnapshot
from patrol_api.models.patrols import Campaign
from patrol_api.patrols import activity, runs, templates
from tests.rankings.scenario import finding, kst

API = "/api/v1"
# what a spreadsheet evaluates when it leads a cell (OWASP; with the full-width forms)
TRIGGERS = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
LEADS = ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\x01", "\x0f", "\x1f", "\ufffe", "'", " ",
         ""]
KNOWN = ['=HYPERLINK("http://evil.example","클릭")', "2조\x01", "\x0f",
         "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "+82 10", "\t=1+1",
         "\r=1+1", "\x01=1+1", "=1+1\x0b"]
STORABLE = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
# at most 39 characters with the "#" that makes a department code unique (codes hold 40)
HOSTILE = st.sampled_from(KNOWN) | st.builds(
    lambda lead, body: lead + body, st.sampled_from(LEADS), st.text(STORABLE, min_size=1,
                                                                    max_size=12))
FIELDS = ("department", "department_code", "dong_department", "category", "area", "team",
          "campaign", "campaign_code", "officer", "auditor", "query_team")


def shown(text: str) -> str:
    """How hostile text must read in an export: forbidden characters replaced, a leading
    trigger quoted."""
    text = XML_FORBIDDEN.sub("\ufffd", text)
    return "'" + text if text.startswith(TRIGGERS) else text


def inner(text: str) -> str:
    """How hostile text must read inside a longer cell (a title, the filters line)."""
    return XML_FORBIDDEN.sub("\ufffd", text)


def as_in_xml(text: str) -> str:
    """Line ends as an XML parser reads them back (CR and CRLF become LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _activity_world(h: dict, make_user) -> dict:
    """July 2026: a campaign run of a hostile team with a hostile officer and auditor, in a
    hostile dong, observations of a hostile category."""
    _, manager = make_user(Role.MANAGER)
    area = Area(code="dong-a", name_ko=h["area"], name_en="Dong A", geometry={},
                min_lat=37.5, min_lon=126.9, max_lat=37.6, max_lon=127.0)
    category = Category(code="cat-h", name_ko=h["category"], name_en="Hostile",
                        group="street", ack_hours=3, resolve_days=3)
    db.session.add_all([area, category])
    officer, _ = make_user(Role.PATROL_OFFICER)
    auditor, _ = make_user(Role.CITIZEN_AUDITOR)
    officer.display_name, officer.team = h["officer"], h["team"]
    auditor.display_name, auditor.team = h["auditor"], h["team"]
    template = templates.create({"code": "t", "title_ko": "점검", "title_en": "Check",
                                 "items": [{"key": "door", "label_ko": "문", "label_en": "Door",
                                            "type": "yes_no"}]})
    templates.publish(template)
    campaign = Campaign(code=h["campaign_code"], theme="heat_wave", title_ko=h["campaign"],
                        title_en="Campaign", starts_on=date(2026, 7, 1),
                        ends_on=date(2026, 7, 31), template_id=template.id, teams=[h["team"]])
    db.session.add(campaign)
    db.session.flush()
    run = runs.start(officer, str(uuid.uuid4()), {
        "kind": "campaign", "started_at": datetime(2026, 7, 5, 1, tzinfo=UTC),
        "team": h["team"], "campaign_id": campaign.id, "auditor_user_ids": [auditor.id]})
    runs.end(run, datetime(2026, 7, 5, 3, tzinfo=UTC))
    for user in (officer, auditor):
        device = devices.register(user, {"client_uid": f"phone-{user.id}"})
        db.session.flush()
        when = datetime(2026, 7, 5, 2, tzinfo=UTC)
        db.session.add(Observation(
            client_id=str(uuid.uuid4()), user_id=user.id, device_id=device.id,
            category=category, lat=37.52, lon=126.95, area=area, recorded_at_device=when,
            recorded_at=when, photos=[], field_versions={}, fate="received"))
    db.session.commit()
    return {"manager": manager, "area_id": area.id, "category_id": category.id}


def _ranking_world(h: dict) -> tuple[int, int]:
    """October 2026 findings of a hostile department and dong office, and six frozen
    snapshots (January to June) holding the hostile names; (category id, first snapshot)."""
    department = Department(code=h["department_code"] + "#", name_ko=h["department"],
                            name_en="HQ", kind="headquarters")
    dong = Department(code="dong#1", name_ko=h["dong_department"], name_en="Dong",
                      kind="dong_office")
    category = db.session.get(Category, db.session.scalar(
        db.select(Category.id).where(Category.code == "cat-h")))
    db.session.add_all([department, dong])
    db.session.flush()
    due = "resolve_due_at"
    for number, owner in enumerate((department, dong), start=1):
        finding(category, number, [
            ("routed", owner, kst(10, 1, 10), "assigned", {due: kst(10, 7, 18)}),
            ("acknowledge", owner, kst(10, 1, 11), "acknowledged", None),
            ("resolve", owner, kst(10, 2, 10), "resolved", None)])
    frozen = []
    for month in range(1, 7):
        tables = {kind: [{"department_id": dept.id, "department_code": dept.code,
                          "department_name": dept.name_ko, "department_kind": kind,
                          "month": f"2026-{month:02d}", "ranked": True, "rank": 1,
                          "score": 90.0, "volume": 12, "received": 12}]
                  for kind, dept in (("headquarters", department), ("dong_office", dong))}
        snapshot = RankingSnapshot(month=f"2026-{month:02d}", version=1, data_version=0,
                                   formula_version="2026.2", params={}, tables=tables)
        db.session.add(snapshot)
        db.session.flush()
        frozen.append(snapshot.id)
    db.session.commit()
    return category.id, frozen[0]


def _csv_cells(answer) -> list[str]:
    """The cells of a CSV answer, parsed with the csv module."""
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/csv"
    text = answer.get_data().decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _xlsx_book(answer):
    """An XLSX answer opened with openpyxl; none of its cells is a formula."""
    assert answer.status_code == 200, answer.get_data(as_text=True)
    book = load_workbook(io.BytesIO(answer.get_data()))
    formulas = [cell.value for sheet in book.worksheets for row in sheet.iter_rows()
                for cell in row if cell.data_type == "f"]
    assert not formulas
    return book


def _xlsx_cells(answer) -> list:
    """The cell values of every sheet of an XLSX answer (see _xlsx_book), line ends as read."""
    book = _xlsx_book(answer)
    return [value for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for value in row]


def _assert_inert(values) -> None:
    """No text cell starts with a formula trigger or holds an XML-forbidden character."""
    texts = [value for value in values if isinstance(value, str)]
    assert not [text for text in texts if text.startswith(TRIGGERS)]
    assert not [text for text in texts if XML_FORBIDDEN.search(text)]


def _check_exports(client, h: dict, made: dict, category_id: int, frozen_id: int) -> None:
    """Fetch every CSV and XLSX export and check its cells."""
    manager, months = made["manager"], {"from": "2026-07", "to": "2026-07"}

    def get(path, **query):
        return client.get(f"{API}{path}", headers=manager, query_string=query)

    tables = {table: _csv_cells(get("/patrol-activity.csv", **months, table=table))
              for table in activity.TABLES}
    for cells in tables.values():
        _assert_inert(cells)
    assert {shown(h["team"]), shown(h["officer"])} <= set(tables["per_officer"])
    assert {shown(h["campaign"]), shown(h["campaign_code"])} <= set(tables["per_campaign"])
    assert shown(h["team"]) in tables["per_team"]
    assert shown(h["auditor"]) in tables["auditors"]

    book = _xlsx_cells(get("/patrol-activity.xlsx", **months))
    _assert_inert(book)
    assert {as_in_xml(shown(h[name])) for name in ("team", "officer", "auditor", "campaign")
            } <= {as_in_xml(v) for v in book if isinstance(v, str)}
    filtered = _xlsx_book(get("/patrol-activity.xlsx", **months, team=h["team"],
                              area_id=made["area_id"], category_id=category_id))
    _assert_inert(cell.value for sheet in filtered.worksheets for row in sheet.iter_rows()
                  for cell in row)
    conditions = as_in_xml(filtered.worksheets[0]["A2"].value)
    for name in ("team", "area", "category"):
        assert as_in_xml(inner(h[name])) in conditions
    _assert_inert(_xlsx_cells(get("/patrol-activity.xlsx", **months, team=h["query_team"])))

    october = {"from": "2026-10", "to": "2026-10"}
    metrics = _csv_cells(get("/rankings/metrics.csv", **october))
    _assert_inert(metrics)
    assert {shown(h["department"]), shown(h["dong_department"]),
            shown(h["department_code"] + "#")} <= set(metrics)
    sheet = _xlsx_cells(get("/rankings/metrics.xlsx", **october, category_id=category_id,
                            area_id=made["area_id"]))
    _assert_inert(sheet)
    assert as_in_xml(inner(h["category"])) in as_in_xml(sheet[0])
    assert as_in_xml(inner(h["area"])) in as_in_xml(sheet[0])

    computed = client.post(f"{API}/rankings/snapshots", json={"month": "2026-10"},
                           headers=manager)
    assert computed.status_code == 202, computed.get_json()
    for snapshot_id in (computed.get_json()["snapshot_id"], frozen_id):
        cells = _csv_cells(get(f"/rankings/snapshots/{snapshot_id}/csv"))
        _assert_inert(cells)
        assert shown(h["department"]) in cells
        sheets = _xlsx_cells(get(f"/rankings/snapshots/{snapshot_id}/xlsx"))
        _assert_inert(sheets)
        assert as_in_xml(shown(h["department"])) in {as_in_xml(v) for v in sheets
                                                       if isinstance(v, str)}

    awards = _csv_cells(get("/rankings/awards.csv", year=2026))
    _assert_inert(awards)
    assert {shown(h["department"]), shown(h["dong_department"])} <= set(awards)
    awarded = _xlsx_cells(get("/rankings/awards.xlsx", year=2026))
    _assert_inert(awarded)
    assert as_in_xml(shown(h["department"])) in {as_in_xml(v) for v in awarded
                                                   if isinstance(v, str)}


@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(h=st.fixed_dictionaries(dict.fromkeys(FIELDS, HOSTILE)))
@example(h={**dict.fromkeys(FIELDS, KNOWN[0]), "team": "2조\x01", "query_team": "\x0f"})
def test_every_export_neutralises_hostile_text(client, make_user, h):
    try:
        made = _activity_world(h, make_user)
        category_id, frozen_id = _ranking_world(h)
        _check_exports(client, h, made, category_id, frozen_id)
    finally:
        db.session.rollback()
        empty_database()
