"""Private EXIF facts of inspection photos, by role, in every output that carries inspections."""
from datetime import datetime, timedelta
from io import BytesIO
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models.patrols import Inspection
from patrol_api.patrols import campaigns, presence
from patrol_api.patrols.inspection_schemas import InspectionSchema
from patrol_api.photos import exif_privacy
from sync import pulled_campaigns
from tests.findings.helpers import exif, photo
from tests.patrols.reporting import phone_of
from tests.sync.syncapi import iso, new_id, now

API = "/api/v1"
ROLES = ("manager", "admin", "patrol_officer", "citizen_auditor", "viewer", "department_staff")
SEES_EXIF = {"manager", "admin"}
PUSHERS = ("manager", "admin", "patrol_officer", "citizen_auditor", "department_staff")
INSPECTION_READERS = {"manager", "admin", "patrol_officer", "citizen_auditor", "viewer",
                      "department_staff"}  # the staff work at the owner of the sites
ACTIVITY_READERS = {"manager", "admin", "viewer"}
PRIVATE = exif_privacy.PRIVATE_KEYS["inspection"]
CAPTURED = datetime(2019, 3, 14, 15, 9, 26)  # the EXIF capture time: in no output at all
# About 1.2 km and 0.9 km from the site: far by the photo only (the phone stands at the site).
EXIF_OFFSET, PHONE_PHOTO_OFFSET = (0.0104321, 0.0003217), (0.0081234, 0.0002345)


@pytest.fixture
def people(make_user, client):
    """One user of each role as (user, web headers); the pushing roles have phones."""
    made = {}
    for name in ROLES:
        user, headers = make_user(Role(name))
        if name == "patrol_officer":
            user.team = "A"
        made[name] = SimpleNamespace(user=user, headers=headers)
    db.session.commit()
    for name in PUSHERS:
        made[name].phone = phone_of(client, made[name].user)
    return made


@pytest.fixture
def field(district, template, people):
    """Team A's campaign; every pushing role inspects s1 with an answer photo whose EXIF GPS
    is far off, and the officer inspects s2 sending a far photo_position; a site check."""
    site, other = district.site("s1"), district.site("s2", offset=.002)
    people["department_staff"].user.department_id = district.owner.id  # the sites' owner
    today = pulled_campaigns.today()
    campaign = campaigns.create({
        "code": "heat", "theme": "heat_wave", "title_ko": "무더위쉼터", "title_en": "Heat",
        "starts_on": today, "ends_on": today + timedelta(days=30), "template_id": template.id,
        "facility_type_ids": [district.types["shelter"].id], "teams": ["A"]})
    db.session.commit()
    point = (site.lat + EXIF_OFFSET[0], site.lon + EXIF_OFFSET[1])
    sha = exif(photo("answer photo"), point=point, captured=CAPTURED)
    results = {}
    for name in PUSHERS:
        results[name] = _submit(people[name].phone, template, campaign, site,
                                {"photos": [sha]})
    phone_photo = (other.lat + PHONE_PHOTO_OFFSET[0], other.lon + PHONE_PHOTO_OFFSET[1])
    _submit(people["patrol_officer"].phone, template, campaign, other, {"photos": [sha]},
            photo_position={"lat": phone_photo[0], "lon": phone_photo[1]})
    checked = people["patrol_officer"].phone.pushed([people["patrol_officer"].phone.mutation(
        "site_check.record", new_id(), {"site_code": "s2", "result": "ok",
                                        "checked_at": iso(now() - timedelta(minutes=5)),
                                        "position": {"lat": other.lat, "lon": other.lon}})])
    assert checked["results"][0]["status"] == "applied"
    rows = db.session.query(Inspection).all()
    assert len(rows) == len(PUSHERS) + 1 and all(r.far_from_site for r in rows)
    markers = {point[0], point[1], *phone_photo, *(r.photo_distance_m for r in rows)}
    return SimpleNamespace(campaign=campaign, results=results, markers=markers)


