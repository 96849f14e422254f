"""A campaign end to end on a simulated phone: pull, inspect offline, push, findings, progress."""
from datetime import date, timedelta

import pytest

from patrol_api.auth import devices, tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import intake
from patrol_api.models import Finding, MediaBlob, Observation, RoutingRule
from patrol_api.models.patrols import PatrolRun
from sync.photos import blob_verified
from tests.patrols.conftest import ITEMS
from tests.sync.syncapi import Phone, iso, new_id, now

API = "/api/v1"


@pytest.fixture
def phone(client, make_user):
    user, _ = make_user(Role.PATROL_OFFICER)
    user.team = "A"  # the campaign's team: only its members pull the campaign
    device = devices.register(user, {"client_uid": f"phone-{user.id}", "platform": "android"})
    raw = tokens.issue(user, device, timedelta(days=1))
    db.session.commit()
    made = Phone(client, {"Authorization": f"Bearer {raw}"})
    made.user = user
    return made


@pytest.fixture
def campaign(client, make_user, district):
    """Three cooling shelters, a published checklist, a campaign over them."""
    for code, area in (("s1", "yeoui"), ("s2", "yeoui"), ("s3", "dangsan")):
        district.site(code, area=area, offset=.001 * int(code[1]))
    db.session.add(RoutingRule(category=district.category, owner_department=district.owner,
                               target_department=district.owner, effective_from=date(2020, 1, 1)))
    db.session.commit()
    manager = make_user(Role.MANAGER)[1]
    template = client.post(f"{API}/checklist-templates", headers=manager, json={
        "code": "shelter", "title_ko": "쉼터", "title_en": "Shelter", "items": ITEMS}).get_json()
    client.post(f"{API}/checklist-templates/{template['id']}/publish", headers=manager,
                json={"version": template["version"]})
    today = now().date()
    made = client.post(f"{API}/campaigns", headers=manager, json={
        "code": "heat", "theme": "heat_wave", "title_ko": "무더위쉼터", "title_en": "Heat",
        "starts_on": str(today), "ends_on": str(today + timedelta(days=30)),
        "template_id": template["id"], "teams": ["A"]})
    assert made.status_code == 201, made.get_json()
    return {**made.get_json(), "manager": manager}


def _pulled(phone) -> dict:
    """The pulled records by kind."""
    by_kind: dict = {}
    for change in phone.pull_all():
        by_kind.setdefault(change["kind"], []).append(change["record"])
    return by_kind


def _offline_work(phone, pulled: dict, district) -> list:
    """What the phone records offline: a run, a track, two inspections, a check, the end."""
    campaign, template = pulled["campaigns"][0], pulled["checklist-templates"][0]
    run_id, start = new_id(), now() - timedelta(hours=2)
    s1, s2, s3 = (district.sites[code] for code in ("s1", "s2", "s3"))
    good = {"door": {"value": True}, "state": {"value": "good"},
            "look": {"photos": ["a" * 64]}}
    inspect = {"template_id": template["id"], "campaign_id": campaign["id"], "run_id": run_id,
               "inspected_at": iso(start + timedelta(minutes=20))}
    return [
        phone.mutation("patrol_run.start", run_id, {
            "kind": "campaign", "started_at": iso(start), "team": "A",
            "campaign_id": campaign["id"], "resident_count": 2}),
        phone.mutation("track.append", run_id, {"points": [
            [s1.lat, s1.lon, int(start.timestamp()) + i * 60] for i in range(5)]}),
        phone.mutation("inspection.submit", new_id(), {
            **inspect, "site_code": "s1", "position": {"lat": s1.lat, "lon": s1.lon},
            "answers": {**good, "door": {"value": False, "photos": ["b" * 64]}}}),
        phone.mutation("inspection.submit", new_id(), {
            **inspect, "site_code": "s2", "answers": good,
            "position": {"lat": s2.lat + .01, "lon": s2.lon}}),
        phone.mutation("site_check.record", new_id(), {
            "site_code": "s3", "result": "ok", "run_id": run_id,
            "checked_at": iso(start + timedelta(minutes=50)),
            "position": {"lat": s3.lat, "lon": s3.lon}}),
        phone.mutation("patrol_run.end", run_id, {"ended_at": iso(start + timedelta(hours=1))}),
    ]


