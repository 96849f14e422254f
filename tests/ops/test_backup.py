"""`patrol-api backup` / `restore`: a restore drill end to end, consistency under writes,
verification of the manifest, refusals."""
import hashlib
import json
import sqlite3
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from media.keys import blob_key
from media.local_storage import LocalDiskStorage
from patrol_api import photos
from patrol_api.auth import tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import ObservationPhoto
from patrol_api.ops import backup
from tests.conftest import BACKEND
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, take
from tests.photos.photoapi import jpeg, sha

sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="the embedded default's backup")
DATA_TABLES = ("finding", "finding_event", "observation", "observation_photo", "media_blob",
               "media_derivative", "media_metadata")


@pytest.fixture
def media_root(ctx, tmp_path, monkeypatch):
    """The app's media directory (config and storage agree) under tmp_path."""
    root = tmp_path / "instance-media"
    monkeypatch.setitem(ctx.config, "MEDIA_ROOT", str(root))
    monkeypatch.setitem(ctx.config, "MEDIA_STORAGE", "local")
    monkeypatch.setitem(ctx.extensions, photos.EXTENSION, LocalDiskStorage(root))
    return root


def upload_photo(client, headers, seed: int) -> str:
    """Send a real JPEG through POST /api/v1/photos; its digest."""
    data = jpeg(seed=seed)
    response = client.post("/api/v1/photos", data=data, content_type="image/jpeg",
                           headers={**headers, "X-Content-SHA256": sha(data)})
    assert response.status_code in (200, 201), response.get_json()
    return sha(data)


def report(observe, user, client, headers, seed: int, point=SPOT):
    """An observation with an uploaded photo, taken in by the intake: its finding."""
    digest = upload_photo(client, headers, seed)
    obs = observe("roads", user=user, point=point)
    db.session.add(ObservationPhoto(observation_id=obs.id, sha256=digest, role="before",
                                    position=0))
    db.session.commit()
    return take(obs)


def state(media_root) -> dict:
    """Every row of the finding, event and photo tables, and every media file's digest."""
    db.session.expire_all()
    rows = {}
    for name in DATA_TABLES:
        table = db.metadata.tables[name]
        result = db.session.execute(sa.select(table).order_by(*table.primary_key.columns))
        rows[name] = [tuple(str(value) for value in row) for row in result]
    files = {path.relative_to(media_root).as_posix():
             hashlib.sha256(path.read_bytes()).hexdigest()
             for path in media_root.rglob("*") if path.is_file()}
    return {"rows": rows, "files": files}


@sqlite_only
def test_restore_drill(ctx, client, media_root, observe, reporter, make_user, world, tmp_path):

    officer = reporter()
    phone = {"Authorization": "Bearer " + tokens.issue(officer, officer.device,
                                                       timedelta(days=1))}
    db.session.commit()
    staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0]
    first = report(observe, officer, client, phone, seed=1)
    second = report(observe, officer, client, phone, seed=2, point=offset(SPOT, 500))
    act(staff, first, "acknowledge")
    act(staff, first, "start", note="보수 업체 배정")
    act(staff, second, "hold", reason="budget", note="추경 예산 대기")
    before = state(media_root)
    assert len(before["rows"]["finding"]) == 2 and len(before["rows"]["finding_event"]) >= 5
    assert any(key.startswith("derivatives/") for key in before["files"])
    blob_files = [key for key in before["files"] if key.startswith("blobs/")]
    assert len(blob_files) == 2

    dest = tmp_path / "backup-1"
    runner = ctx.test_cli_runner()
    done = runner.invoke(args=["backup", str(dest)])
    assert done.exit_code == 0, done.output
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["database"]["counts"]["finding"] == 2
    assert manifest["database"]["integrity"] == "ok"
    assert {e["key"]: e["sha256"] for e in manifest["media"]["entries"]} == before["files"]

    # the day goes on: a new finding with a photo, actions, a photo file lost
    report(observe, officer, client, phone, seed=3, point=offset(SPOT, 900))
    act(staff, first, "hold", reason="budget", note="자재 대기")
    act(staff, second, "resume")
    (media_root / blob_files[0]).unlink()
    changed = state(media_root)
    assert changed != before

    refused = runner.invoke(args=["restore", str(dest)])
    assert refused.exit_code != 0 and "--force" in refused.output
    assert state(media_root) == changed

    restored = runner.invoke(args=["restore", str(dest), "--force"])
    assert restored.exit_code == 0, restored.output
    db.session.remove()
    db.engine.dispose()
    assert state(media_root) == before


