"""Four image bombs uploaded, and their thumbs asked for, at once against a real server
process: its peak RSS stays within one decode slot of the documented bound (docs/media.md,
"Memory and time bounds"), because MEDIA_DECODE_CONCURRENCY=1 lets one decode run at a time.
"""
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from photoapi import jpeg, sha

from media.testing import png_bomb

MIB = 1 << 20
DECODE_BYTES = 64 * MIB  # MEDIA_MAX_DECODE_BYTES of the server under test
WORKING_BYTES = 64 * MIB  # the documented working memory beside one decode
SERVER = """
import sys
from werkzeug.serving import make_server
from patrol_api import create_app
server = make_server("127.0.0.1", 0, create_app(), threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


def peak_rss(pid: int) -> int:
    """The process's high-water RSS (VmHWM), in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) * 1024 for line in status.splitlines()
                if line.startswith("VmHWM:"))


@pytest.fixture
def server(ctx, database_url, tmp_path):
    """The app in its own process (in-process jobs, one decode slot), on the test database."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
           "MEDIA_STORAGE": "local", "MEDIA_ROOT": str(tmp_path / "media"),
           "MEDIA_MAX_DECODE_BYTES": str(DECODE_BYTES), "MEDIA_DECODE_CONCURRENCY": "1",
           "RATELIMIT_STORAGE_URI": "memory://", "TICKS_IN_PROCESS": "0",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("REDIS_URL", None)
    process = subprocess.Popen([sys.executable, "-c", SERVER], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(process.stdout.readline())
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(60)
        process.stdout.close()


def send(url: str, headers: dict, data: bytes) -> tuple[int, int]:
    """POST the photo, then GET its thumb: (upload status, thumb status), each retried after
    a 503 as a client would (a loaded machine may find the database busy for a moment)."""
    posted = _patiently(lambda: requests.post(
        f"{url}/api/v1/photos", data=data, timeout=300,
        headers={**headers, "Content-Type": "image/png", "X-Content-SHA256": sha(data)}))
    thumb = _patiently(lambda: requests.get(
        f"{url}/api/v1/photos/{sha(data)}/thumb", headers=headers, timeout=300))
    return posted.status_code, thumb.status_code


def _patiently(call, attempts: int = 30):
    """The first answer that is not a 503, waiting Retry-After between tries."""
    for _ in range(attempts - 1):
        answer = call()
        if answer.status_code != 503:
            return answer
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    return call()


def test_four_bombs_at_once_decode_one_at_a_time(server, make_user):
    process, url = server
    _, headers = make_user()
    warm_up = jpeg()
    assert send(url, headers, warm_up) == (201, 200)  # every module loaded, pools open
    before = peak_rss(process.pid)
    # Four different all-zero RGBA PNGs of about 61 MiB decoded each, 60 kB as files.
    bombs = [png_bomb(4000, 4000 - i) for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda bomb: send(url, headers, bomb), bombs))
    assert answers == [(201, 200)] * 4
    grown = peak_rss(process.pid) - before
    assert grown <= DECODE_BYTES + WORKING_BYTES, f"the server grew by {grown // MIB} MiB"
