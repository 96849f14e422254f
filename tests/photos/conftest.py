"""Fixtures of the photo tests: a fresh blob storage per test, users signed in from phones,
the app served by a real HTTP server on loopback."""
from datetime import timedelta

import pytest
from photoapi import LiveServer

from media.local_storage import LocalDiskStorage
from patrol_api import photos
from patrol_api.auth import devices, tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db


@pytest.fixture
def store(ctx, tmp_path, monkeypatch):
    """The app's blob storage for this test: an empty local disk under tmp_path."""
    storage = LocalDiskStorage(tmp_path / "media")
    monkeypatch.setitem(ctx.extensions, photos.EXTENSION, storage)
    return storage


@pytest.fixture
def sign_in(make_user, store):
    """A user of a role signed in from a phone of their own: (user, headers)."""
    counter = iter(range(1, 10**6))

    def factory(role=Role.PATROL_OFFICER, device: bool = True):
        user, web_headers = make_user(role)
        if not device:
            return user, web_headers
        phone = devices.register(user, {"client_uid": f"phone-{user.id}-{next(counter)}",
                                        "platform": "android"})
        raw = tokens.issue(user, phone, timedelta(days=30))
        db.session.commit()
        return user, {"Authorization": f"Bearer {raw}"}
    return factory


@pytest.fixture
def officer(sign_in):
    """A patrol officer's phone: (user, headers)."""
    return sign_in(Role.PATROL_OFFICER)


@pytest.fixture
def live_server(ctx, store):
    """The test app served over real HTTP (same database, same storage)."""
    with LiveServer(ctx) as server:
        yield server
