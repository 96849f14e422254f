"""Private EXIF facts of evidence photos, by role, in every output of finding events."""
import email
import email.policy
import json
from datetime import UTC, datetime, timedelta

import pytest

from patrol_api.auth.roles import Role
from patrol_api.findings import exif_privacy
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import User
from patrol_api.photos import policy
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import exif, photo, take
from tests.findings.servers import HookServer

URL = "/api/v1/findings"
ROLES = ("manager", "admin", "department_staff", "patrol_officer", "citizen_auditor", "viewer")
SEES_EXIF = {"manager", "admin"}
COMMENTERS = ("manager", "admin", "department_staff", "patrol_officer")
EXIF_KEYS = {"captured_at", "lat", "lon", "exif_distance_m", "distance_m", "farthest_source"}
# The EXIF GPS and capture time (UTC) of the three evidence photos.
FIX = (offset(SPOT, 7, 30), datetime(2026, 11, 23, 2, 55, 33, tzinfo=UTC))
CHECK = (offset(SPOT, 9, 200), datetime(2026, 11, 24, 1, 51, 47, tzinfo=UTC))
REFIX = (offset(SPOT, 6, 120), datetime(2026, 11, 25, 1, 52, 19, tzinfo=UTC))
PHONE = offset(SPOT, 2, 0)


def _marker(value) -> bool:
    """True for an EXIF coordinate of the photos, or text holding one of their capture times."""
    if isinstance(value, float):
        return any(abs(value - coordinate) < 1e-9
                   for point, _ in (FIX, CHECK, REFIX) for coordinate in point)
    return isinstance(value, str) and any(taken.strftime("%H:%M:%S") in value
                                          for _, taken in (FIX, CHECK, REFIX))


def exposed(body) -> set[str]:
    """The private EXIF keys of evidence in a JSON body, and "values" when an EXIF time or
    coordinate appears anywhere in it."""
    found = {"values"} if _marker(body) else set()
    if isinstance(body, dict):
        if isinstance(body.get("evidence"), dict):
            found |= EXIF_KEYS & set(body["evidence"])
        body = list(body.values())
    if isinstance(body, list):
        for value in body:
            found |= exposed(value)
    return found


def expected(role: str) -> set[str]:
    """What a role's view of the full history shows: everything for managers and admins."""
    return EXIF_KEYS | {"values"} if role in SEES_EXIF else set()


def after_photo(name: str, facts) -> dict:
    """An evidence payload: a verified photo with this EXIF, and the phone's position."""
    point, taken = facts
    sha = exif(photo(name), point=point, captured=taken.astimezone(SEOUL).replace(tzinfo=None))
    return {"sha256": sha, "lat": PHONE[0], "lon": PHONE[1]}