@sqlite_only
def test_a_damaged_backup_is_refused(ctx, client, media_root, observe, reporter, tmp_path):
    officer = reporter()
    phone = {"Authorization": "Bearer " + tokens.issue(officer, officer.device,
                                                       timedelta(days=1))}
    db.session.commit()
    report(observe, officer, client, phone, seed=5)
    dest = tmp_path / "backup"
    runner = ctx.test_cli_runner()
    assert runner.invoke(args=["backup", str(dest)]).exit_code == 0
    damaged = next((dest / "media" / "blobs").rglob("*"))
    while damaged.is_dir():
        damaged = next(damaged.iterdir())
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"\0")
    outcome = runner.invoke(args=["restore", str(dest), "--force"])
    assert outcome.exit_code != 0
    assert "differs from the manifest" in outcome.output


@sqlite_only
def test_backup_refuses_a_non_empty_destination(ctx, media_root, tmp_path):
    dest = tmp_path / "taken"
    dest.mkdir()
    (dest / "something").write_text("x")
    outcome = ctx.test_cli_runner().invoke(args=["backup", str(dest)])
    assert outcome.exit_code != 0 and "not empty" in outcome.output


def test_postgresql_is_refused_with_a_pointer_to_the_procedure():
    config = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:secret@db/patrol",
              "MEDIA_STORAGE": "local", "MEDIA_ROOT": "/tmp/x"}
    with pytest.raises(backup.BackupError, match="pg_dump.*operations.md") as caught:
        backup.Instance.from_config(config)
    assert "secret" not in str(caught.value)
    s3 = {"SQLALCHEMY_DATABASE_URI": "sqlite:////tmp/p.db", "MEDIA_STORAGE": "s3"}
    with pytest.raises(backup.BackupError, match="operations.md"):
        backup.Instance.from_config(s3)


def test_the_backup_is_one_committed_state_while_a_writer_writes(tmp_path):
    """A writer commits pairs of rows while the backup runs: the copy holds whole pairs,
    and every blob its rows name is in the copied media."""
    database, media = tmp_path / "live.db", tmp_path / "media"
    store = LocalDiskStorage(media)
    setup = sqlite3.connect(database, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.executescript("""
        CREATE TABLE pair (id INTEGER PRIMARY KEY, n INTEGER);
        CREATE TABLE media_blob (sha256 TEXT PRIMARY KEY, verified_at TEXT);
        CREATE TABLE media_derivative (key TEXT);
        CREATE TABLE upload_session (parts TEXT, state TEXT);
    """)
    setup.close()
    stop = threading.Event()

    def writer():
        connection = sqlite3.connect(database, isolation_level=None, timeout=30)
        number = 0
        while not stop.is_set():
            number += 1
            content = f"photo {number}".encode()
            digest = hashlib.sha256(content).hexdigest()
            store.put(blob_key(digest), content)  # the file first, then the row (as the app)
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO pair (n) VALUES (?), (?)", (number, number))
            connection.execute("INSERT INTO media_blob VALUES (?, 'now')", (digest,))
            connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while not media.exists() or sum(1 for _ in media.rglob("*")) < 40:
            stop.wait(0.01)
        manifests = [backup.backup(backup.Instance(database, media), tmp_path / f"b{i}")
                     for i in range(3)]
    finally:
        stop.set()
        thread.join()
    for number, manifest in enumerate(manifests):
        counts = manifest["database"]["counts"]
        assert counts["pair"] == 2 * counts["media_blob"] > 0
        copy = sqlite3.connect(tmp_path / f"b{number}" / "patrol.db")
        named = {row[0] for row in copy.execute("SELECT sha256 FROM media_blob")}
        copy.close()
        copied = {entry["key"] for entry in manifest["media"]["entries"]}
        assert {blob_key(digest) for digest in named} <= copied


@sqlite_only
def test_restore_into_a_new_instance_needs_no_force(ctx, client, media_root, observe, reporter,
                                                    tmp_path):
    """A freshly migrated, empty instance (another data directory) takes the backup."""
    from flask_migrate import upgrade

    from tests.conftest import make_app

    officer = reporter()
    phone = {"Authorization": "Bearer " + tokens.issue(officer, officer.device,
                                                       timedelta(days=1))}
    db.session.commit()
    report(observe, officer, client, phone, seed=7)
    dest = tmp_path / "backup"
    assert ctx.test_cli_runner().invoke(args=["backup", str(dest)]).exit_code == 0
    expected = state(media_root)

    fresh_root = tmp_path / "fresh"
    fresh = make_app(f"sqlite:///{fresh_root / 'patrol.db'}", MEDIA_ROOT=str(fresh_root / "m"),
                     RATELIMIT_STORAGE_URI="memory://")
    with fresh.app_context():
        upgrade(revision="heads")
        db.session.remove()
        outcome = fresh.test_cli_runner().invoke(args=["restore", str(dest)])
        assert outcome.exit_code == 0, outcome.output
        assert state(fresh_root / "m") == expected
        db.session.remove()
        db.engine.dispose()
