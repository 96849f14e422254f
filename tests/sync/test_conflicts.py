"""Concurrent edits: merges of different fields, same-field conflicts kept on both sides."""
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Observation, SyncConflict


def _observation(client_id: str) -> Observation:
    db.session.expire_all()
    return db.session.execute(sa.select(Observation).where(
        Observation.client_id == client_id)).scalar_one()


def _conflicts() -> list[SyncConflict]:
    return list(db.session.execute(sa.select(SyncConflict).order_by(SyncConflict.id)).scalars())


def _shared(phone, phone_of):
    """An observation created on `phone`; a second phone of the same officer."""
    create = phone.create()
    phone.one(create)
    return create["entity_id"], phone_of(phone.user)


def test_same_field_edits_from_two_devices_keep_both_values(phone, phone_of):
    entity, tablet = _shared(phone, phone_of)
    taken_in = _observation(entity).version  # the findings intake changed its fate
    first = tablet.one(tablet.update(entity, 1, note="태블릿에서 수정"))
    assert (first["status"], first["version"]) == ("applied", taken_in + 1)
    second = phone.one(phone.update(entity, 1, note="휴대폰에서 수정",
                                    category_code="illegal-dumping"))
    assert second["status"] == "conflict"
    assert second["applied_fields"] == ["category_code"]
    [conflict] = second["conflicts"]
    assert conflict == {"field": "note", "server_value": "태블릿에서 수정",
                        "device_value": "휴대폰에서 수정", "rule": "first_write_wins",
                        "conflict_id": conflict["conflict_id"]}
    obs = _observation(entity)
    # the new category may move it to another finding (more version bumps): the device
    # is told the version it ends at
    assert (obs.note, obs.category.code, obs.version) == ("태블릿에서 수정", "illegal-dumping",
                                                        second["version"])
    assert second["version"] > first["version"]
    [row] = _conflicts()
    assert (row.entity_type, row.entity_id, row.field, row.server_value, row.device_value) == (
        "observation", entity, "note", "태블릿에서 수정", "휴대폰에서 수정")
    assert (row.base_version, row.server_version, row.device_id, row.user_id, row.rule) == (
        1, taken_in + 2, phone.device.id, phone.user.id, "first_write_wins")
    replay = phone.pushed([phone.update(entity, 1, note="x")])  # a new edit, still stale
    assert replay["results"][0]["status"] == "conflict"


def test_edits_of_different_fields_merge(phone, phone_of):
    entity, tablet = _shared(phone, phone_of)
    tablet.one(tablet.update(entity, 1, note="메모는 태블릿"))
    result = phone.one(phone.update(entity, 1, lat=37.53, lon=126.93, accuracy_m=4.0))
    assert result["status"] == "applied"
    obs = _observation(entity)
    assert (obs.note, obs.lat, obs.lon, obs.accuracy_m) == ("메모는 태블릿", 37.53, 126.93, 4.0)
    assert _conflicts() == []


def test_an_edit_from_the_current_version_does_not_conflict(phone, phone_of):
    entity, tablet = _shared(phone, phone_of)
    current = tablet.one(tablet.update(entity, 1, note="태블릿"))["version"]
    assert phone.one(phone.update(entity, current, note="휴대폰"))["status"] == "applied"
    assert _observation(entity).note == "휴대폰"


def test_a_device_never_conflicts_with_its_own_earlier_edits(phone):
    create = phone.create()
    edits = [phone.update(create["entity_id"], None, note=f"수정 {n}") for n in range(3)]
    results = phone.pushed([create, *edits])["results"]
    assert [r["status"] for r in results] == ["applied"] * 4
    assert _observation(create["entity_id"]).note == "수정 2"


def test_setting_the_value_the_server_already_has_is_no_conflict(phone, phone_of):
    entity, tablet = _shared(phone, phone_of)
    current = tablet.one(tablet.update(entity, 1, note="같은 값"))["version"]
    result = phone.one(phone.update(entity, 1, note="같은 값"))
    assert (result["status"], result["version"]) == ("unchanged", current)


def test_an_edit_of_a_deleted_observation_loses_to_the_delete_and_is_kept(phone, phone_of):
    entity, tablet = _shared(phone, phone_of)
    tablet.one(tablet.delete(entity, 1))
    result = phone.one(phone.update(entity, 1, note="삭제 뒤 수정"))
    assert result["status"] == "conflict"
    assert result["conflicts"][0]["rule"] == "delete_wins"
    assert _observation(entity).deleted_at is not None
    assert [c.device_value for c in _conflicts()] == ["삭제 뒤 수정"]


def test_managers_list_conflicts_page_by_page(client, phone, phone_of, make_user):
    entity, tablet = _shared(phone, phone_of)
    tablet.one(tablet.update(entity, 1, note="a", category_code="illegal-dumping"))
    phone.one(phone.update(entity, 1, note="b", category_code="road-damage"))
    _, manager = make_user(Role.MANAGER)
    response = client.get("/api/v1/sync/conflicts", headers=manager,
                          query_string={"page_size": 1, "resolved": "false"})
    assert response.status_code == 200
    assert len(response.get_json()) == 1
    assert '"total": 2' in response.headers["X-Pagination"]
    both = client.get("/api/v1/sync/conflicts", headers=manager,
                      query_string={"entity_id": entity}).get_json()
    assert {(c["field"], c["device_value"]) for c in both} == {
        ("note", "b"), ("category_code", "road-damage")}
    assert client.get("/api/v1/sync/conflicts", headers=phone.headers).status_code == 403
