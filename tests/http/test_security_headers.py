"""Security headers on every answer (one after_request hook), generated over every route, method
and caller; the sign-in answer and personal data are never stored by caches."""
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol_api.auth.roles import Role
from tests.http.test_authorization_matrix import endpoints

FILL = re.compile(r"<(?:\w+:)?(\w+)>")
SEGMENTS = st.sampled_from(["1", "999999", "abc", "%00", "..", "a" * 64, "-1", "x.csv"])


def _security_problems(response, path: str) -> list[str]:
    """What an answer lacks of the security headers."""
    headers, problems = response.headers, []
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("nosniff")
    if headers.get("X-Frame-Options") != "DENY":
        problems.append("X-Frame-Options")
    if "frame-ancestors 'none'" not in headers.get("Content-Security-Policy", ""):
        problems.append("frame-ancestors")
    if not headers.get("Referrer-Policy"):
        problems.append("Referrer-Policy")
    if path.startswith("/api/v1/") and not headers.get("Cache-Control"):
        problems.append("Cache-Control")
    return problems


@pytest.fixture
def callers(make_user):
    return {None: {}, "manager": make_user(Role.MANAGER)[1],
            "officer": make_user(Role.PATROL_OFFICER)[1]}


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_every_answer_carries_the_security_headers(app, client, callers, data):
    method, rule, _ = data.draw(st.sampled_from(endpoints(app)))
    path = FILL.sub(lambda _: data.draw(SEGMENTS), rule)
    who = data.draw(st.sampled_from(sorted(callers, key=str)))
    body = {"json": data.draw(st.sampled_from([{}, {"x": 1}, []]))} if method in (
        "POST", "PATCH", "PUT") else {}
    response = client.open(path, method=method, headers=callers[who], **body)
    assert response.status_code < 500, (method, path, response.get_json(silent=True))
    assert not _security_problems(response, path), (method, path, response.status_code,
                                                    dict(response.headers))
    if path.startswith("/api/v1/") and response.status_code != 304 and not (
            path.startswith("/api/v1/photos/") and response.status_code == 200):
        assert response.headers["Cache-Control"] == "no-store", (method, path)


def test_the_sign_in_answer_is_never_stored(client, make_user):
    user, _ = make_user(Role.VIEWER, password="correct horse battery")
    for password in ("correct horse battery", "wrong password!"):
        response = client.post("/api/v1/auth/login", json={"username": user.username,
                                                           "password": password})
        assert response.status_code in (201, 401)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_answers_with_personal_data_are_not_stored(client, make_user):
    _, headers = make_user(Role.ADMIN)
    for path in ("/api/v1/auth/me", "/api/v1/users", "/api/v1/findings", "/api/v1/me/reports"):
        response = client.get(path, headers=headers)
        assert (response.status_code, response.headers["Cache-Control"]) == (200, "no-store")


def test_api_answers_load_nothing_and_cannot_be_framed(client):
    response = client.get("/healthz")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
