"""The HTTP API of schedules, occurrences and the warranty programme."""
from datetime import UTC, date, datetime, timedelta

import pytest

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.patrols import schedules, warranty

API = "/api/v1"


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER)[1]


def _body(**extra) -> dict:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    return {"code": "dong-police", "title_ko": "동장·지구대장 합동순찰",
            "title_en": "Dong chief and police", "target": "patrol",
            "patrol_kind": "dong_police", "rrule": "FREQ=MONTHLY;BYDAY=1WE",
            "dtstart": start.isoformat(), **extra}


def test_schedule_is_created_with_occurrences_and_missed_ones_are_listed(client, manager):
    made = client.post(f"{API}/patrol-schedules", json=_body(rrule="FREQ=DAILY",
                                                              grace_hours=1), headers=manager)
    assert made.status_code == 201, made.get_json()
    listed = client.get(f"{API}/patrol-schedules/occurrences", headers=manager).get_json()
    assert len(listed) >= 30
    schedules.settle(datetime.now(UTC))
    db.session.commit()
    missed = client.get(f"{API}/patrol-schedules/occurrences?status=missed",
                        headers=manager).get_json()
    assert len(missed) >= 2 and {o["schedule_code"] for o in missed} == {"dong-police"}
    since = (date.today() + timedelta(days=5)).isoformat()
    later = client.get(f"{API}/patrol-schedules/occurrences?since={since}",
                       headers=manager).get_json()
    assert later and all(o["status"] == "planned" for o in later)


@pytest.mark.parametrize(("change", "field"), [
    ({"rrule": "FREQ=NEVER"}, "rrule"), ({"rrule": "FREQ=MINUTELY"}, "rrule"),
    ({"patrol_kind": None}, "patrol_kind"), ({"target": "inspection"}, "site_id")])
def test_bad_schedules_are_422(client, manager, change, field):
    response = client.post(f"{API}/patrol-schedules", json=_body(**change), headers=manager)
    assert (response.status_code, response.get_json()["field"]) == (422, field)


def test_patch_regenerates_future_occurrences(client, manager):
    made = client.post(f"{API}/patrol-schedules", json=_body(), headers=manager).get_json()
    changed = client.patch(f"{API}/patrol-schedules/{made['id']}",
                           json={"rrule": "FREQ=WEEKLY;BYDAY=FR"}, headers=manager)
    assert changed.status_code == 200
    due = client.get(f"{API}/patrol-schedules/occurrences?status=planned",
                     headers=manager).get_json()
    future = [o for o in due if o["due_at"] > datetime.now(UTC).isoformat()]
    assert future and all(datetime.fromisoformat(o["due_at"]).weekday() == 4 for o in future)


def test_warranty_plan_and_notices(client, manager, district):
    site = district.site("w1", warranty_end=date.today() + timedelta(days=60))
    plain = district.site("w2")
    db.session.commit()
    body = {"site_id": site.id, "start_on": date.today().isoformat()}
    made = client.post(f"{API}/warranty/plans", json=body, headers=manager)
    assert made.status_code == 201 and made.get_json()["target"] == "inspection"
    again = client.post(f"{API}/warranty/plans", json=body, headers=manager)
    assert again.status_code == 409
    none = client.post(f"{API}/warranty/plans", json={**body, "site_id": plain.id},
                       headers=manager)
    assert (none.status_code, none.get_json()["field"]) == (422, "site_id")
    assert warranty.warn_job() == 1
    notices = client.get(f"{API}/warranty/notices", headers=manager).get_json()
    assert [n["site_id"] for n in notices] == [site.id]
