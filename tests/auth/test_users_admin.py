"""User administration by admins."""
from patrol_api.auth.roles import Role


def new_user(**fields):
    """A valid new-user body."""
    body = {"username": "staff.new", "display_name": "김영희", "role": "department_staff",
            "department_code": None, "password": "a long enough password"}
    body.update(fields)
    return body


def test_admin_creates_department_staff(client, admin, demo):
    response = client.post("/api/v1/users", headers=admin,
                           json=new_user(department_code="traffic-admin"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["department_code"] == "traffic-admin"
    assert body["display_name"] == "김영희"
    login = client.post("/api/v1/auth/login",
                        json={"username": "staff.new", "password": "a long enough password"})
    assert login.status_code == 201


def test_department_staff_need_a_department(client, admin):
    response = client.post("/api/v1/users", headers=admin, json=new_user())
    assert response.status_code == 422
    assert response.get_json()["field"] == "department_code"


def test_duplicate_username_is_a_conflict(client, admin, make_user):
    make_user(username="taken")
    response = client.post("/api/v1/users", headers=admin,
                           json=new_user(username="taken", role="viewer"))
    assert response.status_code == 409
    assert response.get_json()["field"] == "username"


def test_deactivating_a_user_revokes_tokens(client, admin, make_user):
    user, headers = make_user(Role.PATROL_OFFICER)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    response = client.patch(f"/api/v1/users/{user.id}", headers=admin, json={"active": False})
    assert response.status_code == 200
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_short_password_rejected(client, admin):
    response = client.post("/api/v1/users", headers=admin,
                           json=new_user(role="viewer", password="short"))
    assert response.status_code == 422
    assert response.get_json()["field"] == "password"


def test_manager_can_list_but_not_create(client, make_user):
    _, manager = make_user(Role.MANAGER)
    assert client.get("/api/v1/users", headers=manager).status_code == 200
    response = client.post("/api/v1/users", headers=manager, json=new_user(role="viewer"))
    assert response.status_code == 403


def test_user_list_filters_by_role(client, admin, make_user):
    make_user(Role.VIEWER)
    make_user(Role.VIEWER)
    response = client.get("/api/v1/users?role=viewer", headers=admin)
    assert [u["role"] for u in response.get_json()] == ["viewer", "viewer"]
