"""The photo jobs on a real Redis with the rq worker command; a slow upload blocks no writer."""
import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from photoapi import create, jpeg, noisy_jpeg, sha, upload

from patrol_api import jobs
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import MediaBlob
from patrol_api.models.media import MediaDerivative
from patrol_api.photos import jobs as photo_jobs


def test_derivatives_are_made_by_the_rq_worker(ctx, make_user, app_factory, database_url,
                                               redis_url, tmp_path):
    media_root = tmp_path / "media"
    queued = app_factory(REDIS_URL=redis_url, MEDIA_ROOT=str(media_root))
    _, headers = make_user(Role.PATROL_OFFICER)
    data = jpeg()
    with queued.app_context():
        client = queued.test_client()
        upload(client, headers, data)
        queued_jobs = {job.args[0] for job in jobs.queue().jobs}
        assert {"patrol_api.photos.jobs:make_derivatives",
                "sync.photos:blob_verified"} <= queued_jobs
        assert db.session.execute(sa.select(MediaDerivative)).first() is None
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "SECRET_KEY": "test", "MEDIA_STORAGE": "local", "MEDIA_ROOT": str(media_root)}
    worker = [sys.executable, "-m", "patrol_api.cli", "worker", "--burst"]
    done = subprocess.run(worker, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    db.session.rollback()
    kinds = db.session.execute(sa.select(MediaDerivative.kind).where(
        MediaDerivative.sha256 == sha(data))).scalars().all()
    assert sorted(kinds) == ["screen", "thumb"]
    assert len(list(media_root.joinpath("derivatives").rglob("*.jpg"))) == 2


def test_make_derivatives_skips_unknown_and_unverified_blobs(ctx, store):
    assert photo_jobs.make_derivatives("0" * 64) == 0
    db.session.add(MediaBlob(sha256="1" * 64, size=10, mime="image/jpeg"))
    db.session.commit()
    assert photo_jobs.make_derivatives("1" * 64) == 0


def test_a_slow_upload_holds_no_database_lock(live_server, officer, sign_in):
    """While a phone trickles a chunk in, other requests still write at once (on SQLite too,
    where a held write lock would stall them for the 15 s busy timeout)."""
    data = noisy_jpeg(seed=5)
    location = create(_Client(live_server.url), officer[1], data).headers["Location"]
    parts = urlsplit(live_server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as slow:
        head = "".join(f"{k}: {v}\r\n" for k, v in {
            **officer[1], "Host": parts.netloc, "Tus-Resumable": "1.0.0",
            "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0",
            "Content-Length": str(len(data)), "Connection": "close"}.items())
        slow.sendall(f"PATCH {location} HTTP/1.1\r\n{head}\r\n".encode() + data[:1000])
        time.sleep(0.3)  # the server is now reading the body
        started = time.monotonic()
        other = create(_Client(live_server.url), sign_in(Role.PATROL_OFFICER)[1], jpeg(seed=9))
        assert other.status_code == 201 and time.monotonic() - started < 5
        slow.sendall(data[1000:])
        answer = slow.recv(65536)
    assert answer.startswith(b"HTTP/1.1 204")
    db.session.rollback()
    assert db.session.get(MediaBlob, sha(data)).verified_at is not None


class _Client:
    """Just enough of a test client over real HTTP for photoapi.create."""

    def __init__(self, base: str):
        self.base = base

    def post(self, path: str, headers: dict) -> requests.Response:
        return requests.post(self.base + path, headers=headers, timeout=30)
