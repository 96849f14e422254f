"""Prometheus metrics (prometheus_client): what happens in requests, counted where it
happens; what the data says (backlogs, queues, overdue findings), computed at scrape time.

Several gunicorn processes: set PROMETHEUS_MULTIPROC_DIR (an empty directory, before the
processes start) and the counters of every process are summed at each scrape; gunicorn's
`child_exit` hook must call `mark_process_dead` (docs/operations.md, Metrics).
"""
import os
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import event
from sqlalchemy.orm import Session

from patrol_api.extensions import db

disable_created_metrics()  # no `_created` series: half the lines, nothing Grafana uses
UNMATCHED = "<unmatched>"
_STARTED = "patrol.metrics.started"
PENDING_FATES = ("received", "awaiting_photos")  # as in findings/intake.py
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30)
LAG_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 12 * 3600, 86400)

REQUESTS = Counter("patrol_http_requests", "HTTP requests answered, by route (URL rule), "
                   "method and status", ["route", "method", "status"])
LATENCY = Histogram("patrol_http_request_duration_seconds", "Time to answer a request, by "
                    "route and method", ["route", "method"], buckets=LATENCY_BUCKETS)
SYNC_PUSHES = Counter("patrol_sync_pushes", "Sync pushes applied")
SYNC_MUTATIONS = Counter("patrol_sync_mutations", "Mutations in sync pushes, by result status",
                         ["status"])
SYNC_PULL_PAGES = Counter("patrol_sync_pull_pages", "Sync pull pages served")
INTAKE_LAG = Histogram("patrol_intake_lag_seconds", "From an observation's arrival to its "
                       "finding (made or merged into)", buckets=LAG_BUCKETS)
JOBS = Counter("patrol_jobs", "Jobs run by this process (in-process or rq worker), by job "
               "and outcome", ["job", "outcome"])
UPLOAD_BYTES = Counter("patrol_upload_bytes", "Bytes received by the photo upload endpoints")
UPLOAD_REFUSED = Counter("patrol_upload_verification_failures", "Uploaded photos refused at "
                         "verification, by error code", ["code"])
POOL_CHECKED_OUT = Gauge("patrol_db_pool_checked_out", "Database connections checked out of "
                         "the pool now", multiprocess_mode="livesum")
UPLOAD_RULES = ("/api/v1/uploads", "/api/v1/uploads/<upload_id>", "/api/v1/photos")


def init_app(app: Flask) -> None:
    """Time and count every request; watch the pool and the intake."""
    app.before_request(_start)
    app.after_request(_finish)
    with app.app_context():
        _watch_pool(db.engine)
    _watch_intake()


def _route() -> str:
    """The URL rule of the request (not its path: ids would explode the label values)."""
    return request.url_rule.rule if request.url_rule is not None else UNMATCHED


def _start() -> None:
    request.environ[_STARTED] = time.perf_counter()


def _finish(response):
    """Count the request and observe its duration."""
    route, method = _route(), request.method
    REQUESTS.labels(route, method, str(response.status_code)).inc()
    started = request.environ.get(_STARTED)
    if started is not None:
        LATENCY.labels(route, method).observe(time.perf_counter() - started)
    if route in UPLOAD_RULES and request.method in ("POST", "PATCH"):
        UPLOAD_BYTES.inc(request.content_length or 0)
    return response


def sync_pushed(answer: dict) -> None:
    """Count a push and its mutations by result status."""
    SYNC_PUSHES.inc()
    for result in answer.get("results") or ():
        SYNC_MUTATIONS.labels(str(result.get("status", "unknown"))).inc()


def sync_pulled() -> None:
    """Count a pull page."""
    SYNC_PULL_PAGES.inc()


def job_done(path: str, outcome: str) -> None:
    """Count a job run (`ok` or `failed`)."""
    JOBS.labels(path, outcome).inc()


def upload_refused(code: str) -> None:
    """Count a photo refused at verification."""
    UPLOAD_REFUSED.labels(code).inc()


def _checked_out(*_args) -> None:
    POOL_CHECKED_OUT.inc()


def _checked_in(*_args) -> None:
    POOL_CHECKED_OUT.dec()


def _watch_pool(engine) -> None:
    """Follow checkouts and checkins of an engine's pool (once per engine)."""
    if not event.contains(engine, "checkout", _checked_out):
        event.listen(engine, "checkout", _checked_out)
        event.listen(engine, "checkin", _checked_in)


_intake_watched = False


