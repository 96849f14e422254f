"""Stored pull entries: every path that writes an observation leaves its entry up to date."""
import json

import sqlalchemy as sa
from syncapi import observations_of

from patrol_api.extensions import db
from patrol_api.models import Category, Observation
from sync import pulltext

_OBS = Observation.__table__


def _stale() -> list:
    """Client ids of observations whose stored entry differs from one the database renders
    now (or that have none)."""
    fresh = pulltext.entry(db.session.get_bind().dialect.name)
    rows = db.session.execute(sa.select(_OBS.c.client_id, _OBS.c.pull_json, fresh)).all()
    return [client_id for client_id, stored, rendered in rows
            if stored is None or json.loads(stored) != json.loads(rendered)]


def test_fast_path_creates_store_their_entries(phone, monkeypatch):
    from patrol_api.findings import intake

    monkeypatch.setattr(intake, "schedule_many", lambda ids: None)  # no fate change after
    phone.pushed([phone.create(), phone.create(site_code="drain-1", accuracy_m=3.5,
                                               photos=[{"sha256": "ab" * 32}]),
                  phone.create(lat=37.1234567890123, lon=126.98765432101234)])
    assert db.session.execute(sa.select(sa.func.count()).select_from(_OBS)).scalar() == 3
    assert _stale() == []


def test_edits_deletes_photos_and_fates_rerender_the_entry(phone):
    first, second = phone.create(), phone.create(photos=[{"sha256": "cd" * 32}])
    phone.pushed([first, second])  # taken in by the findings engine: fates change
    phone.one(phone.update(first["entity_id"], note="고쳐 씀", site_code="drain-1"))
    phone.one(phone.update(second["entity_id"], photos=[]))
    assert _stale() == []
    phone.one(phone.delete(first["entity_id"]))
    assert _stale() == []
    pulled = observations_of(phone.pull_all())
    assert pulled[second["entity_id"]]["photos"] == []


def test_a_renamed_category_code_rerenders_its_observations(phone):
    created = phone.create()
    phone.one(created)
    category = db.session.execute(sa.select(Category).where(
        Category.code == created["data"]["category_code"])).scalar_one()
    category.code = "road-damage-2"
    db.session.commit()
    assert _stale() == []
    pulled = observations_of(phone.pull_all())
    assert pulled[created["entity_id"]]["category_code"] == "road-damage-2"


def test_rows_without_a_stored_entry_are_rendered_by_the_pull(phone):
    created = phone.create()
    phone.one(created)
    expected = observations_of(phone.pull_all())[created["entity_id"]]
    db.session.execute(sa.update(_OBS).values(pull_json=None, updated_at=_OBS.c.updated_at))
    db.session.commit()
    phone.cursor = None  # a full download
    again = observations_of(phone.pull_all())[created["entity_id"]]
    assert again == expected
