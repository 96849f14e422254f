"""Protocol edges, each decided once (docs/sync.md): JSON types are not coerced, a seq numbers
one mutation, a change of nothing is `unchanged`, null data is no data, and `already_applied`
always carries the first answer and the entity as it is now."""
import contextlib
import uuid
from datetime import timedelta
from unittest import mock

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from syncapi import INSIDE, iso, new_id, now

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import AppliedMutation, Observation

GENERATED = settings(max_examples=25, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])
NUMBER_AS_WRONG_TYPE = st.one_of(
    st.floats(-90, 90).map(repr), st.integers(-90, 90).map(str), st.booleans(),
    st.lists(st.floats(-90, 90), max_size=2),
    # keys a database can store: NUL and lone surrogates are the bad-text class (test_bad_items)
    st.dictionaries(st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]),
                            max_size=3), st.integers(), max_size=1))


def _count(user_id: int) -> int:
    return db.session.execute(sa.select(sa.func.count()).where(
        Observation.user_id == user_id)).scalar()


def _error(result: dict) -> tuple:
    return result["status"], result["error"]["code"], result["error"]["field"]


def _run_start(phone, run_id: str) -> dict:
    return phone.mutation("patrol_run.start", run_id, {
        "kind": "routine", "started_at": iso(now() - timedelta(minutes=30)), "team": "여의동 1조"})


# -- wrong JSON types are refused, never coerced ------------------------------------------

@GENERATED
@given(wrong=NUMBER_AS_WRONG_TYPE, field=st.sampled_from(["lat", "lon", "accuracy_m"]))
def test_a_number_sent_as_anything_else_is_rejected(world, make_user, phone_of, wrong, field):
    phone = phone_of(make_user(Role.PATROL_OFFICER)[0])
    create = phone.create(**{field: wrong})
    update = phone.update(new_id(), **{**INSIDE, field: wrong})
    results = phone.pushed([create, update])["results"]
    assert _error(results[0]) == ("rejected", "validation_error", f"data.{field}")
    assert _error(results[1]) == ("rejected", "validation_error", f"data.{field}")
    assert _count(phone.user.id) == 0


@GENERATED
@given(wrong=NUMBER_AS_WRONG_TYPE)
def test_patrol_numbers_are_json_numbers_too(world, make_user, phone_of, wrong):
    phone = phone_of(make_user(Role.PATROL_OFFICER)[0])
    run_id = new_id()
    start = phone.one(_run_start(phone, run_id))
    assert start["status"] == "applied", start
    moment = int(now().timestamp())
    cases = [
        (phone.mutation("track.append", run_id, {"points": [[wrong, 126.92, moment]]}),
         "data.points.0.0"),
        (phone.mutation("track.append", run_id, {"points": [[37.52, 126.92, str(moment)]]}),
         "data.points.0.2"),
        (phone.mutation("site_check.record", new_id(), {
            "site_code": "drain-1", "result": "ok", "checked_at": iso(now()),
            "position": {"lat": wrong, "lon": 126.92}}), "data.position.lat"),
        (phone.mutation("patrol_run.update", run_id, {"resident_count": str(3)}),
         "data.resident_count"),
    ]
    results = phone.pushed([mutation for mutation, _ in cases])["results"]
    for (_, field), result in zip(cases, results, strict=True):
        assert _error(result) == ("rejected", "validation_error", field), result


# -- a seq numbers one mutation ----------------------------------------------------------

@pytest.mark.parametrize("same_request", [True, False])
@pytest.mark.parametrize("fast_path", [True, False])
def test_a_seq_used_by_another_mutation_is_rejected(phone, same_request, fast_path):
    first, other = phone.create(), phone.create()
    other["seq"] = first["seq"]  # a counter that went back (e.g. restarted at sign-in)
    per_item = mock.patch("sync.push.fastpath.prepare", return_value=None)
    with contextlib.nullcontext() if fast_path else per_item:
        if same_request:
            results = phone.pushed([first, other])["results"]
        else:
            results = [phone.one(first), phone.one(other)]
        assert results[0]["status"] == "applied"
        assert _error(results[1]) == ("rejected", "seq_reused", "seq")
        again = phone.pushed([first, other])["results"]
    assert again[0]["status"] == "already_applied"
    assert _error(again[1]) == ("rejected", "seq_reused", "seq")  # the same answer again
    assert _count(phone.user.id) == 1
    rows = db.session.execute(sa.select(AppliedMutation.mutation_id)).scalars().all()
    assert rows == [first["id"]]


def test_a_reused_seq_below_the_mark_is_rejected_too(phone):
    created = [phone.create() for _ in range(3)]
    assert phone.pushed(created)["acked_through"] == 3
    phone.seq = 0  # the app restarted its counter
    again = phone.create()
    assert _error(phone.one(again)) == ("rejected", "seq_reused", "seq")
    assert _count(phone.user.id) == 3


# -- a change of nothing is unchanged: no new version --------------------------------------

def test_changing_nothing_answers_unchanged_without_a_new_version(phone):
    create = phone.create()
    phone.one(create)
    entity = create["entity_id"]
    current = phone.one(phone.update(entity, note="새 메모"))
    assert current["status"] == "applied"
    same = phone.one(phone.update(entity, current["version"], note="새 메모"))
    assert (same["status"], same["version"]) == ("unchanged", current["version"])
    assert same["record"]["note"] == "새 메모"
    recreated = phone.one({**phone.create(), "entity_id": entity,
                           "data": {**create["data"], "note": "새 메모"}})
    assert (recreated["status"], recreated["version"]) == ("unchanged", current["version"])
    deleted = phone.one(phone.delete(entity, current["version"]))
    assert deleted["status"] == "applied" and deleted["version"] > current["version"]
    twice = phone.one(phone.delete(entity, deleted["version"]))
    assert (twice["status"], twice["version"]) == ("unchanged", deleted["version"])
    assert twice["record"]["deleted"] is True


