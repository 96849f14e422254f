"""Fixtures: the app on the database under test (SQLite or a real PostgreSQL), clients, users.

PATROL_TEST_DB=sqlite (default) or postgresql selects the backend; for PostgreSQL the suite
starts a throwaway server on loopback (devtools.servers) unless TEST_DATABASE_URL is given.
"""
import os

import pytest
from database_reset import empty_database
from flask_migrate import upgrade

from devtools import servers
from patrol_api import create_app
from patrol_api.auth import passwords, tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db, limiter
from patrol_api.models import Department, User

BACKEND = os.environ.get("PATROL_TEST_DB", "sqlite")
_HASHES: dict[str, str] = {}


def pytest_report_header(config):
    """Say which database this run uses."""
    return f"patrol database backend: {BACKEND}"


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session."""
    reason = servers.postgres_missing_reason()
    if reason:
        pytest.exit(f"PATROL_TEST_DB=postgresql but PostgreSQL cannot start: {reason}", 3)
    with servers.PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def redis_url():
    """A throwaway Redis server for the session (skipped loudly if redis-server is missing)."""
    reason = servers.redis_missing_reason()
    if reason:
        pytest.skip(f"NOT TESTED - Redis missing: {reason}")
    with servers.RedisServer() as server:
        yield server.url


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    """The URL of the database under test, migrated to head."""
    if BACKEND == "postgresql":
        url = os.environ.get("TEST_DATABASE_URL") or request.getfixturevalue(
            "postgres_server").url
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'patrol.db'}"
    return url


def make_app(database_url: str, **overrides):
    """An app on the test database, with test settings."""
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
              "TESTING": True, "REDIS_URL": None,
              "LOGIN_RATE_LIMIT": "5 per minute"}
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app_factory(database_url):
    """Make extra apps on the test database with other settings; their engines are disposed."""
    made = []

    def factory(**overrides):
        # flask-limiter keeps one storage per extension object: keep it in memory
        overrides.setdefault("RATELIMIT_STORAGE_URI", "memory://")
        made.append(make_app(database_url, **overrides))
        return made[-1]
    yield factory
    for extra in made:
        with extra.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def app(database_url):
    """The application, its schema created by the Alembic migrations."""
    application = make_app(database_url)
    with application.app_context():
        upgrade(revision="heads")
    return application


@pytest.fixture
def ctx(app):
    """An application context on a clean database."""
    with app.app_context():
        yield app
        db.session.rollback()
        empty_database()
    limiter.reset()


@pytest.fixture
def client(ctx):
    """A test client."""
    return ctx.test_client()


def _hash(password: str) -> str:
    """Argon2 is slow on purpose; tests hash each password once."""
    if password not in _HASHES:
        _HASHES[password] = passwords.hash_password(password)
    return _HASHES[password]


@pytest.fixture
def make_user(ctx):
    """Create a user (and a web token); returns (user, Authorization header)."""
    def factory(role=Role.PATROL_OFFICER, username=None, department=None,
                password="correct horse battery"):
        if role == Role.DEPARTMENT_STAFF and department is None:
            department = make_department()
        user = User(username=username or f"{role}-{_next()}", display_name="홍길동",
                    role=str(role), active=True, department=department,
                    password_hash=_hash(password))
        db.session.add(user)
        raw = tokens.issue(user, None, _DAY)
        db.session.commit()
        return user, {"Authorization": f"Bearer {raw}"}
    return factory


_counter = iter(range(1, 10**9))
_DAY = __import__("datetime").timedelta(days=1)


def _next() -> int:
    """A unique number for generated names."""
    return next(_counter)


def make_department(kind="headquarters", code=None) -> Department:
    """A department in the current session."""
    number = _next()
    department = Department(code=code or f"dept-{number}", name_ko=f"부서{number}",
                            name_en=f"Department {number}", kind=kind)
    db.session.add(department)
    db.session.flush()
    return department


@pytest.fixture
def admin(make_user):
    """Authorization header of an admin."""
    return make_user(Role.ADMIN)[1]


@pytest.fixture
def demo(ctx):
    """The demo district loaded."""
    from patrol_api import demo_loader

    return demo_loader.load()
