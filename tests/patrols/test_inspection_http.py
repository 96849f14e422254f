"""GET /inspections, /site-checks and /sites/coverage: filters, pages, who sees what."""
import json
import uuid
from datetime import UTC, date, datetime

import pytest

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.patrols import campaigns, checks, inspections, runs
from tests.conftest import make_department
from tests.patrols.conftest import WINDOW

API = "/api/v1"
DAY1, DAY2, DAY3 = (datetime(2026, 7, d, 1, tzinfo=UTC) for d in (2, 5, 10))
GOOD = {"door": {"value": True}, "state": {"value": "good"}, "look": {"photos": ["a" * 64]}}
FAILED = {**GOOD, "door": {"value": False}}


def _far(site) -> dict:
    """A position about a kilometre from the site."""
    return {"lat": site.lat + .01, "lon": site.lon}


@pytest.fixture
def work(district, template, make_user):
    """Officers of teams A and B, an auditor; inspections and checks on runs and off them."""
    s1, s2 = district.site("s1"), district.site("s2", offset=.002)
    s3, t1 = district.site("s3", area="dangsan"), district.site("t1", kind="toilet",
                                                                   offset=.004)
    district.site("s4", offset=.006)  # never looked at
    campaign = campaigns.create({"code": "heat", "theme": "heat_wave", "title_ko": "무더위쉼터",
                                 "title_en": "Heat", "template_id": template.id,
                                 "facility_type_ids": [district.types["shelter"].id],
                                 "teams": ["A", "B"], **WINDOW})
    users = {}
    for name, role, team in (("a1", Role.PATROL_OFFICER, "A"), ("a2", Role.PATROL_OFFICER, "A"),
                             ("b1", Role.PATROL_OFFICER, "B"),
                             ("auditor", Role.CITIZEN_AUDITOR, None),
                             ("manager", Role.MANAGER, None), ("viewer", Role.VIEWER, None)):
        users[name] = make_user(role)
        users[name][0].team = team
    a1, a2, b1, auditor = (users[n][0] for n in ("a1", "a2", "b1", "auditor"))
    run = runs.start(a1, str(uuid.uuid4()), {"kind": "campaign", "started_at": DAY1,
                                             "team": "A", "campaign_id": campaign.id})
    made = {
        "i_a1": _inspect(a1, template, s1, DAY1, run_id=run.id, campaign_id=campaign.id),
        "c_a1": _check(a1, s2, "ok", DAY1, run_id=run.id),
        "c_a2": _check(a2, s3, "problem", DAY2, position=_far(s3)),
        "i_b1": _inspect(b1, template, s3, DAY3, answers=FAILED, campaign_id=campaign.id,
                         position=_far(s3)),
        "c_aud": _check(auditor, t1, "ok", DAY2),
        "i_old": _inspect(a1, template, s1, datetime(2026, 6, 1, tzinfo=UTC)),
    }
    db.session.commit()
    return {"ids": {k: v.id for k, v in made.items()}, "run": run, "campaign": campaign,
            "headers": {n: h for n, (_, h) in users.items()}, "district": district}


def _inspect(user, template, site, at, answers=GOOD, **extra):
    return inspections.record(user, str(uuid.uuid4()), template, site,
                              {"answers": answers, "inspected_at": at, **extra})


def _check(user, site, result, at, **extra):
    return checks.record(user, str(uuid.uuid4()), site,
                         {"result": result, "checked_at": at, **extra})


def _ids(client, url, headers, **query) -> list[int]:
    response = client.get(f"{API}/{url}", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()]


def test_inspections_filtered_latest_first(client, work):
    ids, manager = work["ids"], work["headers"]["manager"]
    assert _ids(client, "inspections", manager) == [ids["i_b1"], ids["i_a1"], ids["i_old"]]
    assert _ids(client, "inspections", manager, far_from_site="true") == [ids["i_b1"]]
    assert _ids(client, "inspections", manager, far_from_site="false") == [ids["i_a1"],
                                                                            ids["i_old"]]
    assert _ids(client, "inspections", manager, campaign_id=work["campaign"].id) == [
        ids["i_b1"], ids["i_a1"]]
    assert _ids(client, "inspections", manager, site_code="s1") == [ids["i_a1"], ids["i_old"]]
    assert _ids(client, "inspections", manager, site_code="nope") == []
    assert _ids(client, "inspections", manager, patrol_run_id=work["run"].id) == [ids["i_a1"]]
    assert _ids(client, "inspections", manager, **{"from": "2026-07-01", "to": "2026-07-02"}) \
        == [ids["i_a1"]]
    page = client.get(f"{API}/inspections?page_size=1&page=2", headers=manager)
    assert [i["id"] for i in page.get_json()] == [ids["i_a1"]]
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
    record = client.get(f"{API}/inspections?far_from_site=true", headers=manager).get_json()[0]
    assert (record["site_code"], record["far_from_site"], record["campaign_flags"]) == (
        "s3", True, [])
    assert record["distance_m"] > 1000 and record["failures"][0]["key"] == "door"


