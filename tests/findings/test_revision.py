"""Observations edited or deleted on the phone after intake: the finding follows, through
sync, exactly once; the phone learns the new fate from the observation record."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from patrol_api.auth import devices, tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Finding, FindingEvent, Observation
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, consistent, photo
from tests.sync.syncapi import Phone, iso, new_id, now


@pytest.fixture
def phone(client, make_user, world):
    """Make a field user's phone driving the sync API."""
    def factory(role=Role.PATROL_OFFICER) -> Phone:
        user = make_user(role)[0]
        device = devices.register(user, {"client_uid": f"phone-{new_id()}",
                                         "platform": "android"})
        raw = tokens.issue(user, device, timedelta(days=30))
        db.session.commit()
        made = Phone(client, {"Authorization": f"Bearer {raw}"})
        made.user = user
        return made
    return factory


def report(phone: Phone, category="roads", point=SPOT, site=None, ago_h=1.0) -> dict:
    """Push one observation; its record (taken in by the findings engine after commit)."""
    entity = new_id()
    data = {"category_code": category, "lat": point[0], "lon": point[1], "accuracy_m": 5.0,
            "note": "", "photos": [], "recorded_at": iso(now() - timedelta(hours=ago_h))}
    if site:
        data["site_code"] = site
    result = phone.one(phone.mutation("observation.create", entity, data))
    assert result["status"] == "applied", result
    return obs_record(entity)


def obs_record(client_id: str) -> dict:
    """The observation as stored now."""
    db.session.expire_all()
    obs = db.session.execute(sa.select(Observation).where(
        Observation.client_id == client_id)).scalar_one()
    return {"client_id": obs.client_id, "version": obs.version, "finding_id": obs.finding_id,
            "fate": obs.fate, "recorded_at": obs.recorded_at, "id": obs.id}


def finding(finding_id: int) -> Finding:
    db.session.expire_all()
    return db.session.get(Finding, finding_id)


def events(finding_id: int) -> list[FindingEvent]:
    return db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.finding_id == finding_id).order_by(FindingEvent.seq)).scalars().all()


def edit(phone: Phone, record: dict, **data) -> dict:
    """Push an update from the version the phone holds; the item result."""
    result = phone.one(phone.update(record["client_id"], record["version"], **data))
    assert result["status"] == "applied", result
    return result


@pytest.fixture
def pair(phone):
    """Two officers reported the same pothole 10 m apart: one finding of two observations."""
    first, second = phone(), phone()
    a = report(first, ago_h=2)
    b = report(second, point=offset(SPOT, 10), ago_h=1)
    assert a["finding_id"] == b["finding_id"] and b["fate"] == "merged"
    return first, second, a, b


def test_a_small_move_only_recomputes_the_position(pair):
    _, second, a, b = pair
    before = finding(a["finding_id"]).lon
    moved = offset(SPOT, 20)
    result = edit(second, b, lat=moved[0], lon=moved[1], accuracy_m=4.0)
    assert result["record"]["finding_id"] == a["finding_id"]
    after = finding(a["finding_id"])
    assert after.lon > before and after.observation_count == 2
    assert after.lat == pytest.approx((SPOT[0] + moved[0]) / 2)
    event = events(after.id)[-1]
    assert (event.kind, event.data["observation_id"], event.data["fields"]) == (
        "observation_changed", b["id"], ["position"])
    assert consistent(after)


def test_moving_out_of_reach_splits_it_off_and_takes_it_in_again(pair, world):
    _, second, a, b = pair
    far = offset(SPOT, 300)
    result = edit(second, b, lat=far[0], lon=far[1], accuracy_m=4.0)
    record = result["record"]
    assert record["finding_id"] not in (None, a["finding_id"]) and record["fate"] == "routed"
    old = finding(a["finding_id"])
    assert (old.observation_count, old.lat, old.lon, old.first_seen_at, old.last_seen_at) == (
        1, SPOT[0], SPOT[1], a["recorded_at"], a["recorded_at"])
    detached = events(old.id)[-1]
    assert (detached.kind, detached.reason, detached.actor_user_id,
            detached.data["observation_ids"]) == ("detached", "moved", None, [b["id"]])
    new = finding(record["finding_id"])
    assert (new.observation_count, new.department_id, new.state) == (
        1, world.department("roads").id, "assigned")
    assert consistent(old) and consistent(new)


def test_an_incompatible_category_splits_a_compatible_one_stays(pair, world):
    _, second, a, b = pair
    same_group = edit(second, b, category_code="street_order")
    assert same_group["record"]["finding_id"] == a["finding_id"]
    b["version"] = same_group["version"]
    other = edit(second, b, category_code="cleaning")["record"]
    assert other["finding_id"] != a["finding_id"]
    new = finding(other["finding_id"])
    assert (new.category.code, new.department_id) == ("cleaning",
                                                      world.department("cleaning").id)
    assert events(a["finding_id"])[-1].reason == "category_changed"


