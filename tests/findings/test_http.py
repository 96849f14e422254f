"""The findings HTTP API: inbox visibility and filters, detail, actions, comments, queues."""
import pytest

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import intake
from patrol_api.models import Area, Observation
from patrol_api.reference.geo import bounds_columns, parse_polygon
from tests.findings.conftest import SPOT, SQUARE, offset
from tests.findings.helpers import photo, take

URL = "/api/v1/findings"


@pytest.fixture
def office(make_user, world, reporter, observe):
    """Three findings (roads x2, cleaning) and the people who see them."""
    patrol, auditor = reporter(), reporter(Role.CITIZEN_AUDITOR)
    roads = take(observe("roads", SPOT, user=patrol))
    far = take(observe("roads", offset(SPOT, 500), user=auditor))
    cleaning = take(observe("cleaning", offset(SPOT, 15), user=auditor))
    other = take(observe("other", offset(SPOT, 900), user=patrol))

    def headers(role, department=None):
        dept = world.department(department) if department else None
        return make_user(role, department=dept)[1]
    return {"findings": {"roads": roads, "far": far, "cleaning": cleaning, "other": other},
            "roads": headers(Role.DEPARTMENT_STAFF, "roads"),
            "cleaning": headers(Role.DEPARTMENT_STAFF, "cleaning"),
            "manager": headers(Role.MANAGER), "viewer": headers(Role.VIEWER),
            "patrol": patrol.headers, "auditor": auditor.headers}


def refs(response) -> set[str]:
    assert response.status_code == 200, response.get_json()
    return {item["reference"] for item in response.get_json()}


def ref(office, name) -> str:
    return office["findings"][name].reference


def test_who_sees_what_in_the_inbox(client, office):
    everything = {ref(office, name) for name in ("roads", "far", "cleaning", "other")}
    assert refs(client.get(URL, headers=office["manager"])) == everything
    assert refs(client.get(URL, headers=office["viewer"])) == everything
    assert refs(client.get(URL, headers=office["roads"])) == {ref(office, "roads"),
                                                              ref(office, "far")}
    assert refs(client.get(URL, headers=office["cleaning"])) == {ref(office, "cleaning")}
    assert refs(client.get(URL, headers=office["patrol"])) == {ref(office, "roads"),
                                                               ref(office, "other")}
    assert refs(client.get(URL, headers=office["auditor"])) == {ref(office, "far"),
                                                                ref(office, "cleaning")}


def test_filters_sort_and_pages(client, office, world):
    manager = office["manager"]
    roads_id = world.department("roads").id
    got = client.get(URL, headers=manager, query_string={"department_id": roads_id})
    assert refs(got) == {ref(office, "roads"), ref(office, "far")}
    assert refs(client.get(URL, headers=manager, query_string={"state": "new"})) == {
        ref(office, "other")}
    assert refs(client.get(URL, headers=manager, query_string={
        "category_id": world.category("cleaning").id})) == {ref(office, "cleaning")}
    assert refs(client.get(URL, headers=manager, query_string={"in_coordination": "true"})) \
        == {ref(office, "other")}
    due = office["findings"]["cleaning"].resolve_due_at.isoformat()
    assert refs(client.get(URL, headers=manager, query_string={"due_before": due})) == set()
    assert ref(office, "cleaning") in refs(client.get(URL, headers=manager,
                                                      query_string={"due_after": due}))
    page = client.get(URL, headers=manager, query_string={"page_size": 2, "sort": "-created"})
    assert [f["reference"] for f in page.get_json()] == [ref(office, "other"),
                                                         ref(office, "cleaning")]
    assert '"total": 4' in page.headers["X-Pagination"]
    assert client.get(URL, headers=manager, query_string={"sort": "nope"}).status_code == 422


def test_detail_has_events_and_observations(client, office):
    finding = office["findings"]["roads"]
    response = client.get(f"{URL}/{finding.id}", headers=office["roads"])
    body = response.get_json()
    assert response.headers["ETag"] == f'"v{body["version"]}"'
    assert [e["kind"] for e in body["events"]] == ["created", "routed"]
    assert len(body["observations"]) == 1 and body["department_code"] == "roads"
    assert client.get(f"{URL}/{finding.id}", headers=office["cleaning"]).status_code == 404
    assert client.get(f"{URL}/999999", headers=office["manager"]).status_code == 404


def test_citizen_auditors_never_see_internal_notes(client, office):
    finding = office["findings"]["cleaning"]
    url = f"{URL}/{finding.id}"
    assert client.post(f"{url}/comments", headers=office["cleaning"],
                       json={"note": "내부 메모"}).status_code == 201
    response = client.post(f"{url}/actions", headers=office["cleaning"],
                           json={"action": "hold", "reason": "budget", "note": "예산 부족"})
    assert response.status_code == 200, response.get_json()
    staff_view = client.get(url, headers=office["manager"]).get_json()
    assert {"comment", "hold"} <= {e["kind"] for e in staff_view["events"]}
    auditor_view = client.get(url, headers=office["auditor"]).get_json()
    kinds = [e["kind"] for e in auditor_view["events"]]
    assert "comment" not in kinds and "hold" in kinds
    assert all(e["note"] is None and e["actor_user_id"] is None and e["actor_role"] is None
               and e["data"] == {} for e in auditor_view["events"])
    assert any(e["actor_role"] for e in staff_view["events"])  # who acted is recorded
    assert "내부" not in str(auditor_view) and "예산" not in str(auditor_view)
    assert client.post(f"{url}/comments", headers=office["auditor"],
                       json={"note": "x"}).status_code == 403