def test_site_checks_on_runs_and_off_them(client, work):
    ids, manager = work["ids"], work["headers"]["manager"]
    same_time_latest_id_first = [ids["c_aud"], ids["c_a2"], ids["c_a1"]]
    assert _ids(client, "site-checks", manager) == same_time_latest_id_first
    assert _ids(client, "site-checks", manager, campaign_id=work["campaign"].id) == [
        ids["c_a1"]]
    assert _ids(client, "site-checks", manager, result="problem") == [ids["c_a2"]]
    assert _ids(client, "site-checks", manager, far_from_site="true") == [ids["c_a2"]]
    assert _ids(client, "site-checks", manager, patrol_run_id=work["run"].id) == [ids["c_a1"]]
    assert _ids(client, "site-checks", manager, **{"from": "2026-07-05", "to": "2026-07-05"}) \
        == [ids["c_aud"], ids["c_a2"]]
    assert _ids(client, "site-checks", manager, to="2026-07-04") == [ids["c_a1"]]
    listed = {c["id"]: c for c in client.get(f"{API}/site-checks", headers=manager).get_json()}
    assert (listed[ids["c_a1"]]["campaign_id"], listed[ids["c_a2"]]["campaign_id"]) == (
        work["campaign"].id, None)
    assert (listed[ids["c_a2"]]["run_id"], listed[ids["c_a2"]]["result_label_ko"]) == (
        None, "문제 있음")


def test_officers_see_their_teams_and_auditors_their_own(client, work):
    ids, headers = work["ids"], work["headers"]
    assert set(_ids(client, "inspections", headers["a2"])) == {ids["i_a1"], ids["i_old"]}
    assert _ids(client, "inspections", headers["b1"]) == [ids["i_b1"]]
    assert _ids(client, "inspections", headers["auditor"]) == []
    assert set(_ids(client, "site-checks", headers["a1"])) == {ids["c_a1"], ids["c_a2"]}
    assert _ids(client, "site-checks", headers["b1"]) == []
    assert _ids(client, "site-checks", headers["auditor"]) == [ids["c_aud"]]
    assert len(_ids(client, "site-checks", headers["viewer"])) == 3


def _coverage(client, headers, **query) -> list[dict]:
    response = client.get(f"{API}/sites/coverage", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_coverage_per_site_never_seen_first(client, work):
    ids, manager = work["ids"], work["headers"]["manager"]
    rows = _coverage(client, manager)
    assert [r["site_code"] for r in rows] == ["s4", "s1", "s2", "t1", "s3"]
    by_code = {r["site_code"]: r for r in rows}
    assert (by_code["s4"]["last_seen_at"], by_code["s4"]["last_result"]) == (None, None)
    assert by_code["s1"]["last_inspection"]["id"] == ids["i_a1"]  # not the June one
    assert (by_code["s1"]["last_check"], by_code["s1"]["last_seen_by"]) == (None, "inspection")
    s3 = by_code["s3"]
    assert (s3["last_check"]["id"], s3["last_inspection"]["id"]) == (ids["c_a2"], ids["i_b1"])
    assert (s3["last_seen_by"], s3["last_result"], s3["last_result_label_en"]) == (
        "inspection", "problem", "Problem found")
    assert s3["last_inspection"]["failures"] == 1
    assert by_code["t1"]["last_check"]["run_id"] is None  # a check outside any run counts
    assert (by_code["t1"]["area_code"], by_code["t1"]["facility_type_code"]) == (
        "yeoui", "toilet")


def test_coverage_filters(client, work):
    manager, district = work["headers"]["manager"], work["district"]
    codes = [r["site_code"] for r in _coverage(client, manager,
                                               area_id=district.areas["dangsan"].id)]
    assert codes == ["s3"]
    toilets = _coverage(client, manager, facility_type_id=district.types["toilet"].id)
    assert [r["site_code"] for r in toilets] == ["t1"]
    stale = _coverage(client, manager, not_seen_since=str(date(2026, 7, 5)))
    assert [r["site_code"] for r in stale] == ["s4", "s1", "s2"]
    page = client.get(f"{API}/sites/coverage?page_size=2", headers=manager)
    assert json.loads(page.headers["X-Pagination"])["total"] == 5
    assert [r["site_code"] for r in page.get_json()] == ["s4", "s1"]


def test_coverage_counts_what_the_caller_may_read(client, work):
    rows = {r["site_code"]: r for r in _coverage(client, work["headers"]["auditor"])}
    assert {code for code, r in rows.items() if r["last_seen_at"]} == {"t1"}
    team_b = {r["site_code"]: r for r in _coverage(client, work["headers"]["b1"])}
    assert {code for code, r in team_b.items() if r["last_seen_at"]} == {"s3"}
    assert team_b["s3"]["last_check"] is None  # team A's check is not theirs


def test_bad_ranges_are_refused(client, work):
    response = client.get(f"{API}/inspections?from=2026-07-05&to=2026-07-01",
                          headers=work["headers"]["manager"])
    assert (response.status_code, response.get_json()["field"]) == (422, "to")


def test_department_staff_read_what_was_done_at_their_departments_sites(client, work,
                                                                        make_user):
    district, manager = work["district"], work["headers"]["manager"]
    roads = make_department(code="roads")
    elsewhere = district.site("r1", offset=.008)
    elsewhere.owner_department = roads  # a site another department maintains
    db.session.commit()
    owner_staff = make_user(Role.DEPARTMENT_STAFF, department=district.owner)[1]
    roads_staff = make_user(Role.DEPARTMENT_STAFF, department=roads)[1]

    def ids(url, headers):
        return sorted(row["id"] for row in client.get(f"{API}{url}", headers=headers).get_json())

    for url in ("/inspections", "/site-checks"):  # every record is at a parks site
        assert ids(url, owner_staff) == ids(url, manager) != []
        assert ids(url, roads_staff) == []
    owned = [r["site_code"] for r in _coverage(client, owner_staff)]
    assert sorted(owned) == ["s1", "s2", "s3", "s4", "t1"]  # not roads' r1
    assert [r["site_code"] for r in _coverage(client, roads_staff)] == ["r1"]
