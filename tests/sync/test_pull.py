"""Pull: one merged stream in server order, only what the caller may see, tombstones, horizon."""
import base64
from datetime import timedelta

import pytest
import sqlalchemy as sa
from syncapi import new_id, observations_of

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Observation
from patrol_api.models.base import utcnow
from sync import tombstones
from sync.exits import FindingExit


def _page(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_full_pull_has_the_reference_data_and_own_observations_in_seq_order(phone):
    create = phone.create()
    phone.one(create)
    changes = phone.pull_all()
    seqs = [c["seq"] for c in changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    kinds = {c["kind"] for c in changes}
    assert kinds == {"areas", "categories", "facility-types", "sites", "observations",
                     "findings"}  # the finding of the own observation
    mine = observations_of(changes)[create["entity_id"]]
    assert (mine["note"], mine["fate"], mine["complete"]) == (
        create["data"]["note"], "coordination", True)  # no routing rule: coordination
    assert phone.pull_all() == []  # nothing new after the cursor


def test_pull_never_shows_another_users_observations(phone, phone_of, make_user):
    phone.one(phone.create())
    other = phone_of(make_user(Role.PATROL_OFFICER)[0])
    theirs = other.create(note="다른 사람의 관찰")
    other.one(theirs)
    mine = observations_of(phone.pull_all())
    assert theirs["entity_id"] not in mine and len(mine) == 1
    assert list(observations_of(other.pull_all())) == [theirs["entity_id"]]


def test_another_device_of_the_same_user_pulls_the_observations(phone, phone_of):
    create = phone.create()
    phone.one(create)
    tablet = phone_of(phone.user)
    assert list(observations_of(tablet.pull_all())) == [create["entity_id"]]


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_paging_has_no_gaps_or_duplicates(phone, limit):
    phone.pushed([phone.create() for _ in range(4)])
    full = _page(phone.pull(limit=2000))["changes"]
    paged = phone.pull_all(limit=limit)
    assert paged == full


def test_updates_move_a_record_to_the_end_of_the_stream(phone):
    first, second = phone.create(), phone.create()
    phone.pushed([first, second])
    phone.pull_all()
    phone.one(phone.update(first["entity_id"], note="다시"))
    changes = phone.pull_all()
    assert [(c["id"], c["record"]["note"]) for c in changes] == [(first["entity_id"], "다시")]


def test_deletes_travel_as_tombstones(phone):
    create = phone.create()
    phone.one(create)
    phone.pull_all()
    phone.one(phone.delete(create["entity_id"]))
    gone, finding = phone.pull_all()
    assert (gone["kind"], gone["op"], gone["id"], gone["record"]) == (
        "observations", "delete", create["entity_id"], None)
    # the finding held only through that observation leaves the phone with it
    assert (finding["kind"], finding["op"], finding["seq"]) == ("findings", "delete", gone["seq"])


def test_a_cursor_older_than_the_purged_tombstones_must_resync(phone):
    old, kept = phone.create(), phone.create()
    phone.pushed([old, kept])
    phone.pull_all()
    stale = phone.cursor
    phone.pushed([phone.delete(old["entity_id"])])
    current = phone.pull_all() and phone.cursor
    assert tombstones.purge(days=90) == 0  # too recent
    exits = db.session.execute(sa.select(sa.func.count()).select_from(FindingExit)).scalar()
    assert exits >= 1  # the deleted observation left its finding
    assert tombstones.purge(days=90, now=utcnow() + timedelta(days=91)) == 1 + exits
    gone = phone.pull(stale)
    assert (gone.status_code, gone.get_json()["code"]) == (410, "full_resync_required")
    assert phone.pull(current).status_code == 200  # saw the delete before the purge
    fresh = observations_of(_page(phone.pull())["changes"])
    assert list(fresh) == [kept["entity_id"]]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Observation)).scalar() == 1


@pytest.mark.parametrize("cursor", ["garbage", "eyJ2IjoyLCJzZXEiOjF9",  # v=2
                                    base64.urlsafe_b64encode(b'{"v":1,"seq":-1}').decode(),
                                    base64.urlsafe_b64encode(b'{"v":1,"seq":99999}').decode(),
                                    "%%%"])
def test_a_cursor_not_issued_by_this_server_is_refused(phone, cursor):
    response = phone.pull(cursor)
    body = response.get_json()
    assert (response.status_code, body["code"], body["field"]) == (400, "invalid_cursor", "cursor")


def test_pull_limits(phone):
    assert phone.pull(limit=2001).status_code == 422
    assert phone.pull(limit=0).status_code == 422


def test_the_fate_endpoint_answers_the_author_and_managers_only(client, phone, make_user):
    create = phone.create()
    phone.one(create)
    url = f"/api/v1/sync/observations/{create['entity_id']}"
    mine = client.get(url, headers=phone.headers)
    assert mine.status_code == 200
    assert (mine.get_json()["fate"], mine.get_json()["client_id"]) == (
        "coordination", create["entity_id"])  # taken in; no routing rule for the category
    assert client.get(url, headers=make_user(Role.MANAGER)[1]).status_code == 200
    for role in (Role.PATROL_OFFICER, Role.DEPARTMENT_STAFF, Role.VIEWER):
        assert client.get(url, headers=make_user(role)[1]).status_code == 404
    assert client.get(f"/api/v1/sync/observations/{new_id()}",
                      headers=phone.headers).status_code == 404
    assert client.get("/api/v1/sync/observations/not-a-uuid",
                      headers=phone.headers).status_code == 404


def test_pulled_and_pushed_records_are_the_observation_record(phone):
    """The bulk paths (push and pull) give exactly what observation_record gives."""
    from sync.records import observation_record

    digest = "ab" * 32
    pushed = phone.pushed([phone.create(), phone.create(site_code="drain-1", accuracy_m=3.5,
                                                        photos=[{"sha256": digest}])])
    phone.one(phone.update(pushed["results"][0]["entity_id"], note="수정"))
    pulled = observations_of(phone.pull_all())
    db.session.expire_all()
    for result in pushed["results"]:
        obs = db.session.execute(sa.select(Observation).where(
            Observation.client_id == result["entity_id"])).scalar_one()
        assert pulled[obs.client_id] == observation_record(obs)
    assert pushed["results"][1]["record"]["photos"] == [{"sha256": digest, "role": "before"}]
    record = pushed["results"][1]["record"]
    stored = pulled[record["client_id"]]
    assert set(record) == set(stored)
    changed_later = {"version", "change_seq", "fate", "fate_reason", "finding_id", "updated_at"}
    assert {k: v for k, v in record.items() if k not in changed_later} == {
        k: v for k, v in stored.items() if k not in changed_later}


def test_database_rendered_records_keep_whole_seconds_and_every_float_digit(phone):
    """The database writes observation JSON: times and floats read back exactly."""
    from sync.records import observation_record

    create = phone.create(recorded_at="2026-11-22T09:00:00+09:00", lat=37.523456789012345,
                          lon=126.92512345678901, accuracy_m=0.1, note='따옴표 " \\ 줄\n바꿈')
    phone.one(create)
    pulled = observations_of(phone.pull_all())[create["entity_id"]]
    db.session.expire_all()
    obs = db.session.execute(sa.select(Observation).where(
        Observation.client_id == create["entity_id"])).scalar_one()
    assert pulled == observation_record(obs)
    assert (pulled["recorded_at_device"], pulled["lat"], pulled["note"]) == (
        "2026-11-22T00:00:00+00:00", 37.523456789012345, create["data"]["note"])
