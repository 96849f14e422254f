"""Every failure answers with one JSON shape: status, code, message, field (plus a few extras)."""
import pytest
from flask.views import MethodView

from patrol_api.auth.access import PUBLIC, allow
from patrol_api.auth.roles import Role

BASE_KEYS = {"status", "code", "message", "field", "request_id"}


def assert_error(response, status: int, code: str | None = None, extras=frozenset()) -> dict:
    """Assert the structured error shape: the base keys, and no others but `extras`."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert BASE_KEYS <= set(body) <= BASE_KEYS | set(extras), body
    assert type(body["status"]) is int and body["status"] == status
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert body["field"] is None or isinstance(body["field"], str)
    if code is not None:
        assert body["code"] == code, body
    return body


def test_unknown_url_is_404(client, admin):
    body = assert_error(client.get("/api/v1/no-such-thing", headers=admin), 404, "not_found")
    assert body["field"] is None


def test_wrong_method_is_405_with_allow_header(client, admin):
    response = client.delete("/api/v1/users", headers=admin)
    assert_error(response, 405, "method_not_allowed")
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_missing_token_is_401_with_challenge(client):
    response = client.get("/api/v1/auth/me")
    assert_error(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_401(client):
    response = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer pt_nope"})
    assert_error(response, 401, "invalid_token")


def test_forbidden_role_is_403(client, make_user):
    _, headers = make_user(Role.VIEWER)
    assert_error(client.get("/api/v1/users", headers=headers), 403, "forbidden")


def test_validation_error_names_the_field(client, admin):
    response = client.post("/api/v1/areas", json={"code": 5}, headers=admin)
    body = assert_error(response, 422, "validation_error", extras={"errors"})
    assert body["field"] == "code"
    assert "code" in body["errors"]["json"]


def test_malformed_json_is_400(client, admin):
    response = client.post("/api/v1/areas", data="{", content_type="application/json",
                           headers=admin)
    assert assert_error(response, 400, "malformed_json")["field"] == "body"


def test_payload_too_large_is_413(client, admin, app):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/api/v1/areas", data=b" " * size, content_type="application/json",
                           headers=admin)
    assert_error(response, 413, "payload_too_large")


def test_unsupported_media_type_is_415(client, admin):
    response = client.post("/api/v1/areas", data="code=x", headers=admin,
                           content_type="application/x-www-form-urlencoded")
    assert assert_error(response, 415, "unsupported_media_type")["field"] == "Content-Type"


def test_conflict_is_409(client, admin):
    body = {"code": "hq-1", "name_ko": "본청", "name_en": "HQ", "kind": "headquarters"}
    assert client.post("/api/v1/departments", json=body, headers=admin).status_code == 201
    response = client.post("/api/v1/departments", json=body, headers=admin)
    assert assert_error(response, 409, "duplicate_code")["field"] == "code"


def test_version_mismatch_is_412_with_current_version(client, admin):
    body = {"code": "hq-2", "name_ko": "본청", "name_en": "HQ", "kind": "headquarters"}
    record = client.post("/api/v1/departments", json=body, headers=admin).get_json()
    response = client.patch(f"/api/v1/departments/{record['id']}", json={"name_en": "X"},
                            headers={**admin, "If-Match": '"v999"'})
    body = assert_error(response, 412, "version_mismatch",
                        extras={"current_version", "current"})  # current: the server's copy
    assert body["current_version"] == record["version"]


def test_bad_if_match_is_400(client, admin):
    response = client.delete("/api/v1/departments/1", headers={**admin, "If-Match": "junk"})
    assert response.status_code in (400, 404)
    assert_error(response, response.status_code)


@pytest.fixture
def failing_app(app_factory):
    """A fresh app (routes can still be added) with test-only routes that raise."""
    application = app_factory()

    @allow(PUBLIC)
    def explode():
        raise RuntimeError("secret detail /etc/patrol.conf")

    class Exploding(MethodView):
        @allow(PUBLIC)
        def post(self):
            raise KeyError("another secret")

    application.add_url_rule("/test/explode", view_func=explode)
    application.add_url_rule("/test/exploding", view_func=Exploding.as_view("exploding"))
    return application


@pytest.mark.parametrize("method, url", [("GET", "/test/explode"),
                                         ("POST", "/test/exploding")])
def test_unexpected_exception_is_500_without_traceback(failing_app, method, url):
    with failing_app.app_context():
        response = failing_app.test_client().open(url, method=method, json={})
    body = assert_error(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert body["field"] is None
    for leak in ("Traceback", "secret", "RuntimeError", "KeyError", ".py", "line "):
        assert leak not in text


def test_unexpected_exception_is_logged_with_its_traceback(failing_app, caplog):
    with failing_app.app_context():
        failing_app.test_client().get("/test/explode")
    assert any(record.exc_info and record.levelname == "ERROR" for record in caplog.records)


def test_error_shape_is_documented(client):
    spec = client.get("/api/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]["properties"]
    assert set(error) >= BASE_KEYS
