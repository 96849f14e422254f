"""The patrol activity report on a crafted June and July 2026, with hand-computed figures.

Runs (UTC times; Seoul is UTC+9):
  R1 routine  1조  A leads, B      06-10 01:00-03:00  yeoui    checks A s1 s2, inspection B s1
  R2 night    2조  C leads, X aud. 06-20 12:00-13:30  dangsan  check C s3
  R3 routine  1조  A leads         06-30 16:00-17:00  (= 07-01 01:00 in Seoul: a July run)
  R4 campaign 2조  C leads, K      07-05 01:00-02:30           inspections C s1 s3
  R5 holiday  1조  B leads         07-10 01:00, still open
Observations: A 06-10 01:30 (R1), B 06-10 02:00 (R1), A 06-10 04:00 (after R1: none),
X 06-20 12:30 (R2), A 06-30 16:30 (R3), C 07-05 01:30 (R4), B 07-10 02:00 (R5, open).
Campaign K (06-15..07-31) targets s1 s2 s3; B inspected s2 for it on 06-25 without a run.
Auditors: X 06-20 (acknowledged: accepted), X 06-21 (rejected), X 07-02 (no finding yet:
pending); Y 06-12 (assigned: pending), Y 06-13 withdrawn (not counted).
"""
import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from patrol_api.auth import devices
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Finding, Observation
from patrol_api.models.patrols import Campaign, CampaignSite
from patrol_api.patrols import activity, checks, inspections, runs

API = "/api/v1"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


class Scenario:
    """Builds the crafted months through the patrol services."""

    def __init__(self, district, template, make_user):
        self.district, self.template = district, template
        people = {"A": ("1조", Role.PATROL_OFFICER), "B": ("1조", Role.PATROL_OFFICER),
                  "C": ("2조", Role.PATROL_OFFICER), "X": (None, Role.CITIZEN_AUDITOR),
                  "Y": (None, Role.CITIZEN_AUDITOR)}
        self.users, self.devices = {}, {}
        for name, (team, role) in people.items():
            user, _ = make_user(role)
            user.display_name, user.team = name, team
            self.users[name] = user
            self.devices[name] = devices.register(user, {"client_uid": f"phone-{name}"})
        self.sites = {code: district.site(code, area=area, offset=.002 * i)
                      for i, (code, area) in enumerate((("s1", "yeoui"), ("s2", "yeoui"),
                                                        ("s3", "dangsan")))}
        db.session.flush()

    def run(self, kind, team, leader, start, end=None, point=None, **extra):
        made = runs.start(self.users[leader], str(uuid.uuid4()), {
            "kind": kind, "started_at": start, "team": team, **extra})
        if point:
            runs.append_track(made, [[*point, int((start + timedelta(minutes=5)).timestamp())]])
        if end:
            runs.end(made, end)
        return made

    def check(self, who, site, run, when):
        checks.record(self.users[who], str(uuid.uuid4()), self.sites[site],
                      {"result": "ok", "checked_at": when, "run_id": run.id})

    def inspect(self, who, site, when, run=None, campaign=None):
        inspections.record(self.users[who], str(uuid.uuid4()), self.template, self.sites[site], {
            "answers": {"door": {"value": True}, "state": {"value": "good"},
                        "look": {"photos": ["a" * 64]}},
            "inspected_at": when, "run_id": run.id if run else None,
            "campaign_id": campaign.id if campaign else None})

    def observe(self, who, when, finding_state=None, deleted=False, area="dangsan"):
        finding_id = None
        if finding_state:
            finding = Finding(reference=f"F-2026-{uuid.uuid4().hex[:8]}",
                              category=self.district.category, lat=37.5, lon=126.9, cell_key=0,
                              first_seen_at=when, last_seen_at=when, state=finding_state)
            db.session.add(finding)
            db.session.flush()
            finding_id = finding.id
        db.session.add(Observation(
            client_id=str(uuid.uuid4()), user_id=self.users[who].id,
            device_id=self.devices[who].id, category=self.district.category, lat=37.52,
            lon=126.95, area=self.district.areas[area], recorded_at_device=when,
            recorded_at=when, finding_id=finding_id, photos=[], field_versions={},
            fate="rejected" if finding_state == "rejected" else "received",
            deleted_at=when if deleted else None))
        db.session.flush()


