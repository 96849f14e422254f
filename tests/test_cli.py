"""CLI commands: demo load and create-admin."""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import Area, Department, Site, User


def test_demo_load_builds_a_consistent_district(ctx):
    result = ctx.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "areas=18" in result.output
    count = lambda model: db.session.execute(  # noqa: E731
        sa.select(sa.func.count()).select_from(model)).scalar()
    assert count(Area) == 18
    dong_offices = db.session.execute(sa.select(sa.func.count()).where(
        Department.kind == "dong_office")).scalar()
    assert dong_offices == 18
    assert count(Site) >= 200
    roles = set(db.session.execute(sa.select(User.role)).scalars())
    assert roles == {"admin", "manager", "patrol_officer", "citizen_auditor",
                     "department_staff", "viewer"}
    unplaced = db.session.execute(sa.select(sa.func.count()).where(
        Site.area_id.is_(None))).scalar()
    assert unplaced == 0


def test_demo_logins_work(client, demo):
    response = client.post("/api/v1/auth/login",
                           json={"username": "staff.yeoui", "password": "yeongdeungpo-demo"})
    assert response.status_code == 201
    assert response.get_json()["user"]["department_code"] == "dong-yeoui"


def test_create_admin(ctx):
    result = ctx.test_cli_runner().invoke(args=[
        "create-admin", "--username", "root.admin", "--password", "a very long password"])
    assert result.exit_code == 0, result.output
    user = db.session.execute(sa.select(User).where(User.username == "root.admin")).scalar()
    assert user.role == "admin"


def test_create_admin_refuses_short_password_and_duplicates(ctx):
    runner = ctx.test_cli_runner()
    short = runner.invoke(args=["create-admin", "--username", "x.admin", "--password", "short"])
    assert short.exit_code != 0 and "At least 10" in short.output
    named = runner.invoke(args=["create-admin", "--username", "x.admin", "--password",
                                "x.admin12345"])
    assert named.exit_code != 0 and "username" in named.output
    runner.invoke(args=["create-admin", "--username", "x.admin", "--password", "long enough pw"])
    again = runner.invoke(args=["create-admin", "--username", "x.admin",
                                "--password", "long enough pw"])
    assert again.exit_code != 0 and "already exists" in again.output
    assert "argon2" not in again.output


def test_housekeeping_runs(ctx):
    result = ctx.test_cli_runner().invoke(args=["housekeeping"])
    assert result.exit_code == 0, result.output
    assert "tokens: 0" in result.output and "tombstones:" in result.output
