"""Photos by SHA-256: an observation is complete only when every listed photo has verified."""
import hashlib

import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import MediaBlob, Observation
from patrol_api.models.base import utcnow
from sync.photos import blob_verified

BEFORE = hashlib.sha256(b"before photo").hexdigest()
CLOSE_UP = hashlib.sha256(b"close-up photo").hexdigest()


def _blob(sha256: str, verified: bool = True) -> None:
    db.session.add(MediaBlob(sha256=sha256, size=1234, mime="image/jpeg",
                             verified_at=utcnow() if verified else None))
    db.session.commit()


def _observation(client_id: str) -> Observation:
    db.session.expire_all()
    return db.session.execute(sa.select(Observation).where(
        Observation.client_id == client_id)).scalar_one()


def test_incomplete_until_every_photo_verified_then_complete_and_pulled_again(phone):
    create = phone.create(photos=[{"sha256": BEFORE, "role": "before"},
                                  {"sha256": CLOSE_UP.upper(), "role": "before"}])
    record = phone.one(create)["record"]
    assert (record["photos_expected"], record["photos_verified"], record["complete"],
            record["fate"]) == (2, 0, False, "awaiting_photos")
    assert [p["sha256"] for p in record["photos"]] == [BEFORE, CLOSE_UP]
    phone.pull_all()
    _blob(BEFORE)
    assert blob_verified(BEFORE) == 0
    [change] = phone.pull_all()
    assert (change["record"]["photos_verified"], change["record"]["complete"]) == (1, False)
    _blob(CLOSE_UP)
    assert blob_verified(CLOSE_UP) == 1
    changes = phone.pull_all()
    [change] = [c for c in changes if c["kind"] == "observations"]
    assert change["seq"] > record["change_seq"]
    # taken in only now that it is complete (guarantee 6): its finding comes along
    [finding] = [c for c in changes if c["kind"] == "findings"]
    assert finding["id"] == change["record"]["finding_id"]
    # no routing rule for the category: the finding waits in coordination
    assert (change["record"]["complete"], change["record"]["fate"]) == (True, "coordination")
    seq = _observation(create["entity_id"]).change_seq
    assert blob_verified(CLOSE_UP) == 0  # a second call changes nothing
    assert _observation(create["entity_id"]).change_seq == seq


def test_photos_uploaded_before_the_observation_syncs_count_at_once(phone):
    _blob(BEFORE)
    record = phone.one(phone.create(photos=[{"sha256": BEFORE}]))["record"]
    assert (record["complete"], record["photos"][0]["role"]) == (True, "before")


def test_an_unverified_or_unknown_blob_completes_nothing(phone):
    create = phone.create(photos=[{"sha256": BEFORE}])
    phone.one(create)
    _blob(BEFORE, verified=False)
    assert blob_verified(BEFORE) == 0
    assert blob_verified(CLOSE_UP) == 0
    assert _observation(create["entity_id"]).complete is False


def test_changing_the_photo_list_recounts(phone):
    _blob(BEFORE)
    create = phone.create(photos=[{"sha256": BEFORE}, {"sha256": CLOSE_UP}])
    phone.one(create)
    result = phone.one(phone.update(create["entity_id"], photos=[
        {"sha256": BEFORE, "role": "after"}]))
    record = result["record"]
    assert (record["photos_expected"], record["complete"]) == (1, True)
    assert record["photos"] == [{"sha256": BEFORE, "role": "after"}]


def test_a_bad_digest_is_rejected_with_its_field(phone):
    result = phone.one(phone.create(photos=[{"sha256": "abc"}]))
    assert (result["status"], result["error"]["field"]) == ("rejected", "data.photos.0.sha256")
