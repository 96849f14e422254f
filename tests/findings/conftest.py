"""Fixtures of the findings tests: a small district, reporters with phones, a settable clock."""
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from geopy.distance import geodesic

from patrol_api.auth import devices
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import journal
from patrol_api.models import (
    Area,
    Category,
    Department,
    FacilityType,
    Observation,
    RoutingRule,
    Site,
)
from patrol_api.reference.geo import bounds_columns, parse_polygon
from tests.findings.servers import SmtpServer

SPOT = (37.5250, 126.9250)  # 여의동
SQUARE = {"type": "Polygon", "coordinates": [[
    [126.91, 37.51], [126.94, 37.51], [126.94, 37.54], [126.91, 37.54], [126.91, 37.51]]]}
# code, group, ack hours, resolve days, radius m, window d, recurrence d, priority
CATEGORIES = (
    ("roads", "street", 3, 3, 30, 14, 90, "normal"),
    ("street_order", "street", 8, 5, 30, 14, 60, "normal"),
    ("cleaning", "sanitation", 4, 2, 20, 7, 30, "normal"),
    ("traffic", "traffic", 3, 3, 30, 7, 30, "normal"),
    ("safety", "safety", 8, 5, 30, 3, 30, "urgent"),
    ("other", "other", 16, 14, 30, 14, 60, "low"),
)
RULES = {"roads": "roads", "street_order": "street-order", "cleaning": "cleaning",
         "traffic": "traffic-admin", "safety": "safety"}


def offset(point, metres: float, bearing: float = 90.0) -> tuple[float, float]:
    """A point at a distance and bearing from another."""
    moved = geodesic(meters=metres).destination(point, bearing)
    return moved.latitude, moved.longitude


class World:
    """The reference data of the findings tests, by code."""

    def __init__(self):
        self.departments, self.categories, self.sites = {}, {}, {}

    def department(self, code: str) -> Department:
        return self.departments[code]

    def category(self, code: str) -> Category:
        return self.categories[code]


def _department(code: str) -> Department:
    department = Department(code=code, name_ko=f"{code}과", name_en=code, kind="headquarters",
                            email=f"{code}@ydp.example.go.kr")
    db.session.add(department)
    return department


def _build() -> World:
    world = World()
    for code in ("roads", "street-order", "cleaning", "traffic-admin", "safety",
                 "flood-control", "parks"):
        world.departments[code] = _department(code)
    area = Area(code="yeoui", name_ko="여의동", name_en="Yeoui-dong", geometry=SQUARE,
                **bounds_columns(parse_polygon(SQUARE)))
    db.session.add(area)
    world.area = area
    for code, group, ack, resolve, radius, window, recur, priority in CATEGORIES:
        world.categories[code] = Category(
            code=code, name_ko=code, name_en=code, group=group, ack_hours=ack,
            resolve_days=resolve, merge_radius_m=radius, merge_window_days=window,
            recurrence_window_days=recur, default_priority=priority)
    db.session.add_all(world.categories.values())
    db.session.flush()
    for category, department in RULES.items():
        db.session.add(RoutingRule(category=world.categories[category], priority=10,
                                   target_department=world.departments[department],
                                   effective_from=date(2020, 1, 1)))
    drain = FacilityType(code="drain", name_ko="빗물받이", name_en="Storm drain",
                         owner_department=world.departments["flood-control"])
    db.session.add(drain)
    for number, point in enumerate((SPOT, offset(SPOT, 15)), start=1):
        world.sites[f"drain-{number}"] = Site(
            code=f"drain-{number}", name_ko=f"빗물받이 {number}", facility_type=drain,
            lat=point[0], lon=point[1], area=area)
    db.session.add_all(world.sites.values())
    db.session.commit()
    return world


@pytest.fixture
def world(ctx) -> World:
    """A small district: departments, categories with rules, a dong, two drains 15 m apart."""
    return _build()


@pytest.fixture
def clock(monkeypatch):
    """The time events are stamped with; `clock.now` can be set and moved."""
    class Clock:
        now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 10:00 in Seoul

        def advance(self, **kwargs):
            self.now += timedelta(**kwargs)
            return self.now

    fixed = Clock()
    monkeypatch.setattr(journal, "now", lambda: fixed.now)
    return fixed


@pytest.fixture
def reporter(make_user):
    """Make a field user with a registered phone; returns the user."""
    def factory(role=Role.PATROL_OFFICER):
        user, headers = make_user(role)
        user.device = devices.register(user, {"client_uid": f"phone-{uuid.uuid4()}"})
        user.headers = headers
        db.session.commit()
        return user
    return factory


@pytest.fixture
def observe(world, reporter, clock):
    """Record an observation (as if synced) and return it; it is not taken in yet."""
    default = {}

    def factory(category="roads", point=SPOT, user=None, at=None, site=None, photos=()):
        if user is None:
            user = default.setdefault("user", reporter())
        moment = at or clock.now
        obs = Observation(client_id=str(uuid.uuid4()), user_id=user.id,
                          device_id=user.device.id, category=world.category(category),
                          lat=point[0], lon=point[1], accuracy_m=5.0, area=world.area,
                          site=world.sites[site] if site else None, note="",
                          recorded_at_device=moment, recorded_at=moment, received_at=moment,
                          fate="received", time_flags=[], field_versions={}, photos=[])
        db.session.add(obs)
        db.session.commit()
        return obs
    return factory


@pytest.fixture
def smtp(app):
    """An SMTP sink the app sends its notification emails to."""
    server = SmtpServer()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port)
    yield server
    app.config.update(SMTP_HOST=None, SMTP_PORT=None)
    server.shutdown()
    server.server_close()
