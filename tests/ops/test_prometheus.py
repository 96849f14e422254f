"""GET /metrics: who may read it, the metric names, counters that move with the work."""
import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from patrol_api import jobs
from patrol_api.auth import tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.ops import metrics
from tests.findings.helpers import take
from tests.sync.syncapi import Phone

TOKEN = "metrics-scraper-token-0123456789"
SCRAPER = {"Authorization": f"Bearer {TOKEN}"}
NAMES = {
    "patrol_http_requests_total", "patrol_http_request_duration_seconds",
    "patrol_sync_pushes_total", "patrol_sync_mutations_total", "patrol_sync_pull_pages_total",
    "patrol_intake_lag_seconds", "patrol_intake_backlog",
    "patrol_intake_oldest_waiting_seconds", "patrol_jobs_total", "patrol_findings_overdue",
    "patrol_upload_bytes_total", "patrol_upload_verification_failures_total",
    "patrol_db_pool_checked_out", "patrol_db_pool_size", "patrol_metrics_source_up",
}


@pytest.fixture
def scrape(client, monkeypatch):
    """Read /metrics as the scraper; {(sample name, sorted labels): value}."""
    monkeypatch.setitem(client.application.config, "METRICS_TOKEN", TOKEN)

    def read() -> dict:
        response = client.get("/metrics", headers=SCRAPER)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/plain"
        samples = {}
        for family in text_string_to_metric_families(response.get_data(as_text=True)):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples
    return read


