"""Push: exactly-once application, per-item results, limits and who may push."""
from datetime import timedelta

import sqlalchemy as sa
from syncapi import OUTSIDE, Phone, new_id, observation

from patrol_api.auth import tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import AppliedMutation, Observation


def _count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Observation)).scalar()


def _observation(client_id: str) -> Observation:
    db.session.expire_all()
    return db.session.execute(sa.select(Observation).where(
        Observation.client_id == client_id)).scalar_one()


def test_create_applies_with_author_device_area_and_korean_note(phone):
    create = phone.create()
    result = phone.one(create)
    assert result["status"] == "applied"
    assert (result["id"], result["seq"], result["entity_id"]) == (
        create["id"], 1, create["entity_id"])
    record = result["record"]
    assert record["version"] == result["version"] == 1
    assert record["note"] == "보도블록 파손, 보행자 걸려 넘어질 위험"
    assert (record["category_code"], record["area_code"], record["site_code"]) == (
        "road-damage", "yeoui", None)
    assert (record["fate"], record["complete"]) == ("received", True)
    obs = _observation(create["entity_id"])
    assert (obs.user_id, obs.device_id) == (phone.user.id, phone.device.id)


def test_create_at_a_site_takes_the_sites_area_and_outside_any_area_has_none(phone):
    at_site = phone.one(phone.create(site_code="drain-1", **OUTSIDE))["record"]
    assert (at_site["site_code"], at_site["area_code"]) == ("drain-1", "yeoui")
    outside = phone.one(phone.create(**OUTSIDE))["record"]
    assert outside["area_code"] is None


def test_update_and_delete_bump_the_version_and_the_change_seq(phone):
    create = phone.create()
    created = phone.one(create)["record"]
    taken_in = _observation(create["entity_id"]).version  # the findings intake set its fate
    updated = phone.one(phone.update(create["entity_id"], 1, note="파손 범위 확대"))
    assert updated["status"] == "applied"
    assert (updated["version"], updated["record"]["note"]) == (taken_in + 1, "파손 범위 확대")
    assert updated["record"]["change_seq"] > created["change_seq"]
    deleted = phone.one(phone.delete(create["entity_id"], updated["version"]))
    # leaving its finding may bump the version once more: the device is told the last one
    assert deleted["status"] == "applied" and deleted["version"] > updated["version"]
    assert deleted["record"]["deleted"] is True
    gone = _observation(create["entity_id"])
    assert gone.deleted_at is not None and gone.version == deleted["version"]


def test_replaying_a_request_changes_nothing(phone):
    batch = [phone.create(), phone.create()]
    batch.append(phone.update(batch[0]["entity_id"], note="수정"))
    first = phone.pushed(batch)
    assert [r["status"] for r in first["results"]] == ["applied"] * 3
    before = _observation(batch[0]["entity_id"])
    seq_before, version_before = before.change_seq, before.version
    again = phone.pushed(batch)
    assert [r["status"] for r in again["results"]] == ["already_applied"] * 3
    for original, replay in zip(first["results"], again["results"], strict=True):
        assert replay["original"]["status"] == "applied"
        assert replay["original"]["version"] == original["version"]
        assert replay["entity_id"] == original["entity_id"]
    assert _count() == 2
    obs = _observation(batch[0]["entity_id"])
    assert (obs.version, obs.note, obs.change_seq) == (version_before, "수정", seq_before)
    assert obs.field_versions["note"][0] == 2  # the update applied once, at version 2
    assert db.session.execute(sa.select(sa.func.count()).select_from(
        AppliedMutation)).scalar() == 3


def test_a_duplicate_within_one_batch_is_applied_once(phone):
    create = phone.create()
    update = phone.update(create["entity_id"], note="한 번만")
    results = phone.pushed([create, update, update, create])["results"]
    assert [r["status"] for r in results] == [
        "applied", "applied", "already_applied", "already_applied"]
    assert _count() == 1
    assert _observation(create["entity_id"]).field_versions["note"][0] == 2  # updated once


def test_a_batch_is_applied_in_seq_order_and_answered_in_request_order(phone):
    create = phone.create()
    first_edit = phone.update(create["entity_id"], note="첫 번째")
    second_edit = phone.update(create["entity_id"], note="두 번째")
    results = phone.pushed([second_edit, create, first_edit])["results"]
    assert [r["seq"] for r in results] == [3, 1, 2]
    assert [r["status"] for r in results] == ["applied"] * 3
    assert _observation(create["entity_id"]).note == "두 번째"