def test_another_registered_site_splits_it_off(phone):
    first, second = phone(), phone()
    a = report(first, site="drain-1", ago_h=2)
    b = report(second, point=offset(SPOT, 3), site="drain-1")
    assert a["finding_id"] == b["finding_id"]
    record = edit(second, b, site_code="drain-2")["record"]
    assert record["finding_id"] != a["finding_id"]
    assert finding(record["finding_id"]).site.code == "drain-2"
    assert events(a["finding_id"])[-1].reason == "site_changed"


def test_the_lone_observation_moving_away_withdraws_its_finding(phone):
    first = phone()
    a = report(first)
    far = offset(SPOT, 500)
    record = edit(first, a, lat=far[0], lon=far[1], accuracy_m=3.0)["record"]
    old = finding(a["finding_id"])
    assert record["finding_id"] != old.id
    assert (old.state, old.is_open, old.observation_count) == ("rejected", False, 0)
    assert [e.kind for e in events(old.id)][-2:] == ["detached", "withdrawn"]
    assert events(old.id)[-1].reason == "withdrawn" and consistent(old)


def test_deleting_detaches_and_the_last_delete_withdraws(pair):
    first, second, a, b = pair
    result = first.one(first.delete(a["client_id"], a["version"]))
    assert result["status"] == "applied"
    left = finding(a["finding_id"])
    assert (left.observation_count, left.first_seen_at, left.state) == (
        1, b["recorded_at"], "assigned")
    assert (events(left.id)[-1].kind, events(left.id)[-1].reason) == ("detached", "deleted")
    assert obs_record(a["client_id"])["finding_id"] is None
    second.one(second.delete(b["client_id"], b["version"]))
    gone = finding(a["finding_id"])
    assert (gone.state, gone.is_open, gone.observation_count) == ("rejected", False, 0)
    assert consistent(gone)


def test_a_resolved_finding_keeps_its_state_when_emptied(phone, make_user, world):
    first = phone()
    a = report(first)
    staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0]
    act(staff, finding(a["finding_id"]), "resolve",
        evidence={"sha256": photo(), "lat": SPOT[0], "lon": SPOT[1]})
    first.one(first.delete(a["client_id"], a["version"]))
    kept = finding(a["finding_id"])
    assert (kept.state, kept.observation_count, events(kept.id)[-1].kind) == (
        "resolved", 0, "detached")


def test_a_replayed_edit_reacts_once(pair):
    _, second, a, b = pair
    far = offset(SPOT, 300)
    mutation = second.update(b["client_id"], b["version"], lat=far[0], lon=far[1],
                             accuracy_m=4.0)
    first_answer = second.one(mutation)
    replay = second.one(mutation)
    assert replay["status"] == "already_applied"
    assert [e.kind for e in events(a["finding_id"])].count("detached") == 1
    findings_of_b = db.session.execute(sa.select(sa.func.count()).select_from(Finding)).scalar()
    assert findings_of_b == 2 and first_answer["record"]["finding_id"] != a["finding_id"]


def test_the_phone_pulls_the_new_fate(pair):
    _, second, a, b = pair
    second.pull_all()
    far = offset(SPOT, 300)
    new_id_ = edit(second, b, lat=far[0], lon=far[1], accuracy_m=4.0)["record"]["finding_id"]
    pulled = [c for c in second.pull_all() if c["kind"] == "observations"]
    assert pulled[-1]["record"]["finding_id"] == new_id_
    assert pulled[-1]["record"]["fate"] == "routed"


def test_a_note_edit_leaves_the_finding_alone(pair):
    _, second, a, b = pair
    count = len(events(a["finding_id"]))
    assert edit(second, b, note="사진 추가 설명")["record"]["finding_id"] == a["finding_id"]
    assert len(events(a["finding_id"])) == count


def test_moving_an_observation_of_a_verified_finding_starts_a_new_one(phone, make_user,
                                                                      world):
    first = phone()
    a = report(first)
    staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0]
    done = act(staff, finding(a["finding_id"]), "resolve",
               evidence={"sha256": photo(), "lat": SPOT[0], "lon": SPOT[1]})
    act(first.user, done, "verify", position={"lat": SPOT[0], "lon": SPOT[1]})
    far = offset(SPOT, 400)
    record = edit(first, a, lat=far[0], lon=far[1], accuracy_m=3.0)["record"]
    closed = finding(a["finding_id"])
    assert (closed.state, closed.observation_count) == ("verified", 0)
    assert record["finding_id"] != closed.id and record["fate"] == "routed"
    assert consistent(closed)
