"""A small district for the load and failure tests: one department a category routes to, its
staff, a manager, an officer's phone; plus a holder of the database's write lock."""
import contextlib
import json
import random
import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta

from patrol_api.auth import devices, tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Area, Category, Department, RoutingRule, User
from patrol_api.reference.geo import bounds_columns, parse_polygon

SQUARE = {"type": "Polygon", "coordinates": [[
    [126.91, 37.51], [126.94, 37.51], [126.94, 37.54], [126.91, 37.54], [126.91, 37.51]]]}


def _user(role: str, department=None) -> tuple[User, str]:
    user = User(username=f"{role}-{uuid.uuid4().hex[:8]}", display_name="홍길동", role=role,
                active=True, department=department, password_hash="x")
    db.session.add(user)
    return user, tokens.issue(user, None, timedelta(days=1))


def build() -> dict:
    """The district, committed; Authorization headers by role name ('phone': the officer's
    device token, which may push)."""
    roads = Department(code="roads", name_ko="도로과", name_en="Roads", kind="headquarters")
    area = Area(code="yeoui", name_ko="여의동", name_en="Yeoui-dong", geometry=SQUARE,
                **bounds_columns(parse_polygon(SQUARE)))
    category = Category(code="road-damage", name_ko="도로 파손", name_en="Road damage",
                        group="street", merge_radius_m=5)
    db.session.add_all([roads, area, category])
    db.session.flush()
    db.session.add(RoutingRule(category=category, target_department=roads, priority=10,
                               effective_from=date(2020, 1, 1)))
    _, manager = _user(Role.MANAGER)
    _, staff = _user(Role.DEPARTMENT_STAFF, roads)
    officer, web = _user(Role.PATROL_OFFICER)
    device = devices.register(officer, {"client_uid": f"phone-{uuid.uuid4().hex[:8]}",
                                        "platform": "android"})
    phone = tokens.issue(officer, device, timedelta(days=30))
    db.session.commit()
    return {name: {"Authorization": f"Bearer {raw}"} for name, raw in (
        ("manager", manager), ("staff", staff), ("officer", web), ("phone", phone))}


class Outbox:
    """A phone's outbox: numbered observation.create mutations at random spots in the dong."""

    def __init__(self, seed: int = 0):
        self.seq, self.random = 0, random.Random(seed)

    def batch(self, size: int) -> list[dict]:
        """The next `size` mutations."""
        items = []
        for _ in range(size):
            self.seq += 1
            items.append({"id": str(uuid.uuid4()), "seq": self.seq,
                          "type": "observation.create", "entity_id": str(uuid.uuid4()),
                          "base_version": None, "data": {
                              "category_code": "road-damage",
                              "lat": self.random.uniform(37.512, 37.538),
                              "lon": self.random.uniform(126.912, 126.938), "accuracy_m": 8.0,
                              "note": "보도블록 파손", "photos": [],
                              "recorded_at": datetime.now(UTC).isoformat()}})
        return items


def push_body(mutations: list[dict]) -> bytes:
    """The JSON body of a push."""
    return json.dumps({"device_time": datetime.now(UTC).isoformat(),
                       "mutations": mutations}, ensure_ascii=False).encode()


@contextlib.contextmanager
def write_lock(url: str):
    """Hold the database's write lock from another connection, as a long writer would:
    SQLite: BEGIN IMMEDIATE; PostgreSQL: the change counter table locked against writes
    (every write takes a number there), reads still allowed."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    else:
        import psycopg

        conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        conn.execute("LOCK TABLE sequence_counter IN EXCLUSIVE MODE")
    try:
        yield
    finally:
        conn.rollback() if not url.startswith("sqlite") else conn.execute("ROLLBACK")
        conn.close()
