"""A citizen auditor's own reports: fates, public finding state, no internal notes, credit."""
import pytest

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import intake
from patrol_api.models import Observation
from tests.patrols.reporting import phone_of, report_at, route_to_owner
from tests.sync.syncapi import new_id

API = "/api/v1"
SECRET = "내부 검토: 예산 부족, 민원인에게 알리지 말 것"


@pytest.fixture
def reported(client, make_user, district):
    """An auditor reports at four sites and withdraws one; parks acts on three findings."""
    route_to_owner(district)
    sites = [district.site(f"s{i}", offset=.002 * i) for i in range(1, 5)]
    auditor, auditor_headers = make_user(Role.CITIZEN_AUDITOR)
    phone = phone_of(client, auditor)
    ids = [new_id() for _ in sites]
    creates = [report_at(phone, site) | {"entity_id": entity_id}
               for site, entity_id in zip(sites, ids, strict=True)]
    results = phone.pushed(creates)["results"]
    assert [r["status"] for r in results] == ["applied"] * 4
    assert phone.one(phone.delete(ids[3]))["status"] == "applied"
    intake.process_pending()
    findings = {obs.client_id: obs.finding_id for obs in db.session.query(Observation)}
    _, staff = make_user(Role.DEPARTMENT_STAFF, department=district.owner)

    def act(client_id, **body):
        response = client.post(f"{API}/findings/{findings[client_id]}/actions", headers=staff,
                               json=body)
        assert response.status_code == 200, response.get_json()
    act(ids[0], action="acknowledge", note=SECRET)
    comment = client.post(f"{API}/findings/{findings[ids[0]]}/comments", headers=staff,
                          json={"note": SECRET})
    assert comment.status_code in (200, 201), comment.get_json()
    act(ids[1], action="reject", reason="not_actionable", note=SECRET)
    return {"ids": ids, "headers": auditor_headers, "staff": staff, "owner": district.owner}


def test_own_reports_show_fate_and_public_state_only(client, reported):
    response = client.get(f"{API}/me/reports", headers=reported["headers"])
    assert response.status_code == 200
    assert SECRET not in response.get_data(as_text=True)
    reports = {r["client_id"]: r for r in response.get_json()}
    accepted, rejected, pending, withdrawn = reported["ids"]
    assert set(reports) == {accepted, rejected, pending}
    assert {k: reports[k]["credit"] for k in reports} == {
        accepted: "accepted", rejected: "rejected", pending: "pending"}
    first = reports[accepted]["finding"]
    assert (first["state"], first["state_label_ko"]) == ("acknowledged", "부서 접수")
    assert first["department"] == {"code": "parks", "name_ko": "공원녹지과", "name_en": "Parks"}
    assert [u["kind"] for u in first["updates"]] == ["created", "routed", "acknowledge"]
    assert reports[accepted]["fate"] == "routed"
    assert reports[accepted]["fate_reason"].startswith(first["reference"])
    last = reports[rejected]["finding"]["updates"][-1]
    assert (last["to_state"], last["reason"], last["reason_label_ko"],
            last["reason_label_en"]) == ("rejected", "not_actionable", "조치 불필요",
                                         "Not actionable")
    assert reports[rejected]["fate"] == "rejected"
    assert reports[pending]["finding"]["state"] == "assigned"
    assert all(set(u) == {"at", "kind", "to_state", "department", "reason",
                          "reason_label_ko", "reason_label_en"}
               for r in reports.values() for u in r["finding"]["updates"])


def test_credit_counts_accepted_pending_rejected(client, reported):
    body = client.get(f"{API}/me/reports/credit", headers=reported["headers"]).get_json()
    assert {k: body[k] for k in ("accepted", "pending", "rejected", "total")} == {
        "accepted": 1, "pending": 1, "rejected": 1, "total": 3}
    assert "acknowledged" in body["definition"]
    only = client.get(f"{API}/me/reports?credit=rejected", headers=reported["headers"])
    assert [r["client_id"] for r in only.get_json()] == [reported["ids"][1]]
    routed = client.get(f"{API}/me/reports?fate=routed", headers=reported["headers"])
    assert {r["client_id"] for r in routed.get_json()} == set(reported["ids"][0:3:2])


def test_credit_moves_with_the_finding(client, reported):
    pending = reported["ids"][2]
    finding_id = db.session.query(Observation).filter_by(client_id=pending).one().finding_id
    client.post(f"{API}/findings/{finding_id}/actions", headers=reported["staff"],
                json={"action": "start"})
    body = client.get(f"{API}/me/reports/credit", headers=reported["headers"]).get_json()
    assert (body["accepted"], body["pending"]) == (2, 0)


def test_others_see_only_their_own_reports(client, reported, make_user):
    _, officer = make_user(Role.PATROL_OFFICER)
    assert client.get(f"{API}/me/reports", headers=officer).get_json() == []
    body = client.get(f"{API}/me/reports/credit", headers=officer).get_json()
    assert body["total"] == 0
