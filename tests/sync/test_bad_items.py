"""One bad item never blocks a push: generated bad items (text no database stores, wrong
JSON types, unreadable envelopes, items that are not objects) are refused alone, the good
items apply, the fast path and the per-item path answer alike, replays answer the same."""
import json
from unittest import mock

import sqlalchemy as sa
from baditems import BAD, BAD_TEXT, build, takes_seq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import AppliedMutation, Observation

GENERATED = settings(max_examples=30, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])
# a push: good creates and bad items in any order (at least one of each)
PLANS = st.lists(st.none() | BAD, min_size=2, max_size=8).filter(
    lambda plan: None in plan and any(step is not None for step in plan))


def _observations_of(user_id: int) -> set[str]:
    return set(db.session.execute(sa.select(Observation.client_id).where(
        Observation.user_id == user_id)).scalars())


def _ledger_of(device_id: int) -> int:
    return db.session.execute(sa.select(sa.func.count()).where(
        AppliedMutation.device_id == device_id)).scalar()


def _play(phone, plan):
    """Build the plan's items for a phone: (items, expected error or None per item)."""
    items, expected = [], []
    for step in plan:
        if step is None:
            items.append(phone.create())
            expected.append(None)
        else:
            item, error = build(phone, step)
            items.append(item)
            expected.append(error)
    return items, expected


def _outcome(result: dict) -> tuple:
    error = result.get("error") or {}
    return result["status"], error.get("code"), error.get("field")


@GENERATED
@given(plan=PLANS)
def test_a_bad_item_is_refused_alone_and_the_others_apply(world, make_user, phone_of, plan):
    phone = phone_of(make_user(Role.PATROL_OFFICER)[0])
    items, expected = _play(phone, plan)
    answer = phone.pushed(items)
    results = answer["results"]
    assert len(results) == len(items)
    for item, error, result in zip(items, expected, results, strict=True):
        if error is None:
            assert result["status"] == "applied", result
            assert result["record"]["client_id"] == item["entity_id"]
        else:
            assert _outcome(result) == ("rejected", *error), (item, result)
    good = {item["entity_id"] for item, error in zip(items, expected, strict=True)
            if error is None}
    assert _observations_of(phone.user.id) == good
    recorded = sum(error is None or takes_seq(step)
                   for step, error in zip(plan, expected, strict=True))
    assert _ledger_of(phone.device.id) == recorded
    assert answer["acked_through"] == phone.seq  # every outbox seq processed, none missing

    replay = phone.pushed(items)["results"]
    for step, error, first, again in zip(plan, expected, results, replay, strict=True):
        if error is not None and not takes_seq(step):
            assert _outcome(again) == _outcome(first)  # unreadable: refused again, unrecorded
            continue
        assert again["status"] == "already_applied"
        original = {key: value for key, value in first.items()
                    if key not in ("id", "seq", "record")}
        assert again["original"] == original
        if error is None:
            assert again["record"]["client_id"] == first["entity_id"]
    assert _observations_of(phone.user.id) == good
    assert _ledger_of(phone.device.id) == recorded


@GENERATED
@given(plan=PLANS)
def test_the_fast_path_and_the_per_item_path_answer_alike(world, make_user, phone_of, plan):
    fast, slow = (phone_of(make_user(Role.PATROL_OFFICER)[0]) for _ in range(2))
    fast_answer = fast.pushed(_play(fast, plan)[0])
    with mock.patch("sync.push.fastpath.prepare", return_value=None):
        slow_answer = slow.pushed(_play(slow, plan)[0])
    assert [_outcome(r) for r in fast_answer["results"]] == [
        _outcome(r) for r in slow_answer["results"]]
    assert [r.get("seq") for r in fast_answer["results"]] == [
        r.get("seq") for r in slow_answer["results"]]
    assert fast_answer["acked_through"] == slow_answer["acked_through"]


@GENERATED
@given(note=BAD_TEXT)
def test_bad_text_in_an_update_refuses_that_update_only(world, make_user, phone_of, note):
    phone = phone_of(make_user(Role.PATROL_OFFICER)[0])
    create = phone.create()
    created = phone.one(create)
    bad, good = phone.update(create["entity_id"], note=note), phone.create()
    results = phone.pushed([bad, good])["results"]
    assert _outcome(results[0]) == ("rejected", "validation_error", "data.note")
    assert results[1]["status"] == "applied"
    db.session.expire_all()
    obs = db.session.execute(sa.select(Observation).where(
        Observation.client_id == create["entity_id"])).scalar_one()
    assert (obs.note, obs.version >= created["version"]) == (create["data"]["note"], True)


def _raw_push(phone, body: bytes):
    return phone.client.post("/api/v1/sync/push", headers=phone.headers, data=body,
                             content_type="application/json")


def test_a_lone_surrogate_escape_is_read_and_refuses_only_its_item(phone):
    good = phone.create()
    bad = phone.create(note="보도 파손 \ud83d")  # half of an emoji, as a broken client cuts it
    body = json.dumps({"device_time": phone.device_now().isoformat(),
                       "mutations": [bad, good]})  # ASCII: the surrogate as \ud83d
    assert "\\ud83d" in body
    response = _raw_push(phone, body.encode())
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert _outcome(results[0]) == ("rejected", "validation_error", "data.note")
    assert results[1]["status"] == "applied"


def test_only_an_unreadable_envelope_refuses_the_whole_push(phone):
    good = phone.create()
    now = phone.device_now().isoformat()
    cases = [
        (b"{not json", 400, "malformed_json"),
        (json.dumps({"device_time": now, "mutations": [good]}).encode()[:-3], 400,
         "malformed_json"),
        # a raw (unescaped) surrogate is not UTF-8, so the body is not JSON text at all
        (json.dumps({"device_time": now, "mutations": [good], "x": "\ud800"},
                    ensure_ascii=False).encode("utf-8", "surrogatepass"), 400,
         "malformed_json"),
        (json.dumps([good]).encode(), 422, "validation_error"),
        (json.dumps({"device_time": now}).encode(), 422, "validation_error"),
        (json.dumps({"device_time": now, "mutations": good}).encode(), 422,
         "validation_error"),
        (json.dumps({"device_time": "a\u0000", "mutations": [good]}).encode(), 422,
         "validation_error"),
    ]
    for body, status, code in cases:
        response = _raw_push(phone, body)
        assert (response.status_code, response.get_json()["code"]) == (status, code), body
    assert _observations_of(phone.user.id) == set()
