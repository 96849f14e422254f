"""Fixtures of the sync tests: reference data, users with registered phones."""
from datetime import timedelta

import pytest
from syncapi import YEOUI_SQUARE, Phone

from patrol_api.auth import devices, tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db

REFERENCE = [
    ("areas", {"code": "yeoui", "name_ko": "여의동", "name_en": "Yeoui-dong",
               "geometry": YEOUI_SQUARE}),
    ("categories", {"code": "road-damage", "name_ko": "도로 파손", "name_en": "Road damage",
                    "group": "street"}),
    ("categories", {"code": "illegal-dumping", "name_ko": "무단투기",
                    "name_en": "Illegal dumping", "group": "cleaning"}),
    ("facility-types", {"code": "drain", "name_ko": "빗물받이", "name_en": "Storm drain"}),
    ("sites", {"code": "drain-1", "name_ko": "여의도 빗물받이 1호", "facility_type_code": "drain",
               "area_code": "yeoui", "lat": 37.52, "lon": 126.92}),
]


@pytest.fixture
def world(client, admin) -> dict:
    """The reference data observations refer to, created through the admin API."""
    made = {}
    for kind, body in REFERENCE:
        response = client.post(f"/api/v1/{kind}", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        made[body["code"]] = response.get_json()
    return made


@pytest.fixture
def phone_of(client):
    """Register a phone for a user and return a Phone driving the API with its token."""
    def factory(user, uid: str | None = None, skew: timedelta = timedelta(0)) -> Phone:
        device = devices.register(user, {"client_uid": uid or f"phone-{user.id}-{_next()}",
                                         "platform": "android"})
        raw = tokens.issue(user, device, timedelta(days=30))
        db.session.commit()
        phone = Phone(client, {"Authorization": f"Bearer {raw}"}, skew)
        phone.device, phone.user = device, user
        return phone
    return factory


@pytest.fixture
def officer(make_user):
    """A patrol officer (user)."""
    return make_user(Role.PATROL_OFFICER)[0]


@pytest.fixture
def phone(world, officer, phone_of) -> Phone:
    """The officer's phone, with the reference data in place."""
    return phone_of(officer)


_numbers = iter(range(1, 10**9))


def _next() -> int:
    """A unique number."""
    return next(_numbers)
