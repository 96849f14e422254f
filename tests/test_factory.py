"""create_app wires config, extensions and blueprints."""
from patrol_api import create_app


def test_config_overrides_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    app = create_app({"SECRET_KEY": "k", "TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.testing


def test_default_is_embedded_sqlite(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("PATROL_DATA_DIR", str(tmp_path))
    app = create_app({"SECRET_KEY": "k"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/patrol.db"
    assert app.extensions["jobs"] is None  # in-process jobs


def test_random_secret_when_unset(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PATROL_DATA_DIR", str(tmp_path))
    first, second = create_app(), create_app()
    assert first.config["SECRET_KEY"] and first.config["SECRET_KEY"] != second.config["SECRET_KEY"]


def test_korean_text_is_returned_as_utf8(client, make_user):
    _, headers = make_user()
    response = client.get("/api/v1/auth/me", headers=headers)
    assert "홍길동".encode() in response.data
    assert response.content_type == "application/json"


def test_sqlite_connections_are_tuned(monkeypatch, tmp_path):
    import sqlalchemy as sa

    from patrol_api.database import SQLITE_BUSY_TIMEOUT_MS, SQLITE_MMAP_BYTES
    from patrol_api.extensions import db

    monkeypatch.setenv("PATROL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"SECRET_KEY": "k"})
    with app.app_context(), db.engine.connect() as connection:
        def pragma(name):
            return connection.execute(sa.text(f"PRAGMA {name}")).scalar()
        assert (pragma("journal_mode"), pragma("foreign_keys"), pragma("synchronous")) == (
            "wal", 1, 1)  # synchronous 1 = NORMAL
        assert (pragma("busy_timeout"), pragma("mmap_size")) == (
            SQLITE_BUSY_TIMEOUT_MS, SQLITE_MMAP_BYTES)


def test_the_docs_page_can_load_redoc_from_the_intranet(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("OPENAPI_REDOC_URL", "https://intranet.example/redoc.standalone.js")
    app = create_app({"SECRET_KEY": "k", "TESTING": True})
    page = app.test_client().get("/api/docs")
    assert page.status_code == 200
    assert b'src="https://intranet.example/redoc.standalone.js"' in page.data
    monkeypatch.delenv("OPENAPI_REDOC_URL")
    default = create_app({"SECRET_KEY": "k", "TESTING": True}).test_client().get("/api/docs")
    assert b'src="/static/vendor/redoc/redoc.standalone.js"' in default.data  # shipped copy
