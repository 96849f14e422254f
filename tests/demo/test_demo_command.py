"""`patrol-api demo load`: the bare district with --no-activity, refusals on a loaded database."""
from patrol_api.demo import activity


def test_no_activity_loads_the_bare_district_once(ctx):
    runner = ctx.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--no-activity"])
    assert first.exit_code == 0, first.output
    assert "departments=45" in first.output and "Activity" not in first.output
    assert not any(activity.existing().values())
    again = runner.invoke(args=["demo", "load", "--no-activity"])
    assert again.exit_code != 0 and "already loaded" in again.output


def test_months_out_of_range_are_refused(ctx):
    result = ctx.test_cli_runner().invoke(args=["demo", "load", "--months", "13"])
    assert result.exit_code != 0 and "--months" in result.output
    assert not any(activity.existing().values())


def _patrol_fields() -> dict:
    from patrol_api.extensions import db
    from patrol_api.models import User

    return {u.username: (u.team, u.patrol_area_codes)
            for u in db.session.execute(db.select(User)).scalars()}


def test_demo_users_have_the_teams_and_dongs_docs_patrols_md_names(ctx):
    from patrol_api import demo_loader

    demo_loader.load()
    loaded = _patrol_fields()
    assert loaded["patrol.kim"] == ("환경순찰 1조", ["11560540", "11560535"])
    assert loaded["patrol.lee"][0] == "환경순찰 1조"
    assert loaded["patrol.park"] == ("환경순찰 2조", ["11560550", "11560560", "11560605"])
    assert loaded["auditor.choi"] == (None, ["11560540"])
    admin = ctx.test_client().post("/api/v1/auth/login", json={
        "username": "admin", "password": "admin!demo"}).get_json()
    listed = ctx.test_client().get(
        "/api/v1/users", query_string={"team": "환경순찰 1조"},
        headers={"Authorization": f"Bearer {admin['token']}"}).get_json()
    assert sorted(u["username"] for u in listed) == ["patrol.kim", "patrol.lee"]


def test_demo_users_loaded_without_them_are_completed_once(ctx):
    from patrol_api import demo_loader
    from patrol_api.extensions import db
    from patrol_api.models import User

    demo_loader.load()
    for user in db.session.execute(db.select(User)).scalars():  # as an older version loaded
        user.team, user.patrol_area_codes = None, []
    db.session.commit()
    assert demo_loader.complete_users() == 5
    assert _patrol_fields()["patrol.park"][0] == "환경순찰 2조"
    assert demo_loader.complete_users() == 0


def test_demo_serve_takes_its_port_from_the_environment(ctx, monkeypatch):
    from patrol_api import serve

    served = []
    monkeypatch.setitem(ctx.config, "JOBS_BACKGROUND", False)  # demo-serve sets it: restored
    monkeypatch.setattr(serve, "serve", lambda app, host, port, threads: served.append(
        (host, port)))
    result = ctx.test_cli_runner().invoke(args=["demo-serve", "--no-activity"],
                                          env={"PORT": "8123"})
    assert result.exit_code == 0, result.output
    assert served == [("127.0.0.1", 8123)] and "http://127.0.0.1:8123" in result.output
    refused = ctx.test_cli_runner().invoke(args=["demo-serve"], env={"PORT": "0"})
    assert refused.exit_code != 0 and "--port" in refused.output


def test_run_demo_refuses_a_port_that_is_not_a_number():
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "run-demo"
    assert 'exec patrol-api demo-serve --host 127.0.0.1 --port "$PORT"' in script.read_text()
    result = subprocess.run([str(script)], env={"PORT": "80; rm -rf /", "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "PORT must be a port number" in result.stderr