def _submit(phone, template, campaign, site, look: dict, **extra) -> dict:
    """Push one inspection from the site itself; its result (applied)."""
    answers = {"door": {"value": True}, "state": {"value": "good"}, "look": look}
    answer = phone.pushed([phone.mutation("inspection.submit", new_id(), {
        "template_id": template.id, "campaign_id": campaign.id, "site_code": site.code,
        "inspected_at": iso(now() - timedelta(minutes=10)), "answers": answers,
        "position": {"lat": site.lat, "lon": site.lon}, **extra})])
    [result] = answer["results"]
    assert result["status"] == "applied", result
    return result


def exposed(body, markers: set) -> set[str]:
    """The private inspection keys anywhere in a body; "values" when a photo coordinate or
    distance appears in it; "captured" when the EXIF capture time does."""
    if isinstance(body, float):
        return {"values"} if any(abs(body - m) < 1e-9 for m in markers) else set()
    if isinstance(body, str):
        found = {"values"} if any(repr(m) in body for m in markers) else set()
        return found | ({"captured"} if "2019-03-14" in body else set())
    found = set()
    if isinstance(body, dict):
        found |= PRIVATE & set(body)
        body = list(body.values())
    if isinstance(body, list | tuple):
        for value in body:
            found |= exposed(value, markers)
    return found


def expected(role: str) -> set[str]:
    """Managers and admins see the photo's position and distance; nobody its capture time."""
    return PRIVATE | {"values"} if role in SEES_EXIF else set()


def _get(client, people, role: str, url: str, **query):
    """GET as this role."""
    return client.get(f"{API}{url}", headers=people[role].headers, query_string=query)


@pytest.mark.parametrize("role", ROLES)
def test_inspection_list_by_role(client, people, field, role):
    response = _get(client, people, role, "/inspections")
    if role not in INSPECTION_READERS:
        assert response.status_code == 403
        return
    items = response.get_json()
    assert response.status_code == 200 and items
    assert exposed(items, field.markers) == expected(role)
    assert {(i["far_from_site"], i["far_reason"]) for i in items} == {(True, "photo")}
    assert all(i["distance_m"] == 0.0 and i["lat"] is not None for i in items)  # the phone's
    for item in items:
        assert (set(item) >= PRIVATE) == (role in SEES_EXIF)
        assert set(item) - PRIVATE == exif_privacy.PUBLIC_KEYS["inspection"]


def test_every_role_sees_the_inspections_it_may_read(client, people, field):
    count = {role: len(_get(client, people, role, "/inspections").get_json())
             for role in INSPECTION_READERS}
    total = len(PUSHERS) + 1
    assert count == {"manager": total, "admin": total, "viewer": total,
                     "patrol_officer": 2, "citizen_auditor": 1, "department_staff": total}


def test_the_far_filter_still_finds_photo_far_inspections(client, people, field):
    far = _get(client, people, "patrol_officer", "/inspections", far_from_site="true")
    assert len(far.get_json()) == 2 and exposed(far.get_json(), field.markers) == set()


@pytest.mark.parametrize("role", PUSHERS)
def test_push_result_by_role(field, role):
    result = field.results[role]
    assert (result["far_from_site"], result["far_reason"]) == (True, "photo")
    assert set(result) - {"id", "seq"} == exif_privacy.PUBLIC_KEYS["inspection_result"]
    assert exposed(result, field.markers) == set()


@pytest.mark.parametrize("role", ROLES)
def test_site_checks_and_coverage_by_role(client, people, field, role):
    checks = _get(client, people, role, "/site-checks")
    coverage = _get(client, people, role, "/sites/coverage")
    if role not in INSPECTION_READERS:
        assert checks.status_code == coverage.status_code == 403
        return
    assert exposed(checks.get_json(), field.markers) == set()
    assert exposed(coverage.get_json(), field.markers) == set()
    last = {row["site_code"]: row["last_inspection"] for row in coverage.get_json()}
    assert (last["s1"]["far_from_site"], last["s1"]["far_reason"]) == (True, "photo")