def test_actions_with_if_match(client, office, clock):
    finding = office["findings"]["roads"]
    url = f"{URL}/{finding.id}"
    etag = client.get(url, headers=office["roads"]).headers["ETag"]
    ok = client.post(f"{url}/actions", headers={**office["roads"], "If-Match": etag},
                     json={"action": "acknowledge"})
    assert ok.status_code == 200 and ok.get_json()["state"] == "acknowledged"
    stale = client.post(f"{url}/actions", headers={**office["roads"], "If-Match": etag},
                        json={"action": "start"})
    assert stale.status_code == 412
    other = client.post(f"{url}/actions", headers=office["cleaning"], json={"action": "start"})
    assert (other.status_code, other.get_json()["code"]) == (403, "not_your_department")
    resolve = client.post(f"{url}/actions", headers=office["roads"], json={
        "action": "resolve", "evidence": {"sha256": photo(), "lat": SPOT[0], "lon": SPOT[1]}})
    assert resolve.get_json()["state"] == "resolved"
    clock.advance(hours=4)
    blind = client.post(f"{url}/actions", headers=office["patrol"], json={"action": "verify"})
    assert (blind.status_code, blind.get_json()["code"]) == (
        422, "verification_evidence_required")
    verify = client.post(f"{url}/actions", headers=office["patrol"], json={
        "action": "verify", "position": {"lat": SPOT[0], "lon": SPOT[1], "accuracy_m": 4}})
    assert verify.get_json()["state"] == "verified"
    checked = verify.get_json()["events"][-1]["data"]["position"]
    assert checked["distance_m"] == 0 and checked["accuracy_m"] == 4


def test_bulk_acknowledge_reports_each(client, office):
    roads, far = office["findings"]["roads"], office["findings"]["far"]
    cleaning = office["findings"]["cleaning"]
    response = client.post(f"{URL}/acknowledge", headers=office["roads"],
                           json={"finding_ids": [roads.id, far.id, cleaning.id, 999999]})
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["acknowledged", "acknowledged", "refused",
                                              "refused"]
    assert [r["error"]["status"] for r in results[2:]] == [403, 404]


def test_coordination_queue_and_assignment(client, office):
    queue = client.get(f"{URL}/coordination", headers=office["manager"])
    assert refs(queue) == {ref(office, "other")}
    assert client.get(f"{URL}/coordination", headers=office["roads"]).status_code == 403
    finding = office["findings"]["other"]
    response = client.post(f"{URL}/{finding.id}/actions", headers=office["manager"],
                           json={"action": "assign", "department_code": "parks"})
    assert response.get_json()["department_code"] == "parks"
    assert refs(client.get(f"{URL}/coordination", headers=office["manager"])) == set()


def test_merge_split_undo_endpoints(client, office):
    roads, far = office["findings"]["roads"], office["findings"]["far"]
    manager = office["manager"]
    merged = client.post(f"{URL}/{far.id}/merge", headers=manager,
                         json={"into_finding_id": roads.id, "reason": "same_problem"})
    assert merged.status_code == 200 and merged.get_json()["observation_count"] == 2
    source = client.get(f"{URL}/{far.id}", headers=manager).get_json()
    merge_event = next(e for e in source["events"] if e["kind"] == "merge")
    undone = client.post(f"{URL}/{far.id}/events/{merge_event['id']}/undo", headers=manager,
                         json={"note": "오병합"})
    assert undone.status_code == 200 and undone.get_json()["state"] == "assigned"
    merged = client.post(f"{URL}/{far.id}/merge", headers=manager,
                         json={"into_finding_id": roads.id, "reason": "same_problem"})
    ids = [o["id"] for o in merged.get_json()["observations"]]
    split = client.post(f"{URL}/{roads.id}/split", headers=manager,
                        json={"observation_ids": ids[1:], "reason": "different_place"})
    assert split.status_code == 201 and split.get_json()["observation_count"] == 1
    assert client.post(f"{URL}/{roads.id}/merge", headers=manager, json={
        "into_finding_id": roads.id, "reason": "bad"}).status_code == 422