def acted(client, headers, finding_id, **body) -> dict:
    """POST an action; the answer's JSON (fails the test unless 200)."""
    response = client.post(f"{URL}/{finding_id}/actions", headers=headers, json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def people(make_user, world, reporter) -> dict:
    """One user of each role, as (user, headers); the field roles have phones."""
    patrol, auditor = reporter(), reporter(Role.CITIZEN_AUDITOR)
    return {"manager": make_user(Role.MANAGER), "admin": make_user(Role.ADMIN),
            "department_staff": make_user(Role.DEPARTMENT_STAFF,
                                          department=world.department("roads")),
            "patrol_officer": (patrol, patrol.headers),
            "citizen_auditor": (auditor, auditor.headers), "viewer": make_user(Role.VIEWER)}


@pytest.fixture
def mail(app, smtp):
    """The SMTP sink and a webhook receiver, both configured."""
    hook = HookServer()
    app.config.update(FINDING_WEBHOOK_URLS=(hook.url,), FINDING_WEBHOOK_SECRET="s" * 32)
    yield smtp, hook
    app.config.update(FINDING_WEBHOOK_URLS=(), FINDING_WEBHOOK_SECRET=None)
    hook.shutdown()
    hook.server_close()


@pytest.fixture
def history(client, people, observe, clock, mail) -> dict:
    """A roads finding reported by the patrol officer and the auditor, resolved with an EXIF
    photo, checked with one, recurred and resolved again: open, visible to every role."""
    patrol, auditor = people["patrol_officer"][0], people["citizen_auditor"][0]
    finding = take(observe("roads", user=patrol))
    assert take(observe("roads", offset(SPOT, 3), user=auditor)).id == finding.id
    staff = people["department_staff"][1]
    clock.now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    answers = {"resolve": acted(client, staff, finding.id, action="resolve",
                                evidence=after_photo("fix", FIX))}
    clock.now = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    answers["verify"] = acted(client, people["patrol_officer"][1], finding.id, action="verify",
                              evidence=after_photo("check", CHECK))
    clock.now = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    assert take(observe("roads", offset(SPOT, 4), user=patrol)).state == "reopened"
    clock.now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    acted(client, staff, finding.id, action="resolve", evidence=after_photo("refix", REFIX))
    return {"finding": finding, "answers": answers}


def test_the_full_history_keeps_every_fact_for_managers(client, people, history):
    body = client.get(f"{URL}/{history['finding'].id}", headers=people["manager"][1]).get_json()
    evidence = [e["data"]["evidence"] for e in body["events"] if e["kind"] in (
        "resolve", "verify")]
    assert len(evidence) == 3 and all(set(given) >= EXIF_KEYS for given in evidence)
    assert evidence[0]["captured_at"] == FIX[1].isoformat()
    assert (evidence[0]["lat"], evidence[0]["lon"]) == pytest.approx(FIX[0])


@pytest.mark.parametrize("role", ROLES)
def test_finding_detail_by_role(client, people, history, role):
    response = client.get(f"{URL}/{history['finding'].id}", headers=people[role][1])
    assert response.status_code == 200
    assert exposed(response.get_json()) == expected(role)


@pytest.mark.parametrize("role", ["department_staff", "patrol_officer", "viewer"])
def test_others_keep_the_public_facts_of_the_evidence(client, people, history, role):
    body = client.get(f"{URL}/{history['finding'].id}", headers=people[role][1]).get_json()
    [given, *_] = [e["data"]["evidence"] for e in body["events"] if e["kind"] == "resolve"]
    assert set(given) == exif_privacy.PUBLIC_EVIDENCE_KEYS
    assert (given["phone_lat"], given["position_source"], given["within"]) == (
        PHONE[0], "both", True)


@pytest.mark.parametrize("role", COMMENTERS)
def test_comment_answers_by_role(client, people, history, role):
    response = client.post(f"{URL}/{history['finding'].id}/comments", headers=people[role][1],
                           json={"note": "확인"})
    assert response.status_code == 201
    assert exposed(response.get_json()) == expected(role)


def test_the_resolvers_and_checkers_own_answers(history):
    assert exposed(history["answers"]["resolve"]) == set()  # department staff
    assert exposed(history["answers"]["verify"]) == set()  # patrol officer


@pytest.mark.parametrize("role", ROLES)
def test_own_reports_by_role(client, people, history, role):
    response = client.get("/api/v1/me/reports", headers=people[role][1])
    assert response.status_code == 200
    assert exposed(response.get_json()) == set()


@pytest.mark.parametrize("role", ROLES)
def test_sync_pull_by_role(client, people, history, role):
    changes, cursor = [], None
    while True:
        page = client.get("/api/v1/sync/pull", headers=people[role][1],
                          query_string={"cursor": cursor} if cursor else {}).get_json()
        changes += page["changes"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert history["finding"].id in {c["id"] for c in changes if c["kind"] == "findings"}
    assert exposed(changes) == set()


def test_emails_and_webhooks_carry_no_exif(history, mail):
    smtp, hook = mail
    emails = [json.loads(email.message_from_bytes(
        message["data"], policy=email.policy.default).get_content()) for message in smtp.messages]
    hooks = [json.loads(body) for _, body in hook.received]
    assert {m["topic"] for m in emails} == {m["topic"] for m in hooks} == {
        "assigned", "reopened"}
    assert exposed(emails) == exposed(hooks) == set()


@pytest.fixture
def assigned(people, observe, clock):
    """A roads finding received at 10:00 Seoul time, reported by the field roles."""
    finding = take(observe("roads", user=people["patrol_officer"][0]))
    take(observe("roads", offset(SPOT, 3), user=people["citizen_auditor"][0]))
    clock.advance(hours=2)
    return finding


def refused(client, headers, finding, action: str, evidence: dict) -> dict:
    """The 422 body of an action refused for its evidence."""
    response = client.post(f"{URL}/{finding.id}/actions", headers=headers,
                           json={"action": action, "evidence": evidence})
    assert response.status_code == 422, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("role", ["manager", "admin", "department_staff"])
def test_resolve_refusals_by_role(client, people, assigned, role):
    headers = people[role][1]
    taken = datetime(2026, 11, 22, 22, 55, 33, tzinfo=UTC)  # before the receipt
    body = refused(client, headers, assigned, "resolve", after_photo("old", (SPOT, taken)))
    assert body["code"] == "evidence_taken_before"
    assert body["not_before"] == assigned.assigned_at.isoformat()
    assert ("captured_at" in body) == ("22:55:33" in body["message"]) == (role in SEES_EXIF)
    far = refused(client, headers, assigned, "resolve", after_photo(
        "far", (offset(SPOT, 200), assigned.assigned_at + timedelta(hours=1))))
    assert (far["code"], far["position_source"], far["radius_m"]) == (
        "evidence_too_far", "exif", 30)
    assert ("distance_m" in far) == (role in SEES_EXIF)


@pytest.mark.parametrize("role", ["patrol_officer", "citizen_auditor"])
def test_verify_refusals_by_role(client, people, assigned, clock, role):
    acted(client, people["department_staff"][1], assigned.id, action="resolve",
          evidence={"sha256": photo("fix"), "lat": SPOT[0], "lon": SPOT[1]})
    resolved_at = clock.now
    clock.advance(days=1)
    headers = people[role][1]
    taken = resolved_at - timedelta(hours=1, seconds=-33)
    body = refused(client, headers, assigned, "verify", after_photo("early", (SPOT, taken)))
    assert body["code"] == "evidence_taken_before" and "captured_at" not in body
    assert taken.strftime("%H:%M:%S") not in body["message"]
    far = refused(client, headers, assigned, "verify", after_photo(
        "far", (offset(SPOT, 200), clock.now)))
    assert far["code"] == "evidence_too_far" and "distance_m" not in far


def test_a_phone_position_too_far_is_still_quoted(client, people, assigned):
    evidence = {"sha256": photo("far phone"), "lat": offset(SPOT, 90)[0],
                "lon": offset(SPOT, 90)[1]}
    body = refused(client, people["department_staff"][1], assigned, "resolve", evidence)
    assert body["position_source"] == "phone" and 80 < body["distance_m"] < 95


def test_unknown_and_legacy_evidence_keys_are_private():
    data = {"evidence": {"sha256": "a" * 64, "lat": 1.0, "exif_camera": "X", "within": True},
            "note": "kept"}
    shown = exif_privacy.public_event_data(data, Role.DEPARTMENT_STAFF.value)
    assert shown == {"evidence": {"sha256": "a" * 64, "within": True}, "note": "kept"}
    assert data["evidence"]["lat"] == 1.0  # the stored data is never changed
    assert exif_privacy.public_event_data(data, Role.MANAGER.value) == data
    assert exif_privacy.public_event_data({"evidence": None}, None) == {"evidence": None}
    assert exif_privacy.public_event_data(None, None) == {}


@pytest.mark.parametrize("role", ROLES)
def test_the_same_roles_as_the_photo_record(role):
    assert exif_privacy.shows_exif(role) == policy.shows_exif(User(role=role)) == (
        role in SEES_EXIF)
