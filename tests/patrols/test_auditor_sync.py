"""A citizen auditor on a campaign run, through the sync API: the campaign reaches their
phone, their observation counts for the run, and its credit follows the finding."""
from datetime import timedelta

import pytest

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import intake
from patrol_api.models import Observation
from patrol_api.patrols import campaigns
from sync import pulled_campaigns
from tests.patrols.reporting import phone_of, report_at, route_to_owner
from tests.sync.syncapi import iso, new_id, now

API = "/api/v1"


@pytest.fixture
def walk(client, make_user, district, template):
    """Team A's campaign, an officer's phone and a citizen auditor's phone."""
    route_to_owner(district)
    site = district.site("s1")
    today = pulled_campaigns.today()
    campaign = campaigns.create({
        "code": "heat", "theme": "heat_wave", "title_ko": "무더위쉼터", "title_en": "Heat",
        "starts_on": today, "ends_on": today + timedelta(days=30), "template_id": template.id,
        "teams": ["A"]})
    officer = make_user(Role.PATROL_OFFICER)[0]
    officer.team = "A"
    auditor, auditor_headers = make_user(Role.CITIZEN_AUDITOR)
    db.session.commit()
    return {"site": site, "campaign": campaign, "officer": phone_of(client, officer),
            "auditor": phone_of(client, auditor), "auditor_headers": auditor_headers}


def _kinds(changes: list) -> dict:
    """Pulled record ids by kind (upserts only)."""
    found: dict = {}
    for change in changes:
        if change["op"] == "upsert":
            found.setdefault(change["kind"], set()).add(change["id"])
    return found


def test_auditor_joins_a_run_reports_and_is_credited(client, make_user, district, walk):
    officer, auditor, campaign = walk["officer"], walk["auditor"], walk["campaign"]
    assert "campaigns" not in _kinds(auditor.pull_all())  # not on a run yet: not theirs
    run_id = new_id()
    started = officer.one(officer.mutation("patrol_run.start", run_id, {
        "kind": "campaign", "started_at": iso(now() - timedelta(hours=1)), "team": "A",
        "campaign_id": campaign.id, "auditor_user_ids": [auditor.user.id]}))
    assert started["status"] == "applied"
    stale = auditor.pull(auditor.cursor)  # joining the run changed what the phone holds
    assert (stale.status_code, stale.get_json()["code"]) == (410, "full_resync_required")
    auditor.cursor = None
    held = _kinds(auditor.pull_all())
    assert held["campaigns"] == {campaign.id}
    assert held["checklist-templates"] == {campaign.template_id}

    report = report_at(auditor, walk["site"], recorded_at=now() - timedelta(minutes=10))
    assert auditor.pushed([report])["results"][0]["status"] == "applied"
    intake.process_pending()
    observation = db.session.query(Observation).one()
    manager = make_user(Role.MANAGER)[1]
    run = client.get(f"{API}/patrol-runs", headers=manager).get_json()[0]
    detail = client.get(f"{API}/patrol-runs/{run['id']}", headers=manager).get_json()
    assert (detail["auditor_user_ids"], detail["observation_ids"]) == (
        [auditor.user.id], [observation.client_id])
    credit = client.get(f"{API}/me/reports/credit", headers=walk["auditor_headers"]).get_json()
    assert (credit["pending"], credit["accepted"]) == (1, 0)

    staff = make_user(Role.DEPARTMENT_STAFF, department=district.owner)[1]
    acted = client.post(f"{API}/findings/{observation.finding_id}/actions", headers=staff,
                        json={"action": "acknowledge"})
    assert acted.status_code == 200, acted.get_json()
    credit = client.get(f"{API}/me/reports/credit", headers=walk["auditor_headers"]).get_json()
    assert (credit["accepted"], credit["total"]) == (1, 1)
    mine = client.get(f"{API}/me/reports", headers=walk["auditor_headers"]).get_json()
    assert [(r["client_id"], r["credit"]) for r in mine] == [(report["entity_id"], "accepted")]


def test_an_auditor_off_the_run_does_not_hold_the_campaign(client, make_user, walk):
    officer, campaign = walk["officer"], walk["campaign"]
    other = phone_of(client, make_user(Role.CITIZEN_AUDITOR)[0])
    other.pull_all()
    officer.one(officer.mutation("patrol_run.start", new_id(), {
        "kind": "campaign", "started_at": iso(now()), "team": "A", "campaign_id": campaign.id,
        "auditor_user_ids": [walk["auditor"].user.id]}))
    assert other.pull(other.cursor).status_code == 200  # their scope did not change
    other.cursor = None
    assert "campaigns" not in _kinds(other.pull_all())