def test_synced_observations_become_findings_the_reporter_sees(client, office, world):
    """End to end through the sync API: push, intake (sweep), the phone's fate, the inbox."""
    import json
    import uuid
    from datetime import UTC, datetime

    push = {"device_time": datetime.now(UTC).isoformat(), "mutations": [{
        "id": str(uuid.uuid4()), "seq": 1, "type": "observation.create",
        "entity_id": str(uuid.uuid4()), "data": {
            "category_code": "roads", "lat": SPOT[0], "lon": SPOT[1] + 0.00005,
            "accuracy_m": 5.0, "note": "포트홀", "recorded_at": datetime.now(UTC).isoformat(),
            "photos": []}}]}
    from patrol_api.auth import devices, tokens
    from patrol_api.models import User

    user = db.session.get(User, _user_id(office, "patrol"))
    device = devices.register(user, {"client_uid": "e2e-phone"})
    raw = tokens.issue(user, device, __import__("datetime").timedelta(days=1))
    db.session.commit()
    phone = {"Authorization": f"Bearer {raw}"}
    response = client.post("/api/v1/sync/push", headers=phone, data=json.dumps(push),
                           content_type="application/json")
    assert response.status_code == 200, response.get_json()
    intake.process_pending()
    entity = push["mutations"][0]["entity_id"]
    fate = client.get(f"/api/v1/sync/observations/{entity}", headers=phone).get_json()
    assert (fate["fate"], fate["finding_id"]) == ("merged", office["findings"]["roads"].id)


def _user_id(office, key) -> int:
    """The user behind a fixture's headers."""
    from patrol_api.auth import tokens

    return tokens.resolve(office[key]["Authorization"].split()[1]).user.id


def test_observation_counts_do_not_leak_other_reporters(client, office, observe, reporter):
    finding = office["findings"]["cleaning"]
    stranger = reporter(Role.CITIZEN_AUDITOR)
    take(observe("cleaning", offset(SPOT, 16), user=stranger))
    body = client.get(f"{URL}/{finding.id}", headers=office["auditor"]).get_json()
    assert len(body["observations"]) == 1
    assert db.session.query(Observation).count() == 5


def test_pull_record_and_conditions_for_the_sync_layer(office, world):
    import sqlalchemy as sa

    from patrol_api.findings import records
    from patrol_api.models import Finding, User

    patrol = db.session.get(User, _user_id(office, "patrol"))
    rows = db.session.execute(sa.select(Finding).where(
        *records.pull_conditions(patrol))).scalars().all()
    assert {f.reference for f in rows} == {ref(office, "roads"), ref(office, "other")}
    record = records.finding_record(office["findings"]["roads"])
    assert record["department_code"] == "roads" and "note" not in record


def test_the_area_filter(client, office, observe, world):
    dangsan = Area(code="dangsan", name_ko="당산1동", name_en="Dangsan 1-dong",
                   geometry=SQUARE, **bounds_columns(parse_polygon(SQUARE)))
    db.session.add(dangsan)
    obs = observe("roads", offset(SPOT, 2000))
    obs.area = dangsan
    db.session.commit()
    elsewhere = take(obs)
    manager = office["manager"]
    assert refs(client.get(URL, headers=manager, query_string={"area_id": dangsan.id})) == {
        elsewhere.reference}
    yeoui = refs(client.get(URL, headers=manager, query_string={"area_id": world.area.id}))
    assert yeoui == {ref(office, name) for name in ("roads", "far", "cleaning", "other")}
    roads = refs(client.get(URL, headers=office["roads"], query_string={
        "area_id": dangsan.id, "open": "true"}))
    assert roads == {elsewhere.reference}  # combined with the department's own scope
    assert client.get(URL, headers=manager, query_string={"area_id": 0}).status_code == 422


def test_comments_with_photos(client, office):
    finding = office["findings"]["roads"]
    url = f"{URL}/{finding.id}/comments"
    progress = photo("progress")
    answer = client.post(url, headers=office["roads"], json={
        "note": "굴착 진행 중", "photos": [{"sha256": progress.upper(), "role": "after"},
                                           {"sha256": photo("scene")}]})
    assert answer.status_code == 201, answer.get_json()
    comment = answer.get_json()["events"][-1]
    assert (comment["kind"], comment["note"]) == ("comment", "굴착 진행 중")
    assert comment["data"]["photos"] == [{"sha256": progress, "role": "after"},
                                         {"sha256": photo("scene"), "role": "after"}]
    missing = client.post(url, headers=office["roads"], json={
        "note": "x", "photos": [{"sha256": "ab" * 32}]})
    assert (missing.status_code, missing.get_json()["code"], missing.get_json()["field"]) == (
        422, "photo_not_verified", "photos")
    wrong = client.post(url, headers=office["roads"], json={
        "note": "x", "photos": [{"sha256": progress, "role": "selfie"}]})
    assert wrong.status_code == 422
    events = client.get(f"{URL}/{finding.id}", headers=office["manager"]).get_json()["events"]
    assert [e["kind"] for e in events].count("comment") == 1  # refusals left no trace
    patrol = client.post(url, headers=office["patrol"], json={
        "note": "현장 확인", "photos": [{"sha256": photo("patrol view"), "role": "before"}]})
    assert patrol.status_code == 201
    assert patrol.get_json()["events"][-1]["data"]["photos"][0]["role"] == "before"
