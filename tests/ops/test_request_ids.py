"""One request id per request: in the response header, every log line and every error body."""
import json
import logging
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patrol_api.auth.access import PUBLIC, allow
from patrol_api.ops import logs

HEX_ID = re.compile(r"[0-9a-f]{32}")


def test_each_request_gets_its_own_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert HEX_ID.fullmatch(first.headers["X-Request-ID"])
    assert HEX_ID.fullmatch(second.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_error_bodies_carry_the_id_of_the_response(client):
    for response in (client.get("/api/v1/nowhere"), client.get("/api/v1/auth/me"),
                     client.post("/api/v1/auth/login", data="{", content_type="application/json")):
        assert response.status_code >= 400
        assert response.get_json()["request_id"] == response.headers["X-Request-ID"]


def test_a_client_cannot_choose_its_id_without_a_trusted_proxy(client):
    response = client.get("/healthz", headers={"X-Request-ID": "chosen-by-client"})
    assert response.headers["X-Request-ID"] != "chosen-by-client"
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])


def test_the_trusted_proxys_id_is_kept(app_factory):
    app = app_factory(TRUSTED_PROXIES=1)
    with app.app_context():
        response = app.test_client().get("/api/v1/auth/me",
                                         headers={"X-Request-ID": "nginx-7f3a.01:2"})
    assert response.headers["X-Request-ID"] == "nginx-7f3a.01:2"
    assert response.get_json()["request_id"] == "nginx-7f3a.01:2"


def test_the_header_name_is_a_setting(app_factory):
    app = app_factory(TRUSTED_PROXIES=1, REQUEST_ID_HEADER="X-Correlation-ID")
    with app.app_context():
        response = app.test_client().get("/healthz", headers={"X-Correlation-ID": "abc-123"})
    assert response.headers["X-Correlation-ID"] == "abc-123"
    assert "X-Request-ID" not in response.headers


@pytest.fixture(scope="module")
def proxied_app():
    """An app behind a trusted proxy (module-wide: hypothesis calls the test many times)."""
    from tests.conftest import make_app

    app = make_app("sqlite://", TRUSTED_PROXIES=1, RATELIMIT_STORAGE_URI="memory://")
    return app


@given(st.one_of(st.text(max_size=200), st.binary(max_size=80).map(lambda b: b.hex() * 3)))
def test_unsafe_proxy_ids_are_replaced(proxied_app, value):
    """Whatever the header holds, the id used is short and plain: the proxy's if it is,
    otherwise a new one."""
    try:
        response = proxied_app.test_client().get("/healthz", headers={"X-Request-ID": value})
    except ValueError:
        return  # werkzeug refuses to send a header with a newline: nothing reaches the app
    used = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", used)
    if used != value.strip():
        assert HEX_ID.fullmatch(used)


@pytest.mark.parametrize("value", ["", "a" * 65, "id with spaces", "id\tx", "아이디",
                                   "x;rm -rf", "<script>", "../../etc"])
def test_these_proxy_ids_are_replaced(proxied_app, value):
    used = proxied_app.test_client().get("/healthz",
                                         headers={"X-Request-ID": value}).headers["X-Request-ID"]
    assert HEX_ID.fullmatch(used)


def test_every_log_line_of_a_request_carries_its_id(app_factory, caplog):
    app = app_factory()

    @allow(PUBLIC)
    def chatty():
        logging.getLogger("patrol_api.test").info("first line")
        logging.getLogger("somewhere.else").warning("second line")
        raise RuntimeError("and a failure")

    app.add_url_rule("/test/chatty", view_func=chatty)
    caplog.set_level(logging.INFO)
    with app.app_context():
        response = app.test_client().get("/test/chatty")
    request_id = response.headers["X-Request-ID"]
    assert response.get_json()["request_id"] == request_id
    lines = [r for r in caplog.records if r.name in ("patrol_api.test", "somewhere.else",
                                                       "patrol_api.api")]
    assert len(lines) == 3
    assert {record.request_id for record in lines} == {request_id}
    outside = logging.getLogger("patrol_api.test").makeRecord(
        "x", logging.INFO, __file__, 1, "outside", (), None)
    assert outside.request_id == logs.NO_REQUEST


def _record(message, *args, exc_info=None):
    record = logging.getLogger("patrol_api.test").makeRecord(
        "patrol_api.test", logging.ERROR, __file__, 1, message, args, exc_info)
    record.request_id = "abc123"
    return record


def test_json_log_lines_are_one_object_each():
    line = logs.formatter("json").format(_record("접수 %s건", 3))
    assert "\n" not in line
    body = json.loads(line)
    assert body["message"] == "접수 3건" and body["request_id"] == "abc123"
    assert body["level"] == "ERROR" and body["logger"] == "patrol_api.test" and body["time"]


def test_json_log_lines_keep_tracebacks_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        line = logs.formatter("json").format(_record("failed", exc_info=sys.exc_info()))
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exc_info"]


def test_plain_lines_show_the_id():
    assert "[abc123]" in logs.formatter("plain").format(_record("hello"))


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logs.formatter("xml")


SERVER_PROCESS = """
import logging, sys
from patrol_api import create_app
from patrol_api.auth.access import PUBLIC, allow

app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                  "TRUSTED_PROXIES": 1})

@allow(PUBLIC)
def hello():
    logging.getLogger("patrol_api.demo").warning("안녕 Authorization: Bearer pt_abcdefghijklmnop")
    return "ok"

app.add_url_rule("/hello", view_func=hello)
app.test_client().get("/hello", headers={"X-Request-ID": "from-nginx-42"})
"""


def test_json_lines_from_a_server_process(tmp_path):
    """A process started with LOG_FORMAT=json writes one JSON object per line on stderr,
    with the request id and the token redacted."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "LOG_FORMAT": "json", "PATROL_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", SERVER_PROCESS], env=env, capture_output=True,
                          text=True, check=True, cwd=os.getcwd())
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    mine = [line for line in lines if line["logger"] == "patrol_api.demo"]
    assert len(mine) == 1
    assert mine[0]["request_id"] == "from-nginx-42" and mine[0]["level"] == "WARNING"
    assert mine[0]["message"] == "안녕 Authorization: Bearer [redacted]"
    assert "pt_abcdefghijklmnop" not in done.stderr


def test_a_bad_log_format_stops_start_up(app_factory):
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        app_factory(LOG_FORMAT="yaml")
