"""Sync benchmark: push and pull throughput of this server against Kinto and a raw insert.

`python -m bench sync --db sqlite|postgresql` starts everything it needs on loopback (the
API under gunicorn on a fresh database with the demo district, PostgreSQL and Redis for
the PostgreSQL run, Kinto in its own virtualenv), measures, prints `name: value unit`
lines, and stops it all.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.common import decode_json, finding_records, median, report, timed
from bench.httpclient import Connection, HttpError
from bench.kinto_peer import measure_kinto
from devtools.servers import PostgresServer, RedisServer, _Server

ROOT = Path(__file__).resolve().parent.parent
PUSH_BATCH = 100     # observations per push: a phone's outbox after a few hours offline
PULL_PAGE = 1000     # the page size Kinto is measured with
DEVICE = {"client_uid": "bench-phone-0001", "name": "bench", "platform": "android"}


class PatrolServer(_Server):
    """This API under gunicorn on 127.0.0.1, on the given database (migrated, demo loaded)."""

    name = "patrol"

    def __init__(self, env: dict[str, str], workers: int = 1) -> None:
        super().__init__(startup_timeout=60.0)
        self.env, self.workers = env, workers

    @property
    def base_url(self) -> str:
        """Root of the API."""
        return f"http://127.0.0.1:{self.port}"

    def _prepare(self) -> None:
        cli = [sys.executable, "-m", "patrol_api.cli"]
        subprocess.run([*cli, "db", "upgrade", "heads"], env=self._env(), check=True,
                       capture_output=True, cwd=ROOT)
        # loading runs its jobs inline: the loader's own transactions never race the job thread
        loading = {k: v for k, v in self._env().items() if k != "JOBS_BACKGROUND"}
        subprocess.run([*cli, "demo", "load"], env=loading, check=True,
                       capture_output=True, cwd=ROOT)

    def _argv(self) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "-w", str(self.workers),
                "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{self.port}", "wsgi:app"]

    def _env(self) -> dict[str, str]:
        # no periodic ticks on a timer: nothing but the benchmark's requests runs in it
        return {**os.environ, **self.env, "PYTHONPATH": str(ROOT), "LOG_LEVEL": "WARNING",
                "TICKS_IN_PROCESS": "0"}

    def _popen_kwargs(self) -> dict:
        return {"env": self._env()}

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False


def _call(client: Connection, method: str, path: str, body=None):
    """One JSON request; returns the raw answer (a status other than 2xx raises)."""
    status, _, raw = client.send(method, path, body)
    if not 200 <= status < 300:
        raise HttpError(f"{method} {path} answered {status}: {raw[:300]!r}")
    return raw


def _login(base: str) -> Connection:
    """A keep-alive connection carrying a device-bound token of a demo patrol officer."""
    body = {"username": "patrol.kim", "password": "yeongdeungpo-demo", "device": DEVICE}
    with Connection(base) as anonymous:
        token = decode_json(_call(anonymous, "POST", "/api/v1/auth/login", body))["token"]
    return Connection(base, {"Authorization": f"Bearer {token}"})


def _mutations(records: list[dict], categories: list[str], first_seq: int) -> list[dict]:
    """observation.create mutations of the benchmark records."""
    return [{"id": str(uuid.uuid4()), "seq": first_seq + i, "type": "observation.create",
             "entity_id": record["id"], "base_version": None,
             "data": {"category_code": categories[i % len(categories)], "lat": record["lat"],
                      "lon": record["lon"], "accuracy_m": 8.0, "note": record["note"],
                      "recorded_at": record["observed_at"], "photos": []}}
            for i, record in enumerate(records)]


def push_all(client: Connection, records: list[dict], first_seq: int = 1) -> float:
    """Push the records in batches; returns observations per second."""
    categories = [c["code"] for c in decode_json(
        _call(client, "GET", "/api/v1/categories?page_size=100"))]
    batches = [records[i:i + PUSH_BATCH] for i in range(0, len(records), PUSH_BATCH)]
    with timed() as clock:
        for number, batch in enumerate(batches):
            body = {"device_time": datetime.now(UTC).isoformat(),  # the phone's clock
                    "mutations": _mutations(batch, categories, first_seq + number * PUSH_BATCH)}
            answer = decode_json(_call(client, "POST", "/api/v1/sync/push", body))
            statuses = {item["status"] for item in answer["results"]}
            assert statuses == {"applied"}, statuses
    return len(records) / clock.seconds


def pull_all(client: Connection) -> tuple[int, float, float]:
    """Pull everything from no cursor in pages; returns (changes, changes per second, and
    changes per second the client's JSON decoding alone allows: the client-side limit)."""
    cursor, count, decoding = None, 0, 0.0
    with timed() as clock:
        while True:
            query = f"?limit={PULL_PAGE}" + (f"&cursor={cursor}" if cursor else "")
            raw = _call(client, "GET", f"/api/v1/sync/pull{query}")
            with timed() as decode:
                page = decode_json(raw)
            decoding += decode.seconds
            count += len(page["changes"])
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
    return count, count / clock.seconds, count / decoding


def raw_insert_per_s(database_url: str, records: list[dict]) -> float:
    """The physical limit: executemany of the same rows into a plain table of the same DB."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    table = sa.Table("bench_raw", sa.MetaData(), sa.Column("id", sa.String(36), primary_key=True),
                     sa.Column("category", sa.String(40)), sa.Column("lat", sa.Float),
                     sa.Column("lon", sa.Float), sa.Column("note", sa.Text),
                     sa.Column("observed_at", sa.String(40)), sa.Column("photos", sa.JSON))
    table.drop(engine, checkfirst=True)
    table.create(engine)
    rows = [{k: r[k] for k in ("id", "category", "lat", "lon", "note", "observed_at",
                               "photos")} for r in records]
    with timed() as clock, engine.begin() as connection:
        connection.execute(table.insert(), rows)
    table.drop(engine)
    engine.dispose()
    return len(rows) / clock.seconds


def storage_limit_per_s(database_url: str, n: int) -> float:
    """What a push must store, without the request: copies of n of the observations and
    ledger rows the pushes stored, re-inserted PUSH_BATCH per transaction with one
    change-counter increment each, by the push's own driver-level executemany (BulkInsert).
    No push can beat it; push / this is the request handling's share, this / raw the
    schema's (its indexes, constraints, pull entries and ledger)."""
    import sqlalchemy as sa

    from patrol_api import database
    from sync.bulkinsert import BulkInsert

    engine = sa.create_engine(database_url)
    database.tune(engine)  # the server's connection settings: foreign keys, commit mode...
    meta = sa.MetaData()
    observation, ledger, counter = (sa.Table(name, meta, autoload_with=engine) for name in
                                    ("observation", "applied_mutation", "sequence_counter"))
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(
            sa.select(observation).order_by(observation.c.id).limit(n))]
        marks = [dict(row._mapping) for row in connection.execute(
            sa.select(ledger).order_by(ledger.c.id).limit(n))]
        top = connection.execute(sa.select(sa.func.max(counter.c.value))).scalar()
    for number, (row, mark) in enumerate(zip(rows, marks, strict=True), start=1):
        del row["id"], mark["id"]
        row.update(client_id=str(uuid.uuid4()), change_seq=top + number)
        mark.update(mutation_id=str(uuid.uuid4()), device_seq=mark["device_seq"] + 10**9)
    stored_rows, stored_marks = BulkInsert(observation), BulkInsert(ledger)
    bump = counter.update().where(counter.c.name == "changes").values(
        value=counter.c.value + PUSH_BATCH)
    with timed() as clock:
        for start in range(0, len(rows), PUSH_BATCH):
            with engine.begin() as connection:
                connection.execute(bump)
                stored_rows.run(connection, rows[start:start + PUSH_BATCH])
                stored_marks.run(connection, marks[start:start + PUSH_BATCH])
    engine.dispose()
    return len(rows) / clock.seconds