@pytest.fixture
def world(district, template, make_user):
    s = Scenario(district, template, make_user)
    yeoui = (37.52, 126.92)
    dangsan = (37.52, 126.955)
    r1 = s.run("routine", "1조", "A", at(6, 10, 1), at(6, 10, 3), yeoui,
               participant_user_ids=[s.users["B"].id])
    s.check("A", "s1", r1, at(6, 10, 1, 20))
    s.check("A", "s2", r1, at(6, 10, 1, 40))
    s.inspect("B", "s1", at(6, 10, 1, 25), run=r1)
    r2 = s.run("night", "2조", "C", at(6, 20, 12), at(6, 20, 13, 30), dangsan,
               auditor_user_ids=[s.users["X"].id])
    s.check("C", "s3", r2, at(6, 20, 12, 10))
    s.run("routine", "1조", "A", at(6, 30, 16), at(6, 30, 17))
    campaign = Campaign(code="heat", theme="heat_wave", title_ko="폭염 대책 추진실태 점검",
                        title_en="Heat-wave measures", starts_on=date(2026, 6, 15),
                        ends_on=date(2026, 7, 31), template_id=s.template.id, teams=["2조"],
                        targets=[CampaignSite(site_id=s.sites[c].id) for c in ("s1", "s2", "s3")])
    db.session.add(campaign)
    db.session.flush()
    r4 = s.run("campaign", "2조", "C", at(7, 5, 1), at(7, 5, 2, 30), campaign_id=campaign.id)
    s.inspect("C", "s1", at(7, 5, 1, 10), run=r4, campaign=campaign)
    s.inspect("C", "s3", at(7, 5, 1, 50), run=r4, campaign=campaign)
    s.inspect("B", "s2", at(6, 25, 3), campaign=campaign)
    s.run("holiday_squad", "1조", "B", at(7, 10, 1))
    s.observe("A", at(6, 10, 1, 30))
    s.observe("B", at(6, 10, 2))
    s.observe("A", at(6, 10, 4))
    s.observe("X", at(6, 20, 12, 30), "acknowledged")
    s.observe("A", at(6, 30, 16, 30))
    s.observe("C", at(7, 5, 1, 30))
    s.observe("B", at(7, 10, 2))
    s.observe("X", at(6, 21, 5), "rejected")
    s.observe("X", at(7, 2, 3))
    s.observe("Y", at(6, 12, 5), "assigned")
    s.observe("Y", at(6, 13, 5), "assigned", deleted=True)
    db.session.commit()
    return s


def _report(**filters):
    return activity.report(activity.Filters(("2026-06", "2026-07"), **filters))


def _figures(row) -> tuple:
    return (row["runs"], row["hours"], row["sites_checked"], row["observations"])


def test_per_kind_counts_runs_in_their_seoul_month(world):
    rows = {(r["month"], r["kind"]): _figures(r) for r in _report()["per_kind"]}
    assert len(rows) == 20  # every kind in both months, as in the seeds' tables
    assert rows[("2026-06", "routine")] == (1, 2.0, 2, 2)
    assert rows[("2026-06", "night")] == (1, 1.5, 1, 1)
    assert rows[("2026-07", "routine")] == (1, 1.0, 0, 1)
    assert rows[("2026-07", "campaign")] == (1, 1.5, 2, 1)
    assert rows[("2026-07", "holiday_squad")] == (1, 0.0, 0, 1)
    busy = {key for key, figures in rows.items() if figures != (0, 0.0, 0, 0)}
    assert len(busy) == 5


def test_totals_and_teams(world):
    report = _report()
    assert [(r["month"], *_figures(r)) for r in report["totals"]] == [
        ("2026-06", 2, 3.5, 3, 3), ("2026-07", 3, 2.5, 2, 3)]
    assert [(r["month"], r["team"], *_figures(r)) for r in report["per_team"]] == [
        ("2026-06", "1조", 1, 2.0, 2, 2), ("2026-06", "2조", 1, 1.5, 1, 1),
        ("2026-07", "1조", 2, 1.0, 0, 2), ("2026-07", "2조", 1, 1.5, 2, 1)]


