"""GET /healthz says the process is alive; GET /readyz checks what serving needs."""
import pytest
from flask_migrate import downgrade, upgrade

from devtools import servers
from media.local_storage import LocalDiskStorage
from patrol_api import photos
from patrol_api.extensions import db
from patrol_api.ops import readiness
from tests.conftest import BACKEND, make_app


@pytest.fixture
def media_root(ctx, tmp_path, monkeypatch):
    """The app's media store: an empty local directory of this test."""
    root = tmp_path / "media"
    monkeypatch.setitem(ctx.extensions, photos.EXTENSION, LocalDiskStorage(root))
    return root


def test_healthz_is_liveness_only(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_all_fine(client, media_root):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready" and body["failing"] == []
    checks = body["checks"]
    assert set(checks) == {"database", "migrations", "queue", "media"}
    assert checks["database"] == {"ok": True, "backend": db.engine.dialect.name}
    assert checks["migrations"]["current"] == checks["migrations"]["head"]
    assert checks["migrations"]["head"] == list(readiness.script_heads())
    assert checks["queue"] == {"ok": True, "mode": "in-process"}
    assert checks["media"]["ok"] is True
    assert list(media_root.iterdir()) == []  # the write probe leaves nothing behind
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_media_store_not_writable(client, tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_bytes(b"not a directory")
    monkeypatch.setitem(client.application.extensions, photos.EXTENSION,
                        LocalDiskStorage(blocked / "media"))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["media"]
    assert body["checks"]["media"]["ok"] is False
    assert body["checks"]["media"]["error"].startswith("unreachable: ")
    assert str(tmp_path) not in response.get_data(as_text=True)


@pytest.mark.redis
def test_readyz_with_redis_then_stopped(app_factory, tmp_path):
    """Redis up: ready; Redis stopped: 503 naming the queue, and no URL in the body."""
    reason = servers.redis_missing_reason()
    if reason:
        pytest.skip(f"NOT TESTED - Redis missing: {reason}")
    with servers.RedisServer() as redis:
        app = app_factory(REDIS_URL=redis.url, MEDIA_ROOT=str(tmp_path / "media"))
        client = app.test_client()
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.get_json()
        assert ready.get_json()["checks"]["queue"] == {"ok": True, "mode": "redis"}
        port = str(redis.port)
        redis.stop()
        down = client.get("/readyz")
    assert down.status_code == 503
    body = down.get_json()
    assert body["status"] == "not_ready" and body["failing"] == ["queue"]
    assert body["checks"]["queue"]["ok"] is False
    text = down.get_data(as_text=True)
    assert "127.0.0.1" not in text and port not in text and "redis://" not in text


def _older_database_url(request, tmp_path) -> str:
    if BACKEND == "postgresql":
        server = request.getfixturevalue("postgres_server")
        return server.create_database(f"ready_{tmp_path.name[-12:].lower()}".replace("-", "_"))
    return f"sqlite:///{tmp_path / 'older.db'}"


def test_readyz_database_at_an_older_migration(request, tmp_path):
    app = make_app(_older_database_url(request, tmp_path), MEDIA_ROOT=str(tmp_path / "media"))
    with app.app_context():
        upgrade(revision="heads")
        downgrade(revision="-1")
        response = app.test_client().get("/readyz")
        body = response.get_json()
        assert response.status_code == 503
        assert body["failing"] == ["migrations"]
        migrations = body["checks"]["migrations"]
        assert migrations["current"] != migrations["head"]
        assert "db upgrade" in migrations["error"]
        upgrade(revision="heads")
        assert app.test_client().get("/readyz").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_readyz_database_unreachable(tmp_path):
    missing = tmp_path / "no-such-dir" / "x.db"
    app = make_app(f"sqlite:///{missing}", MEDIA_ROOT=str(tmp_path / "media"))
    missing.parent.rmdir()  # create_app made the directory; take it away again
    with app.app_context():
        response = app.test_client().get("/readyz")
        db.engine.dispose()
    body = response.get_json()
    assert response.status_code == 503
    assert set(body["failing"]) == {"database", "migrations"}
    assert body["checks"]["database"]["error"].startswith("unreachable: ")
    assert str(tmp_path) not in response.get_data(as_text=True)
