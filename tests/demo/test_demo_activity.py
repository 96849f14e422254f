"""The demo's simulated months: every finding state, inboxes, rankings and patrols over HTTP.

The district and two months of activity (the previous month and the current one up to a
fixed day) are loaded once for the module; the tests only read.
"""
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from database_reset import empty_database

from media.local_storage import LocalDiskStorage
from patrol_api import demo_loader, photos
from patrol_api.demo import activity
from patrol_api.extensions import db
from patrol_api.findings import journal
from patrol_api.findings import lifecycle as lc
from patrol_api.models import Finding, FindingEvent, RankingSnapshot, User
from patrol_api.models.patrols import PatrolRun, SiteCheck
from sync import push

API = "/api/v1"
MONTHS = 2  # the previous month (frozen) and the current one to date
# A fixed day, so that the module sees the same history on any day it runs (the history
# depends on the seed and the day); ending today is what the command does.
TODAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def loaded(app, tmp_path_factory):
    """The demo district with its simulated activity; yields the load summary.

    Photos go to a temporary disk. No application context stays pushed: test requests then
    run in contexts of their own.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(app.extensions, photos.EXTENSION,
                      LocalDiskStorage(tmp_path_factory.mktemp("demo-media")))
        with app.app_context():
            demo_loader.load()
            summary = activity.load(MONTHS, now=TODAY)
            db.session.commit()
        yield summary
        with app.app_context():
            empty_database()


@pytest.fixture(scope="module")
def http(app, loaded):
    """A test client and a function giving a demo login's Authorization header."""
    client = app.test_client()

    def headers(username: str) -> dict:
        answer = client.post(f"{API}/auth/login", json={"username": username,
                                                        "password": "yeongdeungpo-demo"})
        assert answer.status_code == 201, answer.get_json()
        return {"Authorization": f"Bearer {answer.get_json()['token']}"}
    return client, headers


@pytest.fixture
def session(app, loaded):
    """An application context on the loaded database (for tests that make no requests)."""
    with app.app_context():
        yield db.session
        db.session.rollback()


def _staff(app) -> list[tuple[str, str]]:
    """(username, department code) of every department staff login."""
    with app.app_context():
        staff = db.session.execute(sa.select(User).where(
            User.role == "department_staff").order_by(User.username)).scalars().all()
        return [(user.username, user.department.code) for user in staff]


def test_findings_exist_in_every_lifecycle_state(session, loaded):
    states = set(session.execute(sa.select(Finding.state).distinct()).scalars())
    assert states == set(lc.STATES)
    assert set(loaded["findings"]) == set(lc.STATES)
    # the simulation reaches most states by itself; today's catch-up fills the rest
    assert len(loaded["filled_today"]) <= 4, loaded["filled_today"]


def test_the_history_has_every_kind_of_department_work(session):
    kinds = set(session.execute(sa.select(FindingEvent.kind).distinct()).scalars())
    assert {"routed", "acknowledge", "start", "hold", "resume", "resolve", "verify",
            "fail_verification", "transfer", "reject", "request_exception",
            "approve_exception", "assign", "recurred", "merge"} <= kinds
    evidence = [e.data["evidence"] for e in session.execute(sa.select(FindingEvent).where(
        FindingEvent.kind == "resolve")).scalars()]
    photographed = [e for e in evidence if not e.get("exception")]
    assert photographed and all(e["within"] for e in photographed)
    # the phone's position and the photo's EXIF GPS are both sent, and both checked
    assert {e["position_source"] for e in photographed} == {"both"}
    assert any(e.get("exception") for e in evidence)
    visits = [e.data for e in session.execute(sa.select(FindingEvent).where(
        FindingEvent.kind == "verify")).scalars()]
    assert visits and all(v["position"]["distance_m"] <= v["position"]["radius_m"]
                          for v in visits)


def test_events_are_stamped_in_the_simulated_past(session, loaded):
    first = datetime.fromisoformat(loaded["period"][0])
    low, high = session.execute(sa.select(sa.func.min(FindingEvent.at),
                                          sa.func.max(FindingEvent.at))).one()
    assert first.date() <= low.date()
    assert high <= TODAY
    assert (high - low).days >= 28  # spread over the month, not stamped at load time