def test_a_late_older_batch_is_replayed_not_reapplied(phone):
    create = phone.create()
    old = [create, phone.update(create["entity_id"], note="예전")]
    new = [phone.update(create["entity_id"], note="최신")]
    phone.pushed(old + new)  # the retry that included everything arrived first
    results = phone.pushed(old)["results"]  # the original request, delivered late
    assert [r["status"] for r in results] == ["already_applied"] * 2
    assert _observation(create["entity_id"]).note == "최신"


def test_bad_items_in_the_middle_do_not_block_the_others(phone):
    good = phone.create()
    unknown_category = phone.create(category_code="no-such")
    bad_lat = phone.create(lat=123.0)
    not_an_object = 42
    no_id = {**phone.create(), "id": "not-a-uuid"}
    unknown_type = phone.mutation("checklist.answer", new_id(), {})
    last = phone.create()
    results = phone.pushed([good, unknown_category, bad_lat, not_an_object, no_id,
                            unknown_type, last])["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "rejected",
                                              "rejected", "rejected", "applied"]
    errors = [r.get("error") or {} for r in results]
    assert (errors[1]["code"], errors[1]["field"]) == ("unknown_reference", "data.category_code")
    assert (errors[2]["code"], errors[2]["field"]) == ("validation_error", "data.lat")
    assert errors[4]["field"] == "id" and results[4]["id"] is None
    assert (errors[5]["code"], errors[5]["field"]) == ("unknown_type", "type")
    assert _count() == 2


def test_a_rejection_is_recorded_and_replayed_and_advances_the_mark(phone):
    bad = phone.create(category_code="no-such")
    good = phone.create()
    answer = phone.pushed([bad, good])
    assert answer["acked_through"] == 2
    replay = phone.pushed([bad])["results"][0]
    assert replay["status"] == "already_applied"
    assert replay["original"]["status"] == "rejected"
    assert replay["original"]["error"]["field"] == "data.category_code"


def test_acked_through_stops_at_a_gap_and_closes_when_it_is_filled(phone):
    first, second, third = phone.create(), phone.create(), phone.create()
    answer = phone.pushed([first, third])
    assert (answer["acked_through"], answer["max_seq_seen"]) == (1, 3)
    answer = phone.pushed([second])
    assert (answer["acked_through"], answer["max_seq_seen"]) == (3, 3)
    assert phone.pushed([])["acked_through"] == 3