def test_per_person(world):
    rows = {(r["month"], r["display_name"]): (*_figures(r), r["role"])
            for r in _report()["per_officer"]}
    assert rows == {
        ("2026-06", "A"): (1, 2.0, 2, 1, "patrol_officer"),
        ("2026-06", "B"): (1, 2.0, 1, 1, "patrol_officer"),
        ("2026-06", "C"): (1, 1.5, 1, 0, "patrol_officer"),
        ("2026-06", "X"): (1, 1.5, 0, 1, "citizen_auditor"),
        ("2026-07", "A"): (1, 1.0, 0, 1, "patrol_officer"),
        ("2026-07", "B"): (1, 0.0, 0, 1, "patrol_officer"),
        ("2026-07", "C"): (1, 1.5, 2, 1, "patrol_officer")}


def test_campaign_coverage_accumulates(world):
    rows = [(r["month"], r["code"], *_figures(r), r["targeted"], r["inspected"],
             r["inspected_to_date"], r["coverage"]) for r in _report()["per_campaign"]]
    assert rows == [("2026-06", "heat", 0, 0.0, 0, 0, 3, 1, 1, 0.3333),
                    ("2026-07", "heat", 1, 1.5, 2, 1, 3, 2, 3, 1.0)]
    july = activity.report(activity.Filters(("2026-07",)))["per_campaign"]
    assert [(r["inspected"], r["inspected_to_date"]) for r in july] == [(2, 3)]


def test_auditors_credit(world):
    rows = [(r["month"], r["display_name"], r["reports"], r["accepted"], r["pending"],
             r["rejected"]) for r in _report()["auditors"]]
    assert rows == [("2026-06", "X", 2, 1, 0, 1), ("2026-06", "Y", 1, 0, 1, 0),
                    ("2026-07", "X", 1, 0, 1, 0)]


def test_filters(world):
    routine = _report(kind="routine")
    assert [r["kind"] for r in routine["per_kind"]] == ["routine", "routine"]
    assert [r["runs"] for r in routine["totals"]] == [1, 1]
    assert routine["per_campaign"] == []
    team = _report(team="2조")
    assert [_figures(r) for r in team["totals"]] == [(1, 1.5, 1, 1), (1, 1.5, 2, 1)]
    assert team["auditors"] == []  # the auditors have no team
    yeoui = _report(area_id=world.district.areas["yeoui"].id)
    assert [_figures(r) for r in yeoui["totals"]] == [(1, 2.0, 2, 2), (0, 0.0, 0, 0)]
    assert yeoui["auditors"] == []  # their reports were made in dangsan
    dangsan = _report(area_id=world.district.areas["dangsan"].id)
    assert [r["reports"] for r in dangsan["auditors"]] == [2, 1, 1]


def test_http_json_csv_and_xlsx(client, world, make_user):
    _, manager = make_user(Role.MANAGER)
    query = {"from": "2026-06", "to": "2026-07"}
    body = client.get(f"{API}/patrol-activity", headers=manager, query_string=query).get_json()
    assert [r["runs"] for r in body["totals"]] == [2, 3]
    csv = client.get(f"{API}/patrol-activity.csv", headers=manager,
                     query_string={**query, "table": "per_kind"})
    assert csv.mimetype == "text/csv"
    lines = csv.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == "월,순찰 구분,순찰 횟수(회),순찰 시간(시간),점검 개소,적출 건수"
    assert "2026-06,상시순찰,1,2.0,2,2" in lines
    assert "2026-07,해피기동반,1,0.0,0,1" in lines
    xlsx = client.get(f"{API}/patrol-activity.xlsx", headers=manager, query_string=query)
    assert xlsx.headers["Content-Disposition"].endswith('patrol-activity-2026-06_2026-07.xlsx"')
    book = load_workbook(BytesIO(xlsx.get_data()))
    assert book.sheetnames == ["순찰 구분별 실적", "기획순찰별 실적·점검률", "순찰팀별 실적",
                               "요원별 실적", "구민감사관 신고 인정 실적", "월별 합계"]
    sheet = book["기획순찰별 실적·점검률"]
    assert sheet["A1"].value == ("2026-06 ~ 2026-07 기획순찰별 실적·점검률 "
                                 "(Themed campaigns and coverage)")
    assert sheet["A2"].value == "조건: 전체 (all dongs, kinds, teams and categories)"
    assert [c.value for c in sheet[5]][:2] == ["2026-07", "폭염 대책 추진실태 점검"]
    assert (sheet["J5"].value, sheet["J5"].number_format) == (1.0, "0.0%")
    assert sheet.page_setup.orientation == "landscape"