def test_the_clock_is_restored_after_loading(loaded):
    assert journal.now.__module__ == "patrol_api.findings.journal"
    assert push.utcnow.__module__ == "patrol_api.models.base"


def test_department_inboxes_are_not_empty(app, http):
    client, headers = http
    filled = []
    for username, department in _staff(app):
        answer = client.get(f"{API}/findings?open=true", headers=headers(username))
        assert answer.status_code == 200, answer.get_json()
        rows = answer.get_json()
        assert {row["department_code"] for row in rows} <= {department}
        if rows:
            filled.append(username)
    assert len(filled) >= 2, filled


def test_a_past_month_has_a_ranking_snapshot(http, loaded):
    client, headers = http
    manager = headers("manager.audit")
    month = activity.completed_months(*(datetime.fromisoformat(d).replace(tzinfo=UTC)
                                        for d in loaded["period"]))[-1]
    assert loaded["snapshots"][-1] == month
    listed = client.get(f"{API}/rankings/snapshots?from={month}&to={month}",
                        headers=manager)
    assert listed.status_code == 200, listed.get_json()
    snapshot_id = listed.get_json()[0]["id"]
    detail = client.get(f"{API}/rankings/snapshots/{snapshot_id}", headers=manager).get_json()
    ranked = [row for row in detail["tables"]["headquarters"] if row["rank"] is not None]
    assert len(ranked) >= 2, detail["tables"]["headquarters"][:6]
    assert [row["rank"] for row in ranked] == sorted(row["rank"] for row in ranked)


def test_patrol_runs_of_several_kinds_are_listed(http):
    client, headers = http
    answer = client.get(f"{API}/patrol-runs?page_size=100", headers=headers("manager.audit"))
    assert answer.status_code == 200, answer.get_json()
    runs = answer.get_json()
    assert {"routine", "campaign", "senior_day", "dong_police", "residents_walk"} <= {
        run["kind"] for run in runs}
    assert all(run["ended_at"] for run in runs)


def test_the_patrol_activity_report_is_not_empty(http):
    client, headers = http
    answer = client.get(f"{API}/patrol-activity?from=2026-10&to=2026-11",
                        headers=headers("manager.audit"))
    assert answer.status_code == 200, answer.get_json()
    report = answer.get_json()
    october = next(row for row in report["totals"] if row["month"] == "2026-10")
    assert october["runs"] > 10 and october["hours"] > 0 and october["observations"] > 0
    assert october["sites_checked"] > 0
    assert len({row["kind"] for row in report["per_kind"] if row["runs"]}) >= 4
    assert report["per_team"] and report["per_officer"]
    assert any(row["inspected"] for row in report["per_campaign"])
    assert any(row["accepted"] for row in report["auditors"])


def test_runs_carry_tracks_and_site_checks(session):
    assert session.execute(sa.select(sa.func.count()).select_from(SiteCheck).where(
        SiteCheck.result == "ok")).scalar() > 10
    runs = session.execute(sa.select(PatrolRun)).scalars().all()
    assert all(len(run.track) > 10 for run in runs)


def test_loading_again_is_refused_and_changes_nothing(app, loaded):
    with app.app_context():
        before = activity.existing()
        with pytest.raises(activity.ActivityExists, match="already holds activity"):
            activity.load(MONTHS)
        db.session.rollback()
    result = app.test_cli_runner().invoke(args=["demo", "load", "--months", "1"])
    assert result.exit_code != 0
    assert "already loaded" in result.output
    with app.app_context():
        assert activity.existing() == before
        assert db.session.execute(sa.select(sa.func.count()).select_from(
            RankingSnapshot)).scalar() == loaded["snapshot_rows"]


def test_the_period_covers_whole_months_up_to_today():
    now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    start, end = activity.period(4, now)
    assert start == datetime(2026, 7, 31, 15, 0, tzinfo=UTC)  # 2026-08-01 00:00 in Seoul
    assert activity.completed_months(start, end) == ["2026-08", "2026-09", "2026-10"]
    january = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)
    assert activity.completed_months(*activity.period(3, january)) == ["2026-11", "2026-12"]
