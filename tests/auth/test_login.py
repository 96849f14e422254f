"""Sign-in, device-bound tokens, revocation and throttling."""
from datetime import timedelta

import sqlalchemy as sa

from patrol_api.auth import passwords
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import ApiToken, Device
from patrol_api.models.base import utcnow

PASSWORD = "correct horse battery"
DEVICE = {"client_uid": "android-4f2a9c01", "name": "Galaxy A54", "platform": "android"}


def login(client, username, password=PASSWORD, device=None):
    """POST /auth/login."""
    body = {"username": username, "password": password}
    if device:
        body["device"] = device
    return client.post("/api/v1/auth/login", json=body)


def bearer(response) -> dict:
    """Authorization header from a login response."""
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_login_returns_token_and_user(client, make_user):
    user, _ = make_user(Role.PATROL_OFFICER, username="patrol.kim")
    response = login(client, "patrol.kim")
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("pt_")
    assert body["user"]["username"] == "patrol.kim"
    assert body["user"]["role_label_ko"] == "순찰요원"
    assert "password" not in str(body["user"])
    assert body["device"] is None
    me = client.get("/api/v1/auth/me", headers=bearer(response))
    assert me.get_json()["id"] == user.id


def test_token_is_stored_hashed(client, make_user):
    make_user(username="hashed.user")
    raw = login(client, "hashed.user").get_json()["token"]
    stored = db.session.execute(sa.select(ApiToken.token_hash)).scalars().all()
    assert raw not in stored
    assert all(len(value) == 64 for value in stored)


def test_password_hash_is_argon2id(ctx):
    stored = passwords.hash_password("비밀번호는 길게 써야 합니다")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "비밀번호는 길게 써야 합니다")
    assert not passwords.verify_password(stored, "wrong")
    assert not passwords.verify_password(None, "anything")


def test_wrong_password_and_unknown_user_look_the_same(client, make_user):
    make_user(username="someone")
    wrong = login(client, "someone", "not the password")
    unknown = login(client, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    same = [{k: v for k, v in r.get_json().items() if k != "request_id"} for r in (wrong, unknown)]
    assert same[0] == same[1]
    assert wrong.get_json()["code"] == "bad_credentials"


def test_inactive_user_cannot_sign_in(client, make_user):
    user, _ = make_user(username="left.office")
    user.active = False
    db.session.commit()
    assert login(client, "left.office").status_code == 401


def test_device_login_binds_token_to_device(client, make_user):
    make_user(username="patrol.lee")
    response = login(client, "patrol.lee", device=DEVICE)
    assert response.status_code == 201
    device = response.get_json()["device"]
    assert device["client_uid"] == DEVICE["client_uid"]
    again = login(client, "patrol.lee", device=DEVICE).get_json()["device"]
    assert again["id"] == device["id"]  # the same installation is one device
    token = db.session.execute(sa.select(ApiToken).order_by(ApiToken.id.desc())).scalar()
    assert token.device_id == device["id"]
    assert token.expires_at - utcnow() > timedelta(days=30)


def test_revoking_device_stops_its_tokens_at_next_request(client, make_user):
    make_user(username="lost.phone")
    phone = bearer(login(client, "lost.phone", device=DEVICE))
    web = bearer(login(client, "lost.phone"))
    device_id = client.get("/api/v1/devices", headers=web).get_json()[0]["id"]
    assert client.get("/api/v1/auth/me", headers=phone).status_code == 200
    assert client.delete(f"/api/v1/devices/{device_id}", headers=web).status_code == 204
    response = client.get("/api/v1/auth/me", headers=phone)
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"
    assert client.get("/api/v1/auth/me", headers=web).status_code == 200
    relogin = login(client, "lost.phone", device=DEVICE)
    assert relogin.status_code == 403
    assert relogin.get_json()["field"] == "device.client_uid"


def test_users_see_only_their_own_devices(client, make_user):
    make_user(username="owner.one")
    make_user(username="owner.two")
    bearer(login(client, "owner.one", device=DEVICE))
    other = bearer(login(client, "owner.two"))
    assert client.get("/api/v1/devices", headers=other).get_json() == []
    device_id = db.session.execute(sa.select(Device.id)).scalar()
    assert client.delete(f"/api/v1/devices/{device_id}", headers=other).status_code == 404
    _, admin = make_user(Role.ADMIN)
    assert len(client.get("/api/v1/devices", headers=admin).get_json()) == 1


def test_logout_revokes_the_token(client, make_user):
    make_user(username="going.home")
    headers = bearer(login(client, "going.home"))
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_expired_token_is_refused(client, make_user):
    _, headers = make_user()
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_password_change_revokes_other_tokens(client, make_user):
    make_user(username="changer")
    first = bearer(login(client, "changer"))
    second = bearer(login(client, "changer"))
    body = {"current_password": PASSWORD, "new_password": "새 비밀번호 2026!"}
    assert client.post("/api/v1/auth/password", json=body, headers=first).status_code == 204
    assert client.get("/api/v1/auth/me", headers=first).status_code == 200
    assert client.get("/api/v1/auth/me", headers=second).status_code == 401
    assert login(client, "changer", "새 비밀번호 2026!").status_code == 201


def test_failed_logins_are_throttled_per_user(client, make_user):
    make_user(username="target")
    statuses = [login(client, "target", "guess").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    throttled = login(client, "target", "guess")
    assert throttled.get_json()["code"] == "too_many_requests"
    assert "Retry-After" in throttled.headers
    make_user(username="bystander")
    assert login(client, "bystander").status_code == 201  # another account is not locked out


def test_successful_logins_are_not_counted(client, make_user):
    make_user(username="busy.user")
    assert all(login(client, "busy.user").status_code == 201 for _ in range(8))


def test_forwarded_for_is_ignored_without_trusted_proxy(client, make_user):
    make_user(username="spoof.target")
    for number in range(5):
        client.post("/api/v1/auth/login", json={"username": "spoof.target", "password": "x"},
                    headers={"X-Forwarded-For": f"10.0.0.{number}"})
    blocked = client.post("/api/v1/auth/login", json={"username": "spoof.target",
                                                      "password": "x"},
                          headers={"X-Forwarded-For": "10.0.0.99"})
    assert blocked.status_code == 429
