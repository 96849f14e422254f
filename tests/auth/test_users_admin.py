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


SQUARE = [[126.90, 37.50], [126.91, 37.50], [126.91, 37.51], [126.90, 37.51], [126.90, 37.50]]


def _area(client, admin, code):
    """Create a dong area through the API."""
    response = client.post("/api/v1/areas", headers=admin, json={
        "code": code, "name_ko": code, "name_en": code,
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]}})
    assert response.status_code == 201, response.get_json()


def test_team_and_patrol_areas_are_written_and_read(client, admin):
    _area(client, admin, "11560540")
    _area(client, admin, "11560535")
    response = client.post("/api/v1/users", headers=admin, json=new_user(
        username="patrol.new", role="patrol_officer", team="환경순찰 1조",
        patrol_area_codes=["11560540", "11560535", "11560540"]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["team"], body["patrol_area_codes"]) == ("환경순찰 1조", ["11560540", "11560535"])
    user_id = body["id"]
    changed = client.patch(f"/api/v1/users/{user_id}", headers=admin,
                           json={"team": "환경순찰 2조", "patrol_area_codes": ["11560535"]})
    assert changed.status_code == 200
    again = client.get(f"/api/v1/users/{user_id}", headers=admin).get_json()
    assert (again["team"], again["patrol_area_codes"]) == ("환경순찰 2조", ["11560535"])
    listed = client.get("/api/v1/users?team=환경순찰 2조", headers=admin).get_json()
    assert [u["id"] for u in listed] == [user_id]
    cleared = client.patch(f"/api/v1/users/{user_id}", headers=admin,
                           json={"team": None, "patrol_area_codes": []}).get_json()
    assert (cleared["team"], cleared["patrol_area_codes"]) == (None, [])


def test_unknown_or_retired_area_code_is_a_structured_422(client, admin, make_user):
    _area(client, admin, "11560540")
    _area(client, admin, "11560550")
    retired = client.get("/api/v1/areas?q=11560550", headers=admin).get_json()[0]
    assert client.delete(f"/api/v1/areas/{retired['id']}", headers=admin).status_code == 204
    user, _ = make_user(Role.PATROL_OFFICER)
    for codes, unknown in ((["11560540", "99999999"], ["99999999"]),
                           (["11560550"], ["11560550"])):
        response = client.patch(f"/api/v1/users/{user.id}", headers=admin,
                                json={"patrol_area_codes": codes})
        body = response.get_json()
        assert response.status_code == 422
        assert (body["code"], body["field"], body["unknown"]) == (
            "unknown_reference", "patrol_area_codes", unknown)
    assert client.get(f"/api/v1/users/{user.id}", headers=admin).get_json()[
        "patrol_area_codes"] == []


def test_demo_field_users_have_teams_and_known_areas():
    from patrol_api.demo import district

    codes = {area["code"] for area in district.areas()}
    rows = {row["username"]: row for row in district.users()}
    officers = [row for row in rows.values() if row["role"] == "patrol_officer"]
    assert officers and all(row["team"] and row["patrol_area_codes"] for row in officers)
    assert all(set(row["patrol_area_codes"]) <= codes for row in rows.values())
    assert rows["patrol.kim"]["team"] == rows["patrol.lee"]["team"]
