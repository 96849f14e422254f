"""Over-long URLs are answered with the API's JSON error (414 uri_too_long) by the app, below
the server's own limit; through the real server (gunicorn as `demo-serve` runs it) too."""
import json
import socket
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from devtools.servers import free_port
from patrol_api.http.url_limit import GUNICORN_REQUEST_LINE, MAX_URL_BYTES
from patrol_api.serve import options
from tests.http.test_bad_input import assert_error

PATH = "/api/v1/categories"
PREFIX = f"{PATH}?q="


def _url(length: int, path: str = PATH) -> str:
    """A URL (path and query) of exactly `length` bytes."""
    if path == PATH:
        return PREFIX + "a" * (length - len(PREFIX))
    return "/api/v1/" + "x" * (length - len("/api/v1/"))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(length=st.integers(len(PREFIX) + 1, 3 * MAX_URL_BYTES), in_path=st.booleans())
@example(length=MAX_URL_BYTES, in_path=False)
@example(length=MAX_URL_BYTES + 1, in_path=False)
@example(length=MAX_URL_BYTES + 1, in_path=True)
def test_urls_over_the_limit_are_414_json_before_anything_else(client, length, in_path):
    url = _url(length, "/x" if in_path else PATH)
    assert len(url) == length
    response = client.get(url)  # no token: the length is checked before authentication
    if length > MAX_URL_BYTES:
        assert_error(response, 414, "uri_too_long", "url")
    else:
        assert response.status_code != 414
        assert_error(response, 404 if in_path else 401)


def test_percent_encoded_bytes_count_as_sent(client):
    encoded = "%ED%95%9C" * (MAX_URL_BYTES // 9 + 1)  # 한, nine bytes in the URL each
    assert_error(client.get(f"{PREFIX}{encoded}"), 414, "uri_too_long", "url")


def test_demo_serve_lets_long_request_lines_through_to_the_app():
    assert options("127.0.0.1", 8000, 4)["limit_request_line"] == GUNICORN_REQUEST_LINE
    assert MAX_URL_BYTES + len("DELETE  HTTP/1.1") < GUNICORN_REQUEST_LINE


SERVER = """
import sys
from patrol_api import create_app
from patrol_api.serve import serve
app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": sys.argv[2],
                  "TICKS_IN_PROCESS": "0", "REDIS_URL": None})
serve(app, "127.0.0.1", int(sys.argv[1]), 2)
"""


def _raw_get(port: int, target: str) -> tuple[int, str, bytes]:
    """Status, content type and body of a GET sent as raw bytes."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers.get("Content-Type", ""), body


@pytest.fixture
def gunicorn(tmp_path):
    """The app served by gunicorn as demo-serve runs it, on a free port."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port),
                                f"sqlite:///{tmp_path / 'patrol.db'}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # a condition with a generous ceiling, not a time limit
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, "the server stopped"
                time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_through_gunicorn_a_long_url_gets_the_json_error(gunicorn):
    status, kind, body = _raw_get(gunicorn, _url(MAX_URL_BYTES + 1))
    assert (status, kind) == (414, "application/json")
    assert json.loads(body)["code"] == "uri_too_long"
    status, kind, body = _raw_get(gunicorn, _url(GUNICORN_REQUEST_LINE - 100))
    assert (status, json.loads(body)["code"]) == (414, "uri_too_long")
    assert _raw_get(gunicorn, _url(MAX_URL_BYTES))[0] == 401