def test_an_update_that_overtakes_its_create_is_deferred_then_applied(phone):
    create = phone.create()
    update = phone.update(create["entity_id"], note="나중에 도착한 생성")
    deferred = phone.one(update)
    assert deferred["status"] == "deferred"
    assert deferred["error"]["code"] == "waiting_for_earlier"
    results = phone.pushed([create, update])["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert _observation(create["entity_id"]).note == "나중에 도착한 생성"


def test_unknown_entity_and_someone_elses_observation_are_rejected(phone, make_user, phone_of):
    assert phone.one(phone.update(new_id(), note="x"))["error"]["code"] == "unknown_entity"
    create = phone.create()
    phone.one(create)
    other = phone_of(make_user(Role.PATROL_OFFICER)[0])
    for mutation in (other.update(create["entity_id"], note="남의 것"),
                     other.delete(create["entity_id"])):
        result = other.one(mutation)
        assert (result["status"], result["error"]["code"]) == ("rejected", "forbidden")
    obs = _observation(create["entity_id"])
    assert (obs.note, obs.deleted_at) == (observation()["note"], None)


def test_recreate_with_a_new_mutation_id_never_makes_a_second_observation(
        phone, make_user, phone_of):
    create = phone.create()
    phone.one(create)
    taken_in = _observation(create["entity_id"]).version  # the findings intake set its fate
    same = phone.one({**phone.create(), "entity_id": create["entity_id"],
                      "data": create["data"]})
    assert same["status"] == "unchanged" and same["version"] == taken_in
    changed = phone.one({**phone.create(), "entity_id": create["entity_id"],
                         "data": {**create["data"], "note": "다시 보냄"}})
    assert (changed["status"], changed["version"]) == ("applied", taken_in + 1)
    other = phone_of(make_user(Role.CITIZEN_AUDITOR)[0])
    taken = other.one({**other.create(), "entity_id": create["entity_id"]})
    assert taken["error"]["code"] == "duplicate_entity"
    assert _count() == 1
    assert _observation(create["entity_id"]).note == "다시 보냄"


def test_update_validation(phone):
    create = phone.create()
    phone.one(create)
    entity = create["entity_id"]
    cases = [({"lat": 37.5}, "data.lon"), ({"recorded_at": "2026-01-01T00:00:00+09:00"},
             "data.recorded_at"), ({}, "data"), ({"colour": "red"}, "data.colour"),
             ({"photos": [{"sha256": "a" * 64}, {"sha256": "A" * 64}]}, "data.photos")]
    for data, field in cases:
        result = phone.one(phone.update(entity, **data))
        assert (result["status"], result["error"]["field"]) == ("rejected", field), data
    result = phone.one(phone.update(entity, 7, note="미래 버전"))
    assert result["error"]["code"] == "invalid_base_version"


def test_a_web_token_may_not_push(client, world, make_user):
    _, headers = make_user(Role.PATROL_OFFICER)
    phone = Phone(client, headers)
    response = phone.push([phone.create()])
    assert (response.status_code, response.get_json()["code"]) == (403, "device_required")
    assert _count() == 0


def test_a_viewer_may_not_push(world, make_user, phone_of):
    viewer = phone_of(make_user(Role.VIEWER)[0])
    response = viewer.push([viewer.create()])
    assert (response.status_code, response.get_json()["code"]) == (403, "forbidden")


def test_a_device_revoked_mid_sync_is_refused_on_the_next_request(phone):
    assert phone.one(phone.create())["status"] == "applied"
    tokens.revoke_device(phone.device)
    db.session.commit()
    response = phone.push([phone.create()])
    assert (response.status_code, response.get_json()["code"]) == (401, "invalid_token")
    assert phone.pull().status_code == 401
    assert _count() == 1


def test_login_with_a_device_gives_a_token_that_pushes(client, world, make_user):
    user, _ = make_user(Role.CITIZEN_AUDITOR, username="watcher-1")
    response = client.post("/api/v1/auth/login", json={
        "username": "watcher-1", "password": "correct horse battery",
        "device": {"client_uid": "android-7f3a9c21", "name": "갤럭시", "platform": "android"}})
    assert response.status_code == 201, response.get_json()
    phone = Phone(client, {"Authorization": f"Bearer {response.get_json()['token']}"})
    assert phone.one(phone.create())["status"] == "applied"


def test_batch_and_body_limits(phone, app_factory):
    too_many = [phone.create() for _ in range(501)]
    response = phone.push(too_many)
    body = response.get_json()
    assert (response.status_code, body["code"], body["field"]) == (
        422, "batch_too_large", "mutations")
    assert _count() == 0
    db.session.rollback()  # a request's session ends with it; the other app needs the lock
    small = app_factory(MAX_CONTENT_LENGTH=2000)
    response = Phone(small.test_client(), phone.headers).push(
        [phone.create(note="가" * 1000)])
    assert response.status_code == 413


def test_the_request_itself_must_be_well_formed(phone):
    naive = phone.push([phone.create()], device_time="2026-05-01T09:00:00")
    assert (naive.status_code, naive.get_json()["field"]) == (422, "device_time")
    missing = phone.client.post("/api/v1/sync/push", json={"device_time": "x"},
                                headers=phone.headers)
    assert missing.status_code == 422
    assert _count() == 0


def test_ledger_rows_commit_with_the_writes(phone):
    create = phone.create()
    phone.one(create)
    row = db.session.execute(sa.select(AppliedMutation)).scalar_one()
    assert (row.device_id, row.mutation_id, row.device_seq, row.type, row.entity_id,
            row.status) == (phone.device.id, create["id"], 1, "observation.create",
                            create["entity_id"], "applied")
    assert "record" not in row.result and row.result["version"] == 1


def test_clock_offset_is_answered(phone):
    skewed = phone.device_now() - timedelta(minutes=3)
    answer = phone.pushed([], device_time=skewed.isoformat())
    assert 175_000 < answer["clock_offset_ms"] < 190_000