def value(samples: dict, name: str, **labels) -> float:
    """A sample's value (0 when the series does not exist yet)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_who_may_read_the_metrics(client, make_user, monkeypatch):
    monkeypatch.setitem(client.application.config, "METRICS_TOKEN", TOKEN)
    _, admin = make_user(Role.ADMIN)
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    assert client.get("/metrics", headers=SCRAPER).status_code == 200
    assert client.get("/metrics", headers=admin).status_code == 200
    for role in Role:
        if role != Role.ADMIN:
            headers = make_user(role)[1]
            assert client.get("/metrics", headers=headers).status_code == 403, role


def test_without_a_metrics_token_only_admins_read(client, make_user):
    assert client.application.config.get("METRICS_TOKEN") is None
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer None"}).status_code == 401
    assert client.get("/metrics", headers=make_user(Role.ADMIN)[1]).status_code == 200


def test_the_metrics_are_named(scrape):
    client_names = {name for name, _ in scrape()}
    families = {name.removesuffix("_bucket").removesuffix("_count").removesuffix("_sum")
                for name in client_names}
    missing = NAMES - families - {"patrol_sync_mutations_total", "patrol_jobs_total",
                                  "patrol_upload_verification_failures_total"}
    assert not missing


def test_requests_are_counted_by_route_not_path(client, scrape, make_user):
    user, headers = make_user(Role.ADMIN)
    route = "/api/v1/users/<int:user_id>"
    before = scrape()
    for _ in range(3):
        assert client.get(f"/api/v1/users/{user.id}", headers=headers).status_code == 200
    assert client.get("/api/v1/users/999999", headers=headers).status_code == 404
    client.get("/no/such/place")
    after = scrape()
    assert value(after, "patrol_http_requests_total", route=route, method="GET",
                 status="200") - value(before, "patrol_http_requests_total", route=route,
                                       method="GET", status="200") == 3
    assert value(after, "patrol_http_requests_total", route=route, method="GET",
                 status="404") - value(before, "patrol_http_requests_total", route=route,
                                       method="GET", status="404") == 1
    assert value(after, "patrol_http_requests_total", route="<unmatched>", method="GET",
                 status="404") > value(before, "patrol_http_requests_total",
                                       route="<unmatched>", method="GET", status="404")
    count = "patrol_http_request_duration_seconds_count"
    assert value(after, count, route=route, method="GET") - value(
        before, count, route=route, method="GET") == 4
    assert not any(f"/users/{user.id}" in dict(labels).get("route", "") for _, labels in after)


def test_sync_pushes_and_pulls_are_counted(client, scrape, reporter, world):
    officer = reporter()
    raw = tokens.issue(officer, officer.device, timedelta(days=1))
    db.session.commit()
    phone = Phone(client, {"Authorization": f"Bearer {raw}"})
    before = scrape()
    answer = phone.pushed([phone.create(category_code="roads"), phone.create(
        category_code="no-such-category")])
    assert phone.pull().status_code == 200
    after = scrape()
    assert value(after, "patrol_sync_pushes_total") - value(before,
                                                            "patrol_sync_pushes_total") == 1
    assert value(after, "patrol_sync_pull_pages_total") - value(
        before, "patrol_sync_pull_pages_total") == 1
    for status in {result["status"] for result in answer["results"]}:
        expected = sum(result["status"] == status for result in answer["results"])
        moved = value(after, "patrol_sync_mutations_total", status=status) - value(
            before, "patrol_sync_mutations_total", status=status)
        assert moved == expected


def test_intake_backlog_and_lag(scrape, observe, clock):
    before = scrape()
    obs = observe("roads")
    waiting = scrape()
    assert value(waiting, "patrol_intake_backlog") == value(before, "patrol_intake_backlog") + 1
    assert value(waiting, "patrol_intake_oldest_waiting_seconds") > 0
    take(obs)
    after = scrape()
    assert value(after, "patrol_intake_backlog") == value(before, "patrol_intake_backlog")
    assert value(after, "patrol_intake_lag_seconds_count") - value(
        before, "patrol_intake_lag_seconds_count") == 1
    # the observation arrived at the test clock's time, days before the real now
    lag = value(after, "patrol_intake_lag_seconds_sum") - value(
        before, "patrol_intake_lag_seconds_sum")
    assert lag >= 24 * 3600


def test_a_rolled_back_intake_is_not_observed(scrape, observe):
    obs = observe("roads")
    before = scrape()
    obs.fate = "routed"
    db.session.rollback()
    after = scrape()
    assert value(after, "patrol_intake_lag_seconds_count") == value(
        before, "patrol_intake_lag_seconds_count")


def test_overdue_findings_gauge(scrape, observe):
    finding = take(observe("roads"))
    before = value(scrape(), "patrol_findings_overdue")
    finding.overdue = True
    db.session.commit()
    assert value(scrape(), "patrol_findings_overdue") == before + 1


def failing_job(number):
    """A job that fails (for the job metrics)."""
    raise RuntimeError(f"job {number} failed")


def fine_job(number):
    """A job that works."""
    return number


def test_in_process_jobs_are_counted(ctx, scrape):
    path_failed, path_ok = f"{__name__}:failing_job", f"{__name__}:fine_job"
    before = scrape()
    with pytest.raises(RuntimeError):
        jobs.enqueue(failing_job, 1)
    assert jobs.enqueue(fine_job, 2) == 2
    after = scrape()
    for path, outcome in ((path_failed, "failed"), (path_ok, "ok")):
        assert value(after, "patrol_jobs_total", job=path, outcome=outcome) - value(
            before, "patrol_jobs_total", job=path, outcome=outcome) == 1


def test_a_job_answering_rqs_retry_is_counted_as_retried(ctx, scrape, monkeypatch):
    """Under an rq worker a passing database fault answers rq's Retry (jobs._guarded)."""
    from rq import Retry

    monkeypatch.setattr(jobs, "_guarded", lambda *_args: Retry(max=2, interval=[1, 5]))
    path = f"{__name__}:fine_job"
    before = scrape()
    assert isinstance(jobs.run(path, 3), Retry)
    after = scrape()
    assert value(after, "patrol_jobs_total", job=path, outcome="retried") - value(
        before, "patrol_jobs_total", job=path, outcome="retried") == 1
    assert value(after, "patrol_jobs_total", job=path, outcome="ok") == value(
        before, "patrol_jobs_total", job=path, outcome="ok")


def test_upload_bytes_and_verification_failures(client, scrape, reporter, tmp_path,
                                                monkeypatch):
    from media.local_storage import LocalDiskStorage
    from patrol_api import photos
    from tests.photos.photoapi import jpeg, sha

    monkeypatch.setitem(client.application.extensions, photos.EXTENSION,
                        LocalDiskStorage(tmp_path / "media"))
    officer = reporter()
    phone = {"Authorization": "Bearer " + tokens.issue(officer, officer.device,
                                                       timedelta(days=1))}
    db.session.commit()
    good, bad = jpeg(seed=11), jpeg(seed=12)
    before = scrape()
    ok = client.post("/api/v1/photos", data=good, content_type="image/jpeg",
                     headers={**phone, "X-Content-SHA256": sha(good)})
    refused = client.post("/api/v1/photos", data=bad, content_type="image/jpeg",
                          headers={**phone, "X-Content-SHA256": sha(good)})
    assert ok.status_code in (200, 201) and refused.status_code >= 400
    after = scrape()
    assert value(after, "patrol_upload_bytes_total") - value(
        before, "patrol_upload_bytes_total") == len(good) + len(bad)
    code = refused.get_json()["code"]
    assert value(after, "patrol_upload_verification_failures_total", code=code) - value(
        before, "patrol_upload_verification_failures_total", code=code) == 1


