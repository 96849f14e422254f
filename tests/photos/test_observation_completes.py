"""Guarantee 6 end to end: an observation synced with photo digests is complete only once
every photo has arrived over the upload API and verified."""
from datetime import timedelta

import pytest
from photoapi import create, jpeg, patch, sha, upload

from patrol_api.auth import devices, tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from tests.sync.syncapi import YEOUI_SQUARE, Phone

REFERENCE = [
    ("areas", {"code": "yeoui", "name_ko": "여의동", "name_en": "Yeoui-dong",
               "geometry": YEOUI_SQUARE}),
    ("categories", {"code": "road-damage", "name_ko": "도로 파손", "name_en": "Road damage",
                    "group": "street"}),
]


@pytest.fixture
def world(client, admin):
    """The reference data an observation refers to."""
    for kind, body in REFERENCE:
        assert client.post(f"/api/v1/{kind}", json=body, headers=admin).status_code == 201


def phone_for(client, user) -> Phone:
    """A registered phone of the user, driving the sync API."""
    device = devices.register(user, {"client_uid": f"sync-{user.id}", "platform": "ios"})
    raw = tokens.issue(user, device, timedelta(days=1))
    db.session.commit()
    return Phone(client, {"Authorization": f"Bearer {raw}"})


def fate(phone: Phone, client_id: str) -> dict:
    response = phone.client.get(f"/api/v1/sync/observations/{client_id}", headers=phone.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_observation_becomes_complete_when_its_photos_verify(client, world, make_user, store):
    user, _ = make_user(Role.PATROL_OFFICER)
    phone = phone_for(client, user)
    before, close_up = jpeg(seed=1), jpeg(seed=2)
    create_obs = phone.create(photos=[{"sha256": sha(before), "role": "before"},
                                      {"sha256": sha(close_up), "role": "before"}])
    record = phone.one(create_obs)["record"]
    assert (record["complete"], record["fate"]) == (False, "awaiting_photos")
    upload(client, phone.headers, before)
    state = fate(phone, create_obs["entity_id"])
    assert (state["photos_verified"], state["complete"]) == (1, False)
    location = create(client, phone.headers, close_up).headers["Location"]
    patch(client, phone.headers, location, 0, close_up[:100])
    assert fate(phone, create_obs["entity_id"])["complete"] is False  # half a photo is none
    patch(client, phone.headers, location, 100, close_up[100:])
    state = fate(phone, create_obs["entity_id"])
    # complete: the fate is the findings engine's (this test category has no routing rule)
    assert (state["photos_verified"], state["complete"], state["fate"]) == (
        2, True, "coordination")


def test_a_refused_photo_leaves_the_observation_incomplete(client, world, make_user, store):
    user, _ = make_user(Role.PATROL_OFFICER)
    phone = phone_for(client, user)
    photo = jpeg(seed=3)
    create_obs = phone.create(photos=[{"sha256": sha(photo), "role": "before"}])
    phone.one(create_obs)
    location = create(client, phone.headers, photo).headers["Location"]
    corrupted = photo[:-10] + b"\x00" * 10  # bytes damaged in transit
    assert patch(client, phone.headers, location, 0, corrupted).status_code == 422
    assert fate(phone, create_obs["entity_id"])["complete"] is False


def test_a_known_photo_completes_a_later_observation_without_bytes(client, world, make_user,
                                                                  store):
    first, _ = make_user(Role.PATROL_OFFICER)
    photo = jpeg(seed=4)
    upload(client, phone_for(client, first).headers, photo)
    second, _ = make_user(Role.PATROL_OFFICER)
    phone = phone_for(client, second)
    create_obs = phone.create(photos=[{"sha256": sha(photo), "role": "after"}])
    assert phone.one(create_obs)["record"]["complete"] is True
    created = create(client, phone.headers, photo)
    assert created.headers["Upload-Offset"] == str(len(photo))  # no bytes to send


def test_citizen_sees_the_photos_of_their_own_observation_not_the_original(client, world,
                                                                           make_user, sign_in):
    citizen, _ = make_user(Role.CITIZEN_AUDITOR)
    phone = phone_for(client, citizen)
    photo = jpeg(seed=5)
    upload(client, sign_in(Role.PATROL_OFFICER)[1], photo)  # someone else sent the bytes
    url = f"/api/v1/photos/{sha(photo)}"
    assert client.get(f"{url}/thumb", headers=phone.headers, buffered=True).status_code == 404
    phone.one(phone.create(photos=[{"sha256": sha(photo), "role": "before"}]))
    assert client.get(f"{url}/thumb", headers=phone.headers, buffered=True).status_code == 200
    assert client.get(f"{url}/original", headers=phone.headers).status_code == 403


def test_no_finding_until_every_photo_has_verified(client, world, make_user, store):
    """Guarantee 6: an observation awaiting photos is not taken in, by the push's job nor
    by the sweep; the verification of its last photo takes it in."""
    from patrol_api.findings import intake

    user, _ = make_user(Role.PATROL_OFFICER)
    phone = phone_for(client, user)
    first, second = jpeg(seed=6), jpeg(seed=7)
    create_obs = phone.create(photos=[{"sha256": sha(first), "role": "before"},
                                      {"sha256": sha(second), "role": "before"}])
    phone.one(create_obs)
    upload(client, phone.headers, first)
    assert intake.process_pending() == 0  # the periodic sweep leaves it waiting too
    state = fate(phone, create_obs["entity_id"])
    assert (state["fate"], state["finding_id"], state["complete"]) == (
        "awaiting_photos", None, False)
    upload(client, phone.headers, second)
    state = fate(phone, create_obs["entity_id"])
    assert state["complete"] is True and state["finding_id"] is not None
    assert state["fate"] == "coordination"  # this test category has no routing rule


def test_an_update_dropping_the_missing_photo_takes_it_in(client, world, make_user, store):
    user, _ = make_user(Role.PATROL_OFFICER)
    phone = phone_for(client, user)
    arrived, lost = jpeg(seed=8), jpeg(seed=9)
    upload(client, phone.headers, arrived)
    create_obs = phone.create(photos=[{"sha256": sha(arrived), "role": "before"},
                                      {"sha256": sha(lost), "role": "before"}])
    phone.one(create_obs)
    assert fate(phone, create_obs["entity_id"])["finding_id"] is None
    phone.one(phone.update(create_obs["entity_id"], 1,
                           photos=[{"sha256": sha(arrived), "role": "before"}]))
    state = fate(phone, create_obs["entity_id"])
    assert state["complete"] is True and state["finding_id"] is not None