def test_a_run_changed_to_what_it_is_answers_unchanged(phone):
    run_id = new_id()
    started = phone.one(_run_start(phone, run_id))
    again = phone.one(_run_start(phone, run_id))  # the start sent again under a new id
    assert (again["status"], again["version"]) == ("unchanged", started["version"])
    team = phone.one(phone.mutation("patrol_run.update", run_id, {"team": "여의동 1조"}))
    assert (team["status"], team["version"]) == ("unchanged", started["version"])
    changed = phone.one(phone.mutation("patrol_run.update", run_id, {"team": "여의동 2조"}))
    assert (changed["status"], changed["version"]) == ("applied", started["version"] + 1)


def test_a_site_check_recorded_again_answers_unchanged_with_its_result(phone):
    check_id = new_id()
    data = {"site_code": "drain-1", "result": "ok", "checked_at": iso(now()),
            "position": {"lat": 37.52, "lon": 126.92}}
    first = phone.one(phone.mutation("site_check.record", check_id, data))
    again = phone.one(phone.mutation("site_check.record", check_id, data))
    assert first["status"] == "applied" and again["status"] == "unchanged"
    assert {k: v for k, v in again.items() if k not in ("id", "seq", "status")} == {
        k: v for k, v in first.items() if k not in ("id", "seq", "status")}


# -- data: null is no data; a delete takes no fields ---------------------------------------

@pytest.mark.parametrize("data", ["absent", None, {}])
def test_a_delete_without_data_applies(phone, data):
    create = phone.create()
    phone.one(create)
    delete = phone.delete(create["entity_id"])
    if data != "absent":
        delete["data"] = data
    assert phone.one(delete)["status"] == "applied"


def test_a_delete_with_data_fields_is_rejected_like_any_unknown_field(phone):
    create = phone.create()
    phone.one(create)
    delete = {**phone.delete(create["entity_id"]), "data": {"note": "지움"}}
    assert _error(phone.one(delete)) == ("rejected", "validation_error", "data.note")
    assert phone.one(phone.delete(create["entity_id"]))["status"] == "applied"


def test_null_data_on_a_create_or_update_is_missing_data(phone):
    create = {**phone.create(), "data": None}
    update = {**phone.update(create["entity_id"], note="x"), "data": None}
    results = phone.pushed([create, update])["results"]
    assert _error(results[0])[:2] == ("rejected", "validation_error")
    assert results[0]["error"]["field"].startswith("data.")
    assert _error(results[1]) == ("rejected", "validation_error", "data")


# -- already_applied: the first answer, and the entity now ---------------------------------

def _first_answer(result: dict) -> dict:
    return {key: value for key, value in result.items() if key not in ("id", "seq", "record")}


@pytest.mark.parametrize("kind", ["applied", "unchanged", "conflict", "rejected"])
def test_a_replay_carries_the_first_answer_and_the_current_record(phone, phone_of, kind):
    create = phone.create()
    phone.one(create)
    entity = create["entity_id"]
    if kind == "applied":
        mutation = phone.update(entity, note="고침")
    elif kind == "unchanged":
        mutation = phone.update(entity, note=create["data"]["note"])
    elif kind == "conflict":
        tablet = phone_of(phone.user)
        tablet.one(tablet.update(entity, 1, note="태블릿"))
        mutation = phone.update(entity, 1, note="휴대폰")
    else:
        mutation = phone.update(entity, category_code="no-such")
    first = phone.one(mutation)
    assert first["status"] == kind
    later = phone.one(phone.update(entity, note="나중 수정"))  # the entity moves on
    replay = phone.one(mutation)
    assert replay["status"] == "already_applied"
    assert replay["original"] == _first_answer(first)
    assert "record" not in replay["original"]
    if kind == "rejected":  # a refusal carried no record, its replay neither
        assert "record" not in replay and "version" not in replay
    else:
        assert (replay["version"], replay["record"]) == (later["version"], later["record"])


def test_a_replay_of_a_refusal_never_shows_another_users_record(phone, make_user, phone_of):
    create = phone.create()
    phone.one(create)
    other = phone_of(make_user(Role.PATROL_OFFICER)[0])
    mutation = other.update(create["entity_id"], note="남의 것")
    first = other.one(mutation)
    replay = other.one(mutation)
    assert replay["original"] == _first_answer(first)
    assert replay["original"]["error"]["code"] == "forbidden"
    assert "record" not in replay and "version" not in replay


def test_a_ledger_row_of_an_old_server_answering_already_applied_replays_as_unchanged(phone):
    create = phone.create()
    phone.one(create)
    recreate = {**phone.create(), "entity_id": create["entity_id"], "data": create["data"]}
    assert phone.one(recreate)["status"] == "unchanged"
    row = db.session.execute(sa.select(AppliedMutation).where(
        AppliedMutation.mutation_id == recreate["id"])).scalar_one()
    row.result = {**row.result, "status": "already_applied"}  # written before 2026-12
    db.session.commit()
    replay = phone.one(recreate)
    assert replay["original"]["status"] == "unchanged"
    assert replay["record"]["client_id"] == create["entity_id"]


def test_uuid_case_does_not_make_a_new_mutation(phone):
    create = phone.create()
    phone.one(create)
    shouting = {**create, "id": create["id"].upper()}
    assert phone.one(shouting)["status"] == "already_applied"
    assert uuid.UUID(shouting["id"]) == uuid.UUID(create["id"])