def test_bad_months_are_structured_422(client, make_user):
    _, manager = make_user(Role.MANAGER)
    response = client.get(f"{API}/patrol-activity", headers=manager,
                          query_string={"from": "2026-07", "to": "2026-06"})
    body = response.get_json()
    assert (response.status_code, body["code"], body["field"]) == (
        422, "invalid_month_range", "to")
    patrol = make_user(Role.PATROL_OFFICER)[1]
    assert client.get(f"{API}/patrol-activity", headers=patrol).status_code == 403


def test_category_filter_counts_only_its_observations(client, world, make_user):
    from patrol_api.models import Category

    litter = Category(code="litter", name_ko="쓰레기", name_en="Litter", group="cleaning")
    db.session.add(litter)
    db.session.flush()
    for who, when in (("A", at(6, 10, 2, 30)), ("X", at(6, 22, 5))):  # during R1; an auditor's
        world.observe(who, when)
        db.session.execute(sa.update(Observation).where(
            Observation.recorded_at == when).values(category_id=litter.id))
    db.session.commit()
    everything = _report()
    assert [_figures(r) for r in everything["totals"]] == [(2, 3.5, 3, 4), (3, 2.5, 2, 3)]
    safety = _report(category_id=world.district.category.id)
    assert [_figures(r) for r in safety["totals"]] == [(2, 3.5, 3, 3), (3, 2.5, 2, 3)]
    assert [r["reports"] for r in safety["auditors"]] == [2, 1, 1]
    only = _report(category_id=litter.id)  # runs, hours, sites stay; observations are litter's
    assert [_figures(r) for r in only["totals"]] == [(2, 3.5, 3, 1), (3, 2.5, 2, 0)]
    assert {(r["month"], r["kind"]): r["observations"] for r in only["per_kind"]
            if r["observations"]} == {("2026-06", "routine"): 1}
    assert [(r["display_name"], r["reports"], r["pending"]) for r in only["auditors"]] == [
        ("X", 1, 1)]
    _, manager = make_user(Role.MANAGER)
    body = client.get(f"{API}/patrol-activity", headers=manager, query_string={
        "from": "2026-06", "to": "2026-07", "category_id": litter.id}).get_json()
    assert body["filters"]["category_id"] == litter.id
    assert [r["observations"] for r in body["totals"]] == [1, 0]
    csv_text = client.get(f"{API}/patrol-activity.csv", headers=manager, query_string={
        "from": "2026-06", "to": "2026-07", "category_id": litter.id,
        "table": "totals"}).get_data(as_text=True)
    unfiltered = client.get(f"{API}/patrol-activity.csv", headers=manager, query_string={
        "from": "2026-06", "to": "2026-07", "table": "totals"}).get_data(as_text=True)
    def observations_column(text: str) -> list[str]:
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        return [row["적출 건수"] for row in rows]
    assert observations_column(csv_text) == ["1", "0"]  # the category's observations only
    assert observations_column(unfiltered) == ["4", "3"]
    xlsx = client.get(f"{API}/patrol-activity.xlsx", headers=manager, query_string={
        "category_id": litter.id, "area_id": world.district.areas["dangsan"].id,
        "kind": "routine", "team": "2조"})
    assert xlsx.status_code == 200
    sheet = load_workbook(BytesIO(xlsx.get_data())).worksheets[0]
    dong = world.district.areas["dangsan"].name_ko
    assert sheet["A2"].value == (f"조건: 동 {dong} · 순찰 구분 상시순찰 · 순찰팀 2조 · "
                                 "적출 분류 쓰레기")
    assert client.get(f"{API}/patrol-activity.csv", headers=manager, query_string={
        "category_id": "x"}).status_code == 422
