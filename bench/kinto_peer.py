"""Kinto, the open-source sync server, as the peer of the sync benchmark.

Kinto is installed in a virtualenv of its own (``ensure_kinto_venv``), started on loopback
with its memory or PostgreSQL backend configured at its best as ``shared/peers/kinto.md``
says (``KintoServer``), and measured pushing realistic field records in ``POST /v1/batch``
of ``PUT .../records/<uuid>`` with ``If-None-Match: *`` (``push``) and pulling them back with
``?_since=0&_limit=1000`` following ``Next-Page`` (``pull``).

Standalone: ``python -m bench.kinto_peer --backend memory --n 2000``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import decode_json, finding_records, median, report, timed
from bench.httpclient import Connection
from devtools.servers import PostgresServer, _Server

KINTO_VERSION = "26.5.0"  # the version kinto.md was measured with
EXTRA_PACKAGES = ("psycopg2-binary", "sqlalchemy")  # what kinto[postgresql] pulls in
WAITRESS_THREADS = 4
BATCH_MAX = 1000
FETCH_MAX = 10000
AUTH = ("bench", "bench")
BUCKET = "b"
COLLECTION = "c"
PIP_TIMEOUT = 900
MIGRATE_TIMEOUT = 120
_MARKER = "patrol-bench-kinto.json"


class KintoError(RuntimeError):
    """Kinto could not be installed, started, or answered unexpectedly."""


# Installing Kinto in a virtualenv of its own.


def default_venv_path() -> Path:
    """``$BENCH_CACHE/kinto-venv``, BENCH_CACHE defaulting to ~/.cache/patrol-bench."""
    cache = os.environ.get("BENCH_CACHE", "~/.cache/patrol-bench")
    return Path(cache).expanduser() / "kinto-venv"


def ensure_kinto_venv(path: Path | None = None, version: str = KINTO_VERSION) -> Path:
    """Create (once) a virtualenv at ``path`` with Kinto and its PostgreSQL driver; return it.

    Installs ``kinto[postgresql]==version`` (falling back to the newest release on the index
    if that one is missing) plus psycopg2-binary and SQLAlchemy. Idempotent and safe to call
    from several processes at once: a marker file records a finished install, a lock file
    serialises creators. Raises KintoError (with pip's output) if the install fails.
    """
    path = Path(path or default_venv_path()).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed(path):
            return path
        shutil.rmtree(path, ignore_errors=True)  # a half-made venv from an interrupted run
        _run([sys.executable, "-m", "venv", str(path)], "creating the Kinto virtualenv")
        pip = [str(path / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        chosen = _choose_version(pip, version)
        packages = [f"kinto[postgresql]=={chosen}", *EXTRA_PACKAGES]
        _run([*pip, "install", "--no-input", *packages], f"pip install {' '.join(packages)}")
        installed = _run(
            [
                str(path / "bin" / "python"),
                "-c",
                "import kinto, psycopg2, sqlalchemy; print(kinto.__version__)",
            ],
            "importing the installed Kinto",
        ).strip()
        (path / _MARKER).write_text(json.dumps({"kinto": installed, "requested": version}))
    return path


def kinto_version(path: Path | None = None) -> str:
    """The Kinto version installed in the benchmark virtualenv (after ensure_kinto_venv)."""
    marker = Path(path or default_venv_path()) / _MARKER
    return json.loads(marker.read_text())["kinto"]


def _installed(path: Path) -> bool:
    """True if a previous ensure_kinto_venv finished here and the interpreter still exists."""
    return (
        (path / _MARKER).is_file()
        and (path / "bin" / "python").exists()  # follows the symlink to the base interpreter
        and (path / "bin" / "kinto").is_file()
    )


def _choose_version(pip: list[str], wanted: str) -> str:
    """``wanted`` if the index has it, else the newest release listed (``pip index versions``)."""
    try:
        listing = _run([*pip, "index", "versions", "kinto"], "pip index versions kinto")
    except KintoError:
        return wanted  # let the install itself fail with pip's message
    for line in listing.splitlines():
        if line.startswith("Available versions:"):
            versions = [v.strip() for v in line.partition(":")[2].split(",") if v.strip()]
            if versions and wanted not in versions:
                print(f"kinto {wanted} is not on the index; using {versions[0]}", file=sys.stderr)
                return versions[0]
    return wanted


def _run(argv: list[str], what: str, timeout: float = PIP_TIMEOUT, **kwargs) -> str:
    """Run a command, return its stdout; raise KintoError with its output on failure."""
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
            **kwargs,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KintoError(f"{what} failed: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-25:])
        raise KintoError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


# Running a Kinto server.


def _ini(backend: str, pg_url: str | None) -> str:
    """Kinto configured at its best (kinto.md): big batches, no per-object permissions."""
    if backend == "postgresql":
        storage = [
            "kinto.storage_backend = kinto.core.storage.postgresql",
            f"kinto.storage_url = {pg_url}",
            "kinto.cache_backend = kinto.core.cache.postgresql",
            f"kinto.cache_url = {pg_url}",
            "kinto.permission_backend = kinto.core.permission.postgresql",
            f"kinto.permission_url = {pg_url}",
        ]
    elif backend == "memory":
        storage = [
            "kinto.storage_backend = kinto.core.storage.memory",
            "kinto.cache_backend = kinto.core.cache.memory",
            "kinto.permission_backend = kinto.core.permission.memory",
        ]
    else:
        raise ValueError(f"unknown Kinto backend {backend!r} (memory or postgresql)")
    principals = [
        f"kinto.{name}_principals = system.Authenticated"
        for name in (
            "bucket_create",
            "bucket_read",
            "bucket_write",
            "collection_create",
            "collection_read",
            "collection_write",
            "record_create",
            "record_read",
            "record_write",
        )
    ]
    lines = [
        "[server:main]",
        "use = egg:waitress#main",
        "host = 127.0.0.1",
        "port = %(http_port)s",
        f"threads = {WAITRESS_THREADS}",
        "",
        "[app:main]",
        "use = egg:kinto",
        *storage,
        f"kinto.userid_hmac_secret = {uuid.uuid4().hex}",
        "multiauth.policies = basicauth",
        f"kinto.batch_max_requests = {BATCH_MAX}",
        f"kinto.storage_max_fetch_size = {FETCH_MAX}",
        "kinto.explicit_permissions = false",
        *principals,
        "",
        # Warnings only: a log line per request is not something one benchmarks against.
        "[loggers]",
        "keys = root, kinto",
        "[handlers]",
        "keys = console",
        "[formatters]",
        "keys = plain",
        "[logger_root]",
        "level = WARNING",
        "handlers = console",
        "[logger_kinto]",
        "level = WARNING",
        "handlers = console",
        "qualname = kinto",
        "propagate = 0",
        "[handler_console]",
        "class = StreamHandler",
        "args = (sys.stderr,)",
        "level = NOTSET",
        "formatter = plain",
        "[formatter_plain]",
        "format = %(asctime)s %(levelname)-5.5s [%(name)s] %(message)s",
        "",
    ]
    return "\n".join(lines)


class KintoServer(_Server):
    """A throwaway Kinto on 127.0.0.1 (waitress, 4 threads), memory or PostgreSQL backend.

    For PostgreSQL, give a started ``PostgresServer``: a fresh database is created on it for
    this Kinto (and dropped on stop), ``kinto migrate`` runs before the start.
    ``base_url`` is ``http://127.0.0.1:PORT/v1``.
    """

    name = "kinto"

    def __init__(
        self,
        backend: str = "memory",
        pg: PostgresServer | None = None,
        venv: Path | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        super().__init__(startup_timeout)
        if backend not in ("memory", "postgresql"):
            raise ValueError(f"unknown Kinto backend {backend!r} (memory or postgresql)")
        if backend == "postgresql" and pg is None:
            raise ValueError("the postgresql backend needs a started PostgresServer (pg=...)")
        self.backend = backend
        self.pg = pg
        self.venv = Path(venv) if venv else None
        self.database: str | None = None

    @property
    def base_url(self) -> str:
        """Root of Kinto's HTTP API, ``http://127.0.0.1:PORT/v1``."""
        if self.port is None:
            raise KintoError("kinto server is not started")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def ini_path(self) -> Path:
        return self._tmpdir() / "kinto.ini"

    def stop(self) -> None:
        """Stop Kinto, then drop its database (if any)."""
        super().stop()
        if self.database and self.pg is not None and self.pg.port is not None:
            import psycopg
            from psycopg import sql

            with (
                contextlib.suppress(psycopg.Error),
                psycopg.connect(self.pg.conninfo("postgres"), autocommit=True) as conn,
            ):
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                conn.execute(drop.format(sql.Identifier(self.database)))
        self.database = None

    def _prepare(self) -> None:
        if self.venv is None:
            self.venv = ensure_kinto_venv()
        pg_url = None
        if self.backend == "postgresql":
            self.database = f"kinto_{uuid.uuid4().hex[:12]}"
            self.pg.create_database(self.database)
            pg_url = f"postgresql://{self.pg.user}@127.0.0.1:{self.pg.port}/{self.database}"
        self.ini_path.write_text(_ini(self.backend, pg_url))
        if self.backend == "postgresql":
            _run(
                [str(self.venv / "bin" / "kinto"), "migrate", "--ini", str(self.ini_path)],
                "kinto migrate",
                timeout=MIGRATE_TIMEOUT,
                env=self._env(),
                cwd=self._tmpdir(),
            )

    def _argv(self) -> list[str]:
        kinto = str(self.venv / "bin" / "kinto")
        return [kinto, "start", "--ini", str(self.ini_path), "--port", str(self.port)]

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        env["KINTO_INI"] = str(self.ini_path)  # keeps `kinto start` from logging a missing config
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env

    def _popen_kwargs(self) -> dict:
        return {"env": self._env()}

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/", timeout=2) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False


# The HTTP client side: one persistent connection, JSON bodies in UTF-8.


class _Client(Connection):
    """A keep-alive connection to Kinto with basic auth (the shared benchmark client)."""

    def __init__(self, base_url: str, auth: tuple[str, str]) -> None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        super().__init__(base_url, {"Authorization": f"Basic {token}"})

    def request(self, method: str, path: str, body: object = None, headers=None):
        """Send one request; return (status, headers, decoded JSON body or None)."""
        status, response_headers, raw = self.send(method, path, body, headers)
        return status, response_headers, decode_json(raw) if raw else None


@contextlib.contextmanager
def _client(base_url: str, auth: tuple[str, str]) -> Iterator[_Client]:
    client = _Client(base_url, auth)
    try:
        yield client
    finally:
        client.close()


def _records_path(bucket: str, collection: str) -> str:
    return f"/buckets/{bucket}/collections/{collection}/records"


def create_collection(
    base_url: str, bucket: str = BUCKET, collection: str = COLLECTION, auth=AUTH
) -> None:
    """Create (or keep) the bucket and the collection."""
    with _client(base_url, auth) as client:
        for path in (f"/buckets/{bucket}", f"/buckets/{bucket}/collections/{collection}"):
            status, _, body = client.request("PUT", path, {"data": {}})
            if status not in (200, 201):
                raise KintoError(f"PUT {path} answered {status}: {body}")


def push(
    base_url: str,
    records: list[dict],
    batch_size: int = BATCH_MAX,
    auth: tuple[str, str] = AUTH,
    bucket: str = BUCKET,
    collection: str = COLLECTION,
) -> float:
    """Create the bucket and collection, push ``records`` as new; return records/s.

    Each batch is one ``POST /v1/batch`` of ``PUT .../records/<id>`` with
    ``If-None-Match: *``; every sub-response must be 201 (else KintoError).
    The time counted is that of the batches only.
    """
    create_collection(base_url, bucket, collection, auth)
    path = _records_path(bucket, collection)
    with _client(base_url, auth) as client, timed() as clock:
        for start in range(0, len(records), batch_size):
            chunk = records[start : start + batch_size]
            body = {
                "defaults": {"method": "PUT", "headers": {"If-None-Match": "*"}},
                "requests": [
                    {"path": f"{path}/{rec['id']}", "body": {"data": rec}} for rec in chunk
                ],
            }
            status, _, answer = client.request("POST", "/batch", body)
            if status != 200:
                raise KintoError(f"POST /batch answered {status}: {answer}")
            statuses = [sub["status"] for sub in answer["responses"]]
            if len(statuses) != len(chunk) or any(s != 201 for s in statuses):
                bad = next((sub for sub in answer["responses"] if sub["status"] != 201), None)
                raise KintoError(
                    f"batch at record {start}: {len(statuses)} answers for {len(chunk)} "
                    f"requests, statuses {sorted(set(statuses))}; first failure: {bad}"
                )
    return len(records) / clock.seconds


def pull_records(
    base_url: str,
    page_size: int = BATCH_MAX,
    auth: tuple[str, str] = AUTH,
    bucket: str = BUCKET,
    collection: str = COLLECTION,
) -> tuple[list[dict], float]:
    """All records of the collection, in pages following ``Next-Page``; (records, seconds)."""
    target = f"{_records_path(bucket, collection)}?_since=0&_limit={page_size}"
    records: list[dict] = []
    with _client(base_url, auth) as client, timed() as clock:
        while target:
            status, headers, answer = client.request("GET", target)
            if status != 200:
                raise KintoError(f"GET {target} answered {status}: {answer}")
            records.extend(answer["data"])
            next_page = headers.get("Next-Page")
            target = None
            if next_page:
                parts = urlsplit(next_page)
                target = f"{parts.path}?{parts.query}"
    return records, clock.seconds


def pull(
    base_url: str,
    page_size: int = BATCH_MAX,
    expected: int | None = None,
    auth: tuple[str, str] = AUTH,
    bucket: str = BUCKET,
    collection: str = COLLECTION,
) -> float:
    """Pull every record in pages of ``page_size``; return records/s.

    Raises KintoError if ``expected`` is given and a different number of records came back.
    """
    records, seconds = pull_records(base_url, page_size, auth, bucket, collection)
    if expected is not None and len(records) != expected:
        raise KintoError(f"pulled {len(records)} records, expected {expected}")
    return len(records) / seconds


# The measurement.


def measure_kinto(
    backend: str,
    n: int = 10000,
    runs: int = 3,
    pg: PostgresServer | None = None,
    batch_size: int = BATCH_MAX,
    page_size: int = BATCH_MAX,
    venv: Path | None = None,
    verbose: bool = True,
) -> dict[str, float]:
    """Median push and pull throughput of Kinto over ``runs`` runs of ``n`` records.

    Each run uses a fresh Kinto (and, on PostgreSQL, a fresh database), since the memory
    backend slows as data grows. Without ``pg`` the postgresql backend starts its own
    PostgreSQL. Per-run figures go to stderr when ``verbose``.
    Returns ``{"push_per_s": ..., "pull_per_s": ...}``.
    """
    venv = ensure_kinto_venv(venv)
    records = finding_records(n)
    pushes, pulls = [], []
    with contextlib.ExitStack() as stack:
        if backend == "postgresql" and pg is None:
            pg = stack.enter_context(PostgresServer())
        for run in range(runs):
            with KintoServer(backend, pg, venv=venv) as server:
                pushes.append(push(server.base_url, records, batch_size))
                pulls.append(pull(server.base_url, page_size, expected=n))
            if verbose:
                print(
                    f"kinto {backend} run {run + 1}/{runs}: push {pushes[-1]:.1f} records/s, "
                    f"pull {pulls[-1]:.1f} records/s",
                    file=sys.stderr,
                    flush=True,
                )
    return {"push_per_s": median(pushes), "pull_per_s": median(pulls)}


def main(argv: list[str] | None = None) -> int:
    """Measure Kinto alone and print ``kinto_push_per_s`` and ``kinto_pull_per_s``."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.kinto_peer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--backend", choices=("memory", "postgresql"), default="memory")
    parser.add_argument("--n", type=int, default=10000, help="records per run (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs; medians are reported")
    parser.add_argument("--batch-size", type=int, default=BATCH_MAX)
    parser.add_argument("--page-size", type=int, default=BATCH_MAX)
    args = parser.parse_args(argv)
    with timed() as setup:
        venv = ensure_kinto_venv()
    print(
        f"kinto {kinto_version(venv)} virtualenv ready in {setup.seconds:.1f}s: {venv}",
        file=sys.stderr,
    )
    result = measure_kinto(
        args.backend,
        args.n,
        args.runs,
        batch_size=args.batch_size,
        page_size=args.page_size,
        venv=venv,
    )
    report("kinto_push_per_s", result["push_per_s"], "records/s")
    report("kinto_pull_per_s", result["pull_per_s"], "records/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