def test_pool_checkouts_are_followed(ctx, scrape):
    before = value(scrape(), "patrol_db_pool_checked_out")
    connection = db.engine.connect()
    try:
        connection.execute(sa.text("SELECT 1"))
        held = value(scrape(), "patrol_db_pool_checked_out")
    finally:
        connection.close()
    assert held == before + 1
    assert value(scrape(), "patrol_db_pool_checked_out") == before


@pytest.mark.redis
def test_queue_depth_from_rq(app_factory, redis_url, tmp_path):
    app = app_factory(REDIS_URL=redis_url, METRICS_TOKEN=TOKEN)
    with app.app_context():
        queue = jobs.queue()
        queue.empty()
        jobs.enqueue(fine_job, 1)
        jobs.enqueue(fine_job, 2)
        text = app.test_client().get("/metrics", headers=SCRAPER).get_data(as_text=True)
        queue.empty()
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert value(samples, "patrol_queue_jobs", queue="default", state="queued") == 2
    assert value(samples, "patrol_queue_jobs", queue="default", state="failed") == 0
    assert value(samples, "patrol_metrics_source_up", source="queue") == 1


MULTIPROCESS_CHILD = textwrap.dedent("""
    from patrol_api.ops import metrics
    metrics.sync_pushed({"results": [{"status": "applied"}]})
    metrics.POOL_CHECKED_OUT.inc(2)
""")


def test_several_processes_are_summed(tmp_path):
    """PROMETHEUS_MULTIPROC_DIR: two processes count, a third one's scrape sums them; a
    dead process's live gauges leave the sum once it is marked dead."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    children = [subprocess.run([sys.executable, "-c", MULTIPROCESS_CHILD], env=env,
                               check=True, cwd=os.getcwd()) for _ in range(2)]
    assert all(child.returncode == 0 for child in children)
    scrape = textwrap.dedent("""
        import sys
        from prometheus_client import CollectorRegistry, generate_latest, multiprocess
        for pid in sys.argv[1:]:
            multiprocess.mark_process_dead(int(pid))
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        print(generate_latest(registry).decode())
    """)
    text = subprocess.run([sys.executable, "-c", scrape], env=env, check=True,
                          capture_output=True, text=True).stdout
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert value(samples, "patrol_sync_pushes_total") == 2
    assert value(samples, "patrol_sync_mutations_total", status="applied") == 2
    assert value(samples, "patrol_db_pool_checked_out") == 4
    files = sorted(tmp_path.glob("gauge_livesum_*.db"))
    pids = [path.stem.rsplit("_", 1)[-1] for path in files]
    text = subprocess.run([sys.executable, "-c", scrape, *pids], env=env, check=True,
                          capture_output=True, text=True).stdout
    assert "patrol_db_pool_checked_out 4.0" not in text
    assert metrics.multiprocess_dir() is None  # this test process is not in that mode


def _documented_names() -> set[str]:
    """Every metric the app exposes (NAMES and the Redis-only queue gauge)."""
    return NAMES | {"patrol_queue_jobs"}


def test_the_dashboard_and_the_docs_name_only_real_metrics():
    import json
    import re
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    dashboard = json.loads((docs / "grafana-dashboard.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"]
                   for target in panel.get("targets", ())]
    used = {re.sub(r"_bucket$", "", name) for expr in expressions
            for name in re.findall(r"patrol_[a-z_]+", expr)}
    assert used == _documented_names(), used ^ _documented_names()  # every one, no other
    operations = (docs / "operations.md").read_text()
    for name in _documented_names():
        assert f"`{name}`" in operations, name
    alerts = operations.split("### Suggested alerts")[1].split("### Dashboard")[0]
    alert_names = set(re.findall(r"\bpatrol_[a-z_]+\b(?!\.)", alerts))
    assert {re.sub(r"_bucket$", "", name) for name in alert_names} <= _documented_names()