@contextlib.contextmanager
def _database(db: str, embedded_jobs: bool = False):
    """Yield (DATABASE_URL, extra env, PostgresServer or None) for the chosen backend."""
    if db == "sqlite" and embedded_jobs:
        with tempfile.TemporaryDirectory(prefix="patrol-bench-") as tmp:
            # the findings intake runs on the server's background job thread
            yield (f"sqlite:///{tmp}/bench.db", {"PATROL_DATA_DIR": tmp, "JOBS_BACKGROUND": "1"},
                   None)
        return
    # The findings intake is queued on Redis and no worker runs while we measure: the
    # figures are the sync layer's, as Kinto's are (the intake is measured by bench merge).
    if db == "sqlite":
        with tempfile.TemporaryDirectory(prefix="patrol-bench-") as tmp, RedisServer() as redis:
            yield (f"sqlite:///{tmp}/bench.db", {"PATROL_DATA_DIR": tmp,
                                                 "REDIS_URL": redis.url}, None)
        return
    with PostgresServer() as pg, RedisServer() as redis:
        yield pg.create_database("patrol_bench"), {"REDIS_URL": redis.url}, pg


def measure_patrol(db: str, n_push: int, n_pull: int, embedded_jobs: bool = False) -> dict:
    """Push n_push observations, fill to n_pull, pull them all; plus the raw insert limit."""
    with _database(db, embedded_jobs) as (url, extra, pg):
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench", **extra}
        with (PatrolServer(env, workers=1 if db == "sqlite" else 2) as server,
              _login(server.base_url) as phone):
            push_rate = push_all(phone, finding_records(n_push, seed=1))
            if n_pull > n_push:
                push_all(phone, finding_records(n_pull - n_push, seed=2), first_seq=n_push + 1)
            changes, pull_rate, decode_rate = pull_all(phone)
        raw = median([raw_insert_per_s(url, finding_records(n_push, seed=3))
                      for _ in range(3)])
        storage = storage_limit_per_s(url, n_push)
    return {"push_per_s": push_rate, "pull_per_s": pull_rate, "pulled": changes,
            "pull_decode_limit_per_s": decode_rate,
            "storage_limit_per_s": storage, "raw_insert_per_s": raw, "peer": pg}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench sync")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--n-push", type=int, default=10_000)
    parser.add_argument("--n-pull", type=int, default=100_000)
    parser.add_argument("--kinto-runs", type=int, default=3)
    parser.add_argument("--no-kinto", action="store_true")
    parser.add_argument("--embedded-jobs", action="store_true",
                        help="SQLite: run the findings intake on the server's job thread "
                             "during the measurement (embedded mode) instead of queueing it")
    args = parser.parse_args(argv)
    ours = measure_patrol(args.db, args.n_push, args.n_pull, args.embedded_jobs)
    report("push_per_s", ours["push_per_s"], "observations/s")
    report("pull_per_s", ours["pull_per_s"], "records/s")
    report("pulled_changes", ours["pulled"], "records")
    report("pull_decode_limit_per_s", ours["pull_decode_limit_per_s"], "records/s")
    report("pull_vs_decode_limit", ours["pull_per_s"] / ours["pull_decode_limit_per_s"], "ratio")
    report("raw_insert_per_s", ours["raw_insert_per_s"], "rows/s")
    report("push_vs_raw_insert", ours["push_per_s"] / ours["raw_insert_per_s"], "ratio")
    report("storage_limit_per_s", ours["storage_limit_per_s"], "observations/s")
    report("push_vs_storage_limit", ours["push_per_s"] / ours["storage_limit_per_s"], "ratio")
    report("storage_limit_vs_raw_insert",
           ours["storage_limit_per_s"] / ours["raw_insert_per_s"], "ratio")
    if not args.no_kinto:
        backend = "memory" if args.db == "sqlite" else "postgresql"
        kinto = measure_kinto(backend, n=args.n_push, runs=args.kinto_runs)
        report(f"kinto_{backend}_push_per_s", kinto["push_per_s"], "records/s")
        report(f"kinto_{backend}_pull_per_s", kinto["pull_per_s"], "records/s")
        report("push_vs_kinto", ours["push_per_s"] / kinto["push_per_s"], "ratio")
        report("pull_vs_kinto", ours["pull_per_s"] / kinto["pull_per_s"], "ratio")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