@pytest.mark.parametrize("role", ROLES)
def test_campaign_progress_and_pull_by_role(client, people, field, role):
    progress = _get(client, people, role, f"/campaigns/{field.campaign.id}/progress")
    assert progress.status_code == 200
    assert exposed(progress.get_json(), field.markers) == set()
    changes, cursor = [], None
    while True:
        page = _get(client, people, role, "/sync/pull",
                    **({"cursor": cursor} if cursor else {})).get_json()
        changes += page["changes"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    held = {c["id"] for c in changes if c["kind"] == "campaigns" and c["op"] == "upsert"}
    assert (field.campaign.id in held) == (role in {"manager", "admin", "viewer",
                                                    "patrol_officer"})
    assert exposed(changes, field.markers) == set()


@pytest.mark.parametrize("role", ROLES)
def test_activity_report_and_exports_by_role(client, people, field, role):
    body = _get(client, people, role, "/patrol-activity")
    csv = _get(client, people, role, "/patrol-activity.csv", table="per_campaign")
    xlsx = _get(client, people, role, "/patrol-activity.xlsx")
    if role not in ACTIVITY_READERS:
        assert body.status_code == csv.status_code == xlsx.status_code == 403
        return
    assert [r["inspected"] for r in body.get_json()["per_campaign"]] == [2]
    cells = [cell for sheet in load_workbook(BytesIO(xlsx.get_data())).worksheets
             for row in sheet.iter_rows(values_only=True) for cell in row]
    assert exposed(body.get_json(), field.markers) == set()
    assert exposed(csv.get_data().decode("utf-8-sig"), field.markers) == set()
    assert exposed([c for c in cells if c is not None], field.markers) == set()


def test_turning_the_redaction_off_shows_what_the_matrix_catches(client, people, field,
                                                                 monkeypatch):
    monkeypatch.setattr(exif_privacy, "shows_exif", lambda role: True)
    items = _get(client, people, "patrol_officer", "/inspections").get_json()
    assert exposed(items, field.markers) == PRIVATE | {"values"} != expected("patrol_officer")


def test_an_inspection_dumped_without_a_reader_shows_no_exif(field):
    row = db.session.query(Inspection).first()
    assert PRIVATE.isdisjoint(InspectionSchema().dump(row))
    assert set(InspectionSchema().dump(exif_privacy.Shown(row, "manager"))) >= PRIVATE


def test_every_output_key_is_listed_public_or_private():
    fields = set(InspectionSchema().fields)
    assert fields == exif_privacy.PUBLIC_KEYS["inspection"] | PRIVATE
    assert exif_privacy.PUBLIC_KEYS["inspection"].isdisjoint(PRIVATE)
    unknown = {"id": 1, "photo_captured_at": "x", "photo_lat": 1.0}
    assert exif_privacy.public("coverage_inspection", unknown, "viewer") == {"id": 1}
    assert exif_privacy.public("coverage_inspection", unknown, "admin") == unknown


@pytest.mark.parametrize(("phone", "photo", "reason"), [
    (10.0, 900.0, "photo"), (900.0, None, "phone"), (900.0, 900.0, "both"),
    (160.0, 170.0, "photo"), (None, None, None)])
def test_far_reason_names_whose_distance_without_it(ctx, phone, photo, reason):
    record = SimpleNamespace(far_from_site=reason is not None, distance_m=phone,
                             photo_distance_m=photo)
    ctx.config["PATROL_FAR_FROM_SITE_M"] = 200 if (phone, photo) == (160.0, 170.0) else None
    assert presence.far_reason(record) == reason
    ctx.config["PATROL_FAR_FROM_SITE_M"] = None
