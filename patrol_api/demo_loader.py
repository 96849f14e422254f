"""Load the demo district and its simulated activity through the services the API uses."""
from datetime import UTC, datetime

import sqlalchemy as sa

from patrol_api.auth import passwords
from patrol_api.demo import activity, district
from patrol_api.extensions import db
from patrol_api.models import Department, User
from patrol_api.rankings import settings
from patrol_api.reference import service
from patrol_api.reference.kinds import KINDS

ORDER = ("areas", "departments", "categories", "facility-types", "sites", "routing-rules")


def _rows(kind_name: str) -> list[dict]:
    """The demo rows of one reference kind, in the API's field names."""
    if kind_name == "sites":
        return [{**{k: v for k, v in row.items() if k != "facility_type"},
                 "facility_type_code": row["facility_type"]} for row in district.sites()]
    source = {"areas": district.areas, "departments": district.departments,
              "categories": district.categories, "facility-types": district.facility_types,
              "routing-rules": district.routing_rules}
    return source[kind_name]()


def is_empty() -> bool:
    """True when no department exists yet."""
    return db.session.execute(sa.select(Department.id).limit(1)).first() is None


def load() -> dict:
    """Load every reference kind and the demo users; returns counts per kind."""
    counts = {}
    for name in ORDER:
        kind = KINDS[name]
        rows = _rows(name)
        for row in rows:
            service.create(kind, kind.schema().load(row))
        db.session.flush()
        counts[name] = len(rows)
    for row in district.users():
        user = create_user(row["username"], row["display_name"], row["role"], row["password"],
                           row["department_code"], commit=False)
        user.team, user.patrol_area_codes = row["team"], row["patrol_area_codes"]
    counts["users"] = len(district.users())
    db.session.commit()
    return counts


def complete_users() -> int:
    """Give demo users loaded without them (by an older version) their team and dongs, as
    docs/patrols.md describes; how many were completed (0 once done)."""
    completed = 0
    for row in district.users():
        user = db.session.execute(sa.select(User).where(
            User.username == row["username"])).scalar()
        wanted = (row["team"], row["patrol_area_codes"])
        if user is not None and wanted != (None, []) and (user.team, user.patrol_area_codes) \
                == (None, []):
            user.team, user.patrol_area_codes = wanted
            completed += 1
    db.session.commit()
    return completed


def has_activity() -> bool:
    """True when findings, observations or patrol runs exist."""
    return any(activity.existing().values())


def load_activity(months: int | None = None) -> str:
    """Simulate the demo district's recent months (by default enough for the awards, see
    patrol_api/demo/activity.py); a summary."""
    return activity.summary_text(activity.load(months))


def user_exists(username: str) -> bool:
    """True when the username is taken."""
    return db.session.execute(
        sa.select(User.id).where(User.username == username)).first() is not None


def create_user(username: str, display_name: str, role: str, password: str,
                department_code: str | None = None, commit: bool = True) -> User:
    """Create a user with a hashed password (422 ApiError when the password is refused)."""
    department = service.by_code(Department, department_code) if department_code else None
    user = User(username=username, display_name=display_name, role=role, active=True,
                department=department,
                password_hash=passwords.new_hash(password, username, display_name))
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def logins_text(base_url: str) -> str:
    """The demo sign-ins, printed when the demo starts."""
    lines = [f"Patrol API demo (영등포구 Yeongdeungpo-gu) at {base_url}",
             f"API docs: {base_url}/api/docs   OpenAPI: {base_url}/api/openapi.json",
             "Demo logins (POST /api/v1/auth/login):"]
    lines += [f"  {u['role']:<17} {u['username']:<16} {u['password']}"
              for u in district.users()]
    lines += ["What to look at (GET with the login's token):"]
    year = activity.award_year(datetime.now(UTC), settings.get("RANKING_AWARD_MIN_MONTHS"))
    lines += [f"  {username:<16} {path.format(year=year):<44} {what}"
              for username, path, what in TOURS]
    return "\n".join(lines)


# Demo logins and where each sees the simulated activity: (username, path, what it shows).
TOURS = (
    ("manager.audit", "/api/v1/rankings/snapshots", "월별 평가 frozen monthly rankings"),
    ("manager.audit", "/api/v1/rankings/awards?year={year}", "연말 포상 the year's awards"),
    ("manager.audit", "/api/v1/findings/coordination", "민원조정 coordination queue"),
    ("staff.roads", "/api/v1/findings?open=true&sort=due", "도로과 inbox of the Roads Division"),
    ("staff.yeoui", "/api/v1/findings?open=true", "여의동주민센터 inbox of a dong office"),
    ("patrol.kim", "/api/v1/patrol-runs", "순찰 실적 patrol runs, tracks, site checks"),
    ("auditor.choi", "/api/v1/findings", "시민감사관 own reports and what became of them"),
)
