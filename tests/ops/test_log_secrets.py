"""No password, raw token or Authorization header value reaches a log line."""
import logging
import secrets

from hypothesis import given
from hypothesis import strategies as st

from patrol_api.auth.roles import Role
from patrol_api.ops import logs

PASSWORD = "correct horse battery"
NEW_PASSWORD = "새 비밀번호 2026! zebra"
ADMIN_SET_PASSWORD = "admin-chosen pass 77"
WRONG_PASSWORD = "wrong-but-still-secret 42"


def _everything_logged(caplog) -> list[str]:
    """Each record's message, arguments and traceback, and the formatted capture."""
    texts = [caplog.text]
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.append(repr(record.args))
        if record.exc_info:
            texts.append(logging.Formatter().formatException(record.exc_info))
    return texts


def test_sign_in_tokens_and_password_changes_log_no_secret(client, make_user, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # even SQL echo with values
    officer, _ = make_user(Role.PATROL_OFFICER, username="log.officer", password=PASSWORD)
    _, admin_headers = make_user(Role.ADMIN)
    secret_values = [PASSWORD, NEW_PASSWORD, ADMIN_SET_PASSWORD, WRONG_PASSWORD,
                     admin_headers["Authorization"], admin_headers["Authorization"][7:]]

    wrong = client.post("/api/v1/auth/login",
                        json={"username": "log.officer", "password": WRONG_PASSWORD})
    assert wrong.status_code == 401
    web = client.post("/api/v1/auth/login", json={"username": "log.officer",
                                                  "password": PASSWORD})
    phone = client.post("/api/v1/auth/login", json={
        "username": "log.officer", "password": PASSWORD,
        "device": {"client_uid": "log-phone-0001", "platform": "android"}})
    assert web.status_code in (200, 201) and phone.status_code in (200, 201)
    web_token, phone_token = web.get_json()["token"], phone.get_json()["token"]
    secret_values += [web_token, phone_token]
    web_headers = {"Authorization": f"Bearer {web_token}"}
    phone_headers = {"Authorization": f"Bearer {phone_token}"}

    assert client.get("/api/v1/auth/me", headers=phone_headers).status_code == 200
    assert client.get("/api/v1/devices", headers=phone_headers).status_code == 200
    assert client.get("/api/v1/users", headers=admin_headers).status_code == 200
    forged = "Bearer pt_" + secrets.token_urlsafe(32)
    secret_values.append(forged)
    assert client.get("/api/v1/auth/me", headers={"Authorization": forged}).status_code == 401
    change = client.post("/api/v1/auth/password", headers=web_headers, json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert change.status_code == 204
    refused = client.post("/api/v1/auth/password", headers=web_headers, json={
        "current_password": WRONG_PASSWORD, "new_password": "short"})
    assert refused.status_code in (400, 403, 422)
    reset = client.patch(f"/api/v1/users/{officer.id}", headers=admin_headers,
                         json={"password": ADMIN_SET_PASSWORD})
    assert reset.status_code == 200
    assert client.post("/api/v1/auth/logout", headers=admin_headers).status_code == 204

    assert caplog.records, "nothing was logged: the capture is not working"
    logged = "\n".join(_everything_logged(caplog))
    for value in secret_values:
        assert value not in logged


def test_an_unexpected_error_logs_no_authorization(app_factory, make_user, caplog):
    from patrol_api.auth.access import PUBLIC, allow

    app = app_factory()
    _, headers = make_user(Role.ADMIN)

    @allow(PUBLIC)
    def explode():
        from flask import request

        raise RuntimeError(f"failed for {request.headers['Authorization']}")

    app.add_url_rule("/test/explode-auth", view_func=explode)
    handler = logging.StreamHandler(stream := __import__("io").StringIO())
    handler.setFormatter(logs.formatter("plain"))
    logging.getLogger().addHandler(handler)
    try:
        with app.app_context():
            assert app.test_client().get("/test/explode-auth", headers=headers).status_code == 500
    finally:
        logging.getLogger().removeHandler(handler)
    written = stream.getvalue()
    assert "RuntimeError: failed for Bearer [redacted]" in written
    assert headers["Authorization"][7:] not in written


TOKENS = st.builds(lambda n: "pt_" + secrets.token_urlsafe(n), st.integers(8, 48))
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(TEXT, TOKENS, TEXT)
def test_tokens_anywhere_in_a_line_are_redacted(before, token, after):
    line = logs.redact(f"{before} {token} {after}")
    assert token not in line


@given(TEXT, st.text(alphabet=st.characters(blacklist_categories=("Cs", "Z", "Cc")),
                     min_size=1, max_size=40))
def test_bearer_values_are_redacted(before, value):
    for header in (f"Authorization: Bearer {value}", f"'authorization': 'bearer {value}'"):
        line = logs.redact(f"{before} {header}")
        assert "[redacted]" in line


def test_password_values_are_redacted():
    for text in ('{"password": "hunter2 long"}', "password=hunter2", "new_password: hunter2",
                 "{'current_password': 'hunter2'}"):
        assert "hunter2" not in logs.redact(text)
    assert logs.redact("no secret here 접수") == "no secret here 접수"