def test_campaign_through_sync(client, phone, campaign, district):
    pulled = _pulled(phone)
    assert pulled["campaigns"][0]["target_site_ids"] == sorted(
        site.id for site in district.sites.values())
    assert [t["code"] for t in pulled["checklist-templates"]] == ["shelter"]
    work = _offline_work(phone, pulled, district)
    answer = phone.pushed(work)
    assert [r["status"] for r in answer["results"]] == ["applied"] * 6, answer
    first, second = answer["results"][2], answer["results"][3]
    assert [f["key"] for f in first["failures"]] == ["door"]
    assert (first["far_from_site"], second["far_from_site"]) == (False, True)
    intake.process_pending()
    obs = db.session.query(Observation).one()
    assert (obs.fate, obs.finding_id) == ("awaiting_photos", None)  # its photo is to come
    db.session.add(MediaBlob(sha256="b" * 64, size=100, mime="image/jpeg", verified_at=now()))
    db.session.commit()
    assert blob_verified("b" * 64) == 1  # the photo arrived: now it is taken in
    db.session.expire_all()
    finding = db.session.get(Finding, obs.finding_id)
    assert (obs.category.code, obs.site.code, finding.department_id) == (
        "safety", "s1", district.owner.id)
    run = db.session.query(PatrolRun).one()
    assert (run.team, run.ended_at is not None, len(run.track)) == ("A", True, 5)
    detail = client.get(f"{API}/patrol-runs/{run.id}", headers=campaign["manager"]).get_json()
    assert detail["observation_ids"] == [obs.client_id]
    report = client.get(f"{API}/campaigns/{campaign['id']}/progress",
                        headers=campaign["manager"]).get_json()
    assert (report["targeted"], report["inspected"]) == (3, 3)
    assert (report["observations_raised"], report["findings_raised"]) == (1, 1)
    raised = {"observations_raised": 1, "findings_raised": 1}
    assert report["per_team"] == [{"team": "A", "assigned": True, "targeted": 3,
                                   "inspected": 3, **raised}]
    assert report["per_area"] == [
        {"area": "dangsan", "targeted": 1, "inspected": 1, "observations_raised": 0,
         "findings_raised": 0},
        {"area": "yeoui", "targeted": 2, "inspected": 2, **raised}]
    replay = phone.pushed(work)
    assert {r["status"] for r in replay["results"]} == {"already_applied"}
    assert db.session.query(Observation).count() == 1


def test_bad_answers_and_unknown_runs_are_rejected(phone, campaign, district):
    pulled = _pulled(phone)
    template = pulled["checklist-templates"][0]
    bad = phone.mutation("inspection.submit", new_id(), {
        "template_id": template["id"], "site_code": "s1", "inspected_at": iso(now()),
        "answers": {"door": {"value": "maybe"}}})
    ghost = phone.mutation("track.append", new_id(), {"points": [[37.5, 126.9, 1]]})
    results = phone.pushed([bad, ghost])["results"]
    assert results[0]["status"] == "rejected"
    assert results[0]["error"]["field"] == "data.answers.door"
    assert (results[1]["status"], results[1]["error"]["code"]) == ("rejected", "unknown_entity")


def test_another_template_is_refused_off_target_and_late_are_flagged(client, phone, campaign,
                                                                    district):
    pulled = _pulled(phone)
    template = pulled["checklist-templates"][0]
    manager = campaign["manager"]
    other = client.post(f"{API}/checklist-templates", headers=manager, json={
        "code": "shelter", "title_ko": "쉼터", "title_en": "Shelter", "items": ITEMS}).get_json()
    client.post(f"{API}/checklist-templates/{other['id']}/publish", headers=manager,
                json={"version": other["version"]})
    outside = district.site("x9", kind="toilet")  # not a target
    db.session.commit()
    good = {"door": {"value": True}, "state": {"value": "good"},
            "look": {"photos": ["a" * 64]}}
    late = now() + timedelta(days=45)  # after the campaign's last day (and a future time)

    def submit(template_id, site_code, at):
        return phone.mutation("inspection.submit", new_id(), {
            "template_id": template_id, "campaign_id": campaign["id"], "site_code": site_code,
            "inspected_at": iso(at), "answers": good})
    results = phone.pushed([submit(other["id"], "s1", now()), submit(template["id"], "x9", now()),
                            submit(template["id"], "s2", late)])["results"]
    assert results[0]["status"] == "rejected"
    assert (results[0]["error"]["code"], results[0]["error"]["field"]) == (
        "template_mismatch", "data.template_id")
    assert [r["status"] for r in results[1:]] == ["applied", "applied"]
    assert results[1]["campaign_flags"] == ["not_campaign_target"]
    assert results[2]["campaign_flags"] == ["outside_campaign_window"]
    listed = client.get(f"{API}/inspections", headers=manager,
                        query_string={"outside_campaign_window": "true"}).get_json()
    assert [i["site_code"] for i in listed] == ["s2"]
    assert listed[0]["campaign_flag_labels"][0]["label_en"] == (
        "Inspected outside the campaign window")
    report = client.get(f"{API}/campaigns/{campaign['id']}/progress", headers=manager).get_json()
    assert report["flagged"] == {"not_campaign_target": 1, "outside_campaign_window": 1}
    assert outside.id not in campaign["target_site_ids"]


def test_accuracy_and_null_optional_fields_are_accepted_in_a_push(phone, district):
    site, run_id, start = district.site("s1"), new_id(), now() - timedelta(hours=1)
    answer = phone.pushed([
        phone.mutation("patrol_run.start", run_id, {
            "kind": "night", "started_at": iso(start), "team": None, "resident_names": None}),
        phone.mutation("patrol_run.update", run_id, {"team": "B"}),
        phone.mutation("patrol_run.update", run_id, {"team": None, "resident_count": None}),
        phone.mutation("site_check.record", new_id(), {
            "site_code": "s1", "result": "ok", "run_id": run_id, "checked_at": iso(start),
            "position": {"lat": site.lat, "lon": site.lon, "accuracy_m": 6.5}}),
    ])
    assert [r["status"] for r in answer["results"]] == ["applied"] * 4, answer
    run = db.session.query(PatrolRun).one()
    assert (run.team, run.resident_count, run.resident_names) == ("", 0, [])
    assert answer["results"][3]["far_from_site"] is False