def _watch_intake() -> None:
    """Observe the intake lag when an observation leaves the pending fates, at commit."""
    global _intake_watched
    if _intake_watched:
        return
    _intake_watched = True
    from patrol_api.models import Observation

    @event.listens_for(Observation.fate, "set", active_history=True)
    def fate_changed(obs, value, old, _initiator):
        if old in PENDING_FATES and value not in PENDING_FATES and obs.received_at:
            session = sa.inspect(obs).session
            if session is not None:
                session.info.setdefault("intake_lags", []).append(obs.received_at)

    @event.listens_for(Session, "after_commit")
    def committed(session):
        received = session.info.pop("intake_lags", ())
        now = datetime.now(UTC)
        for moment in received:
            at = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            INTAKE_LAG.observe(max(0.0, (now - at).total_seconds()))

    @event.listens_for(Session, "after_rollback")
    def rolled_back(session):
        session.info.pop("intake_lags", None)


class StateCollector:
    """Gauges read from the database and the queue at each scrape (by the scraped process)."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        """The gauges; a failing source is skipped and reported by patrol_metrics_up."""
        up = GaugeMetricFamily("patrol_metrics_source_up", "1 when the source could be "
                               "read at this scrape", labels=["source"])
        with self.app.app_context():
            for source, families in (("database", self._database), ("queue", self._queue)):
                try:
                    yield from families()
                    up.add_metric([source], 1)
                except Exception:  # noqa: BLE001 - a scrape reports what it can
                    db.session.rollback()
                    up.add_metric([source], 0)
            db.session.remove()
        yield up

    def _database(self):
        from patrol_api.findings.lifecycle import OPEN_STATES
        from patrol_api.models import Finding, Observation

        session = db.session
        backlog = session.execute(sa.select(sa.func.count(), sa.func.min(
            Observation.received_at)).where(Observation.fate == "received")).one()
        overdue = session.scalar(sa.select(sa.func.count()).select_from(Finding).where(
            Finding.overdue.is_(True), Finding.state.in_(OPEN_STATES)))
        oldest = 0.0
        if backlog[1] is not None:
            at = backlog[1] if backlog[1].tzinfo else backlog[1].replace(tzinfo=UTC)
            oldest = max(0.0, (datetime.now(UTC) - at).total_seconds())
        yield _gauge("patrol_intake_backlog", "Observations waiting for the intake "
                     "(fate received)", backlog[0])
        yield _gauge("patrol_intake_oldest_waiting_seconds", "Age of the oldest observation "
                     "waiting for the intake (0: none waits)", oldest)
        yield _gauge("patrol_findings_overdue", "Open findings past a due date", overdue)
        pool = db.engine.pool
        if hasattr(pool, "size"):
            yield _gauge("patrol_db_pool_size", "Connections the pool of this process keeps",
                         pool.size())

    def _queue(self):
        connection_queue = self.app.extensions.get("jobs")
        if connection_queue is None:
            return
        from rq import Queue
        from rq.registry import (
            DeferredJobRegistry,
            FailedJobRegistry,
            ScheduledJobRegistry,
            StartedJobRegistry,
        )

        depth = GaugeMetricFamily("patrol_queue_jobs", "rq jobs by queue and state",
                                  labels=["queue", "state"])
        connection = connection_queue.connection
        for name in self.app.config["RQ_QUEUES"]:
            queue = Queue(name, connection=connection)
            depth.add_metric([name, "queued"], queue.count)
            for state, registry in (("started", StartedJobRegistry),
                                    ("failed", FailedJobRegistry),
                                    ("scheduled", ScheduledJobRegistry),
                                    ("deferred", DeferredJobRegistry)):
                depth.add_metric([name, state], registry(queue=queue).count)
        yield depth


def _gauge(name: str, documentation: str, value) -> GaugeMetricFamily:
    """One unlabelled gauge."""
    return GaugeMetricFamily(name, documentation, value=float(value or 0))


def multiprocess_dir() -> str | None:
    """PROMETHEUS_MULTIPROC_DIR, when several processes share their metrics."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition(app: Flask) -> tuple[bytes, str]:
    """The text exposition of every metric: this process's (or all processes' in
    multiprocess mode) plus the scrape-time gauges."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    registry.register(StateCollector(app))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward:
    """Another registry's metrics, collected into this one."""

    def __init__(self, source):
        self.source = source

    def collect(self):
        """Everything the source collects."""
        return self.source.collect()


def authorized(principal) -> bool:
    """The METRICS_TOKEN bearer, or an administrator's token."""
    import hmac

    token = current_app.config.get("METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), token.encode()):
        return True
    return principal is not None and principal.role == "admin"
