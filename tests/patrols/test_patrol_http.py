"""The HTTP API of templates, campaigns, runs and kinds."""
import uuid
from datetime import UTC, datetime

import pytest

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.patrols import runs
from tests.patrols.conftest import ITEMS

API = "/api/v1"
TEMPLATE = {"code": "toilet", "title_ko": "공중화장실 점검", "title_en": "Public toilets",
            "items": ITEMS}


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER)[1]


def _published(client, manager) -> dict:
    made = client.post(f"{API}/checklist-templates", json=TEMPLATE, headers=manager)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    done = client.post(f"{API}/checklist-templates/{body['id']}/publish",
                       json={"version": body["version"]}, headers=manager)
    assert done.status_code == 200 and done.get_json()["published_at"]
    return done.get_json()


def test_template_lifecycle(client, manager, district):
    made = client.post(f"{API}/checklist-templates", json=TEMPLATE, headers=manager).get_json()
    url = f"{API}/checklist-templates/{made['id']}"
    changed = client.patch(url, json={"title_en": "Toilets"},
                           headers={**manager, "If-Match": '"v1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"v2"'
    stale = client.post(f"{url}/publish", json={"version": 1}, headers=manager)
    assert stale.status_code == 412
    assert client.post(f"{url}/publish", json={"version": 2}, headers=manager).status_code == 200
    frozen = client.patch(url, json={"title_en": "Again"}, headers=manager)
    assert (frozen.status_code, frozen.get_json()["code"]) == (409, "template_published")
    again = client.post(f"{API}/checklist-templates", json=TEMPLATE, headers=manager)
    assert again.get_json()["revision"] == 2
    drafts = client.get(f"{API}/checklist-templates?published=false", headers=manager)
    assert [t["revision"] for t in drafts.get_json()] == [2]


def test_bad_items_are_422_with_the_field(client, manager):
    bad = {**TEMPLATE, "items": [ITEMS[0], ITEMS[0]]}
    response = client.post(f"{API}/checklist-templates", json=bad, headers=manager)
    assert response.status_code == 422
    bad = {**TEMPLATE, "items": [{**ITEMS[1], "choices": []}]}
    response = client.post(f"{API}/checklist-templates", json=bad, headers=manager)
    assert response.status_code == 422 and "items" in response.get_json()["errors"]["json"]


def test_unknown_category_codes_are_422(client, manager, district):
    bad = {**TEMPLATE, "items": [{**ITEMS[0], "fail_creates_category_code": "nope"}]}
    response = client.post(f"{API}/checklist-templates", json=bad, headers=manager)
    assert (response.status_code, response.get_json()["field"]) == (422, "items")


def test_viewers_read_but_do_not_manage(client, make_user):
    viewer = make_user(Role.VIEWER)[1]
    assert client.post(f"{API}/checklist-templates", json=TEMPLATE,
                       headers=viewer).status_code == 403
    assert client.get(f"{API}/checklist-templates", headers=viewer).status_code == 200
    kinds = client.get(f"{API}/patrol-kinds", headers=viewer).get_json()
    assert {"code": "dong_police", "label_ko": "동장·지구대장 합동순찰",
            "label_en": "Dong chief and police joint patrol"} in kinds


def test_campaign_with_targets_and_progress(client, manager, district):
    sites = [district.site("s1"), district.site("s2", area="dangsan"),
             district.site("t1", kind="toilet")]
    db.session.commit()
    template = _published(client, manager)
    body = {"code": "toilets-2026", "theme": "public_toilets", "title_ko": "공중화장실",
            "title_en": "Toilets", "starts_on": "2026-07-01", "ends_on": "2026-07-31",
            "template_id": template["id"], "facility_type_ids": [district.types["toilet"].id],
            "teams": ["A"]}
    made = client.post(f"{API}/campaigns", json=body, headers=manager)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["target_site_ids"] == [sites[2].id]
    url = f"{API}/campaigns/{made.get_json()['id']}"
    assert client.post(f"{API}/campaigns", json=body, headers=manager).status_code == 409
    wider = client.patch(url, json={"facility_type_ids": []}, headers=manager).get_json()
    assert len(wider["target_site_ids"]) == 3
    report = client.get(f"{url}/progress", headers=manager).get_json()
    assert (report["targeted"], report["inspected"]) == (3, 0)
    listed = client.get(f"{API}/campaigns?active_on=2026-07-15", headers=manager).get_json()
    assert [c["code"] for c in listed] == ["toilets-2026"]


def test_campaign_refuses_drafts_unknown_ids_and_backward_windows(client, manager, district):
    template = _published(client, manager)
    body = {"code": "c", "theme": "t", "title_ko": "t", "title_en": "t",
            "starts_on": "2026-07-01", "ends_on": "2026-07-31", "template_id": template["id"]}
    for change, field in (({"area_ids": [424242]}, "area_ids"),
                          ({"ends_on": "2026-06-01"}, "ends_on"),
                          ({"template_id": 424242}, "template_id")):
        response = client.post(f"{API}/campaigns", json={**body, **change}, headers=manager)
        assert (response.status_code, response.get_json()["field"]) == (422, field)


def test_runs_are_listed_for_staff_not_for_citizen_auditors(client, make_user):
    officer, headers = make_user(Role.PATROL_OFFICER)
    run = runs.start(officer, str(uuid.uuid4()), {
        "kind": "night", "started_at": datetime(2026, 7, 1, 22, tzinfo=UTC), "team": "N"})
    db.session.commit()
    listed = client.get(f"{API}/patrol-runs?open=true&kind=night", headers=headers).get_json()
    assert [(r["id"], r["kind_label_ko"]) for r in listed] == [(run.id, "야간순찰")]
    auditor = make_user(Role.CITIZEN_AUDITOR)[1]
    assert client.get(f"{API}/patrol-runs/{run.id}", headers=auditor).status_code == 403
