"""Throwaway PostgreSQL and Redis servers on 127.0.0.1 for tests and benchmarks."""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
_PORT_ATTEMPTS = 3
_PORT_CLASH = b"Address already in use"


class ServerError(RuntimeError):
    """A throwaway server could not be started or used."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _version_key(bindir: str) -> tuple[int, ...]:
    """Sort key for /usr/lib/postgresql/<version>/bin: numeric version, unknown lowest."""
    try:
        return tuple(int(part) for part in Path(bindir).parent.name.split("."))
    except ValueError:
        return (-1,)


def _is_executable(path: Path) -> bool:
    """True if path is an executable file."""
    return path.is_file() and os.access(path, os.X_OK)


def find_postgres_bin() -> Path | None:
    """Return the directory with initdb and postgres (newest version first), or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates += [str(Path(initdb).parent), str(Path(initdb).resolve().parent)]
    for bindir in map(Path, candidates):
        if _is_executable(bindir / "initdb") and _is_executable(bindir / "postgres"):
            return bindir
    return None


def find_redis_server() -> Path | None:
    """Return the path of the redis-server binary, or None."""
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    fallback = Path("/usr/bin/redis-server")
    return fallback if _is_executable(fallback) else None


def postgres_missing_reason() -> str | None:
    """Return why a PostgreSQL server cannot be started here, or None if it can."""
    if find_postgres_bin() is not None:
        return None
    return (
        "PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin "
        "or on PATH; install them with `apt-get install -y postgresql` (scripts/test does this)"
    )


def redis_missing_reason() -> str | None:
    """Return why a Redis server cannot be started here, or None if it can."""
    if find_redis_server() is not None:
        return None
    return (
        "redis-server not found on PATH or in /usr/bin; install it with "
        "`apt-get install -y redis-server` (scripts/test does this)"
    )


def missing_reason(*servers: str) -> str | None:
    """Return why any of the named servers ("postgresql", "redis") cannot run, or None."""
    checks = {"postgresql": postgres_missing_reason, "redis": redis_missing_reason}
    reasons = [checks[name]() for name in servers]
    return "; ".join(reason for reason in reasons if reason) or None


def _unprivileged_user() -> tuple[int, int]:
    """Return (uid, gid) of the `postgres` user, else `nobody`, for running as non-root."""
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    raise ServerError("running as root, but neither a 'postgres' nor a 'nobody' user exists")


def _kill_group(pgid: int) -> None:
    """SIGKILL every process left in a process group; ignore an already empty group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class _Server:
    """Shared lifecycle of a throwaway server: temp dir, own process group, wait, stop."""

    name = "server"
    stop_signal = signal.SIGTERM

    def __init__(self, startup_timeout: float = START_TIMEOUT) -> None:
        self.startup_timeout = startup_timeout
        self.port: int | None = None
        self.tmpdir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        """Process id of the server (also its process group id), or None when stopped."""
        return self._proc.pid if self._proc else None

    @property
    def log_path(self) -> Path:
        """Path of the server's log file inside its temp dir."""
        return self._tmpdir() / f"{self.name}.log"

    def start(self):
        """Start the server and wait until it accepts connections; return self."""
        if self.tmpdir is not None:
            raise ServerError(f"{self.name} server already started")
        self.tmpdir = Path(tempfile.mkdtemp(prefix=f"patrol-{self.name}-"))
        atexit.register(self.stop)
        try:
            self._prepare()
            self._launch()
            self._after_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (gracefully, else kill its process group) and delete its files."""
        atexit.unregister(self.stop)
        self._terminate()
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None
        self.port = None

    def pause(self) -> None:
        """Stop the server process, as a crash or a restart would, keeping its files and port."""
        self._terminate()

    def resume(self) -> None:
        """Start a paused server again on the same port and files; wait until it is ready."""
        self._spawn(self._argv())
        if not self._wait_ready():
            raise ServerError(f"{self.name} server did not start again on 127.0.0.1:"
                              f"{self.port}; log:\n{self._log_tail()}")

    def restart(self) -> None:
        """Stop the server process and start it again on the same port with the same files
        (clients lose their connections, as in a real restart); return once it is ready."""
        self.pause()
        self.resume()

    def _launch(self) -> None:
        """Spawn on a free port, retrying a few times if another process grabbed it."""
        for _attempt in range(_PORT_ATTEMPTS):
            self.port = free_port()
            self._spawn(self._argv())
            if self._wait_ready():
                return
            self._terminate()
            if _PORT_CLASH not in self._log_tail().encode():
                break
        raise ServerError(
            f"{self.name} server exited during startup on 127.0.0.1:{self.port}; "
            f"log:\n{self._log_tail()}"
        )

    def _spawn(self, argv: list[str]) -> None:
        """Run argv in its own process group with output appended to the log file."""
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in _terminate
        self._proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self._tmpdir(),
            start_new_session=True,
            **self._popen_kwargs(),
        )

    def _wait_ready(self) -> bool:
        """Return True once ready, False if the process exited; raise on timeout."""
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                return False
            if self._ready():
                return True
            time.sleep(0.05)
        raise ServerError(
            f"{self.name} server did not accept connections on 127.0.0.1:{self.port} "
            f"within {self.startup_timeout:.0f}s; log:\n{self._log_tail()}"
        )

    def _terminate(self) -> None:
        """Signal the server, wait, then SIGKILL whatever remains of its process group."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if proc.poll() is None:
                proc.send_signal(self.stop_signal)
                proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        finally:
            _kill_group(proc.pid)
            proc.wait()
            self._log.close()

    def _log_tail(self, lines: int = 30) -> str:
        """Return the last lines of the server log (for error messages)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _tmpdir(self) -> Path:
        """Return the temp dir, or raise if the server is not started."""
        if self.tmpdir is None:
            raise ServerError(f"{self.name} server is not started")
        return self.tmpdir

    def _popen_kwargs(self) -> dict:
        """Extra subprocess arguments (e.g. user to run as)."""
        return {}

    def _prepare(self) -> None:
        """Set up files before the first launch."""

    def _after_ready(self) -> None:
        """Finish setup once the server accepts connections."""

    def _argv(self) -> list[str]:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError


class PostgresServer(_Server):
    """A throwaway PostgreSQL cluster on 127.0.0.1 with trust auth, tuned for speed."""

    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: disconnects clients, no waiting

    def __init__(
        self, dbname: str = "patrol", user: str = "patrol", startup_timeout: float = START_TIMEOUT
    ) -> None:
        super().__init__(startup_timeout)
        self.dbname = dbname
        self.user = user
        self.bindir = find_postgres_bin()
        self._owner = _unprivileged_user() if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the main database."""
        return self.url_for(self.dbname)

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL of a database on this server."""
        if self.port is None:
            raise ServerError("postgres server is not started")
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def conninfo(self, dbname: str | None = None) -> str:
        """libpq connection string (for psycopg.connect) of a database on this server."""
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={dbname or self.dbname}"

    def create_database(self, name: str) -> str:
        """Create an extra empty database and return its SQLAlchemy URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def _prepare(self) -> None:
        """Run initdb into <tmpdir>/data as an unprivileged user when we are root."""
        if self.bindir is None:
            raise ServerError(postgres_missing_reason())
        if self._owner:
            os.chown(self._tmpdir(), *self._owner)
        argv = [str(self.bindir / "initdb"), "-D", str(self._tmpdir() / "data"), "-U", self.user]
        argv += ["--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]
        with open(self.log_path, "ab") as log:
            done = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self._tmpdir(),
                check=False,
                **self._popen_kwargs(),
            )
        if done.returncode != 0:
            raise ServerError(f"initdb failed (exit {done.returncode}); log:\n{self._log_tail()}")

    def _argv(self) -> list[str]:
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self._tmpdir()),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        argv = [str(self.bindir / "postgres"), "-D", str(self._tmpdir() / "data")]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        return argv

    def _popen_kwargs(self) -> dict:
        if not self._owner:
            return {}
        uid, gid = self._owner
        return {"user": uid, "group": gid, "extra_groups": []}

    def _ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.conninfo("postgres"), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def _after_ready(self) -> None:
        if self.dbname != "postgres":
            self.create_database(self.dbname)


class AppServer(_Server):
    """The API as the embedded server runs it (gunicorn, one process, threads) on 127.0.0.1,
    in a process of its own; `env` configures it (DATABASE_URL, ...), on a migrated database.
    """

    name = "patrol-api"

    def __init__(self, env: dict, threads: int = 8, config: dict | None = None,
                 startup_timeout: float = 120.0) -> None:
        super().__init__(startup_timeout)
        self.env, self.threads, self.config = env, threads, config or {}

    @property
    def url(self) -> str:
        """Base URL of the server."""
        if self.port is None:
            raise ServerError("API server is not started")
        return f"http://127.0.0.1:{self.port}"

    def _argv(self) -> list[str]:
        code = ("from patrol_api import create_app; from patrol_api.serve import "
                f"serve; serve(create_app({self.config!r}), '127.0.0.1', {self.port}, "
                f"{self.threads})")
        return [sys.executable, "-c", code]

    def _popen_kwargs(self) -> dict:
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PATROL_DATA_DIR": str(self._tmpdir()), **self.env}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
        return {"env": env}

    def _ready(self) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as answer:
                return answer.status == 200
        except OSError:
            return False


class RedisServer(_Server):
    """A throwaway Redis server on 127.0.0.1 without persistence."""

    name = "redis"

    @property
    def url(self) -> str:
        """redis:// URL of database 0."""
        if self.port is None:
            raise ServerError("redis server is not started")
        return f"redis://127.0.0.1:{self.port}/0"

    def _prepare(self) -> None:
        if find_redis_server() is None:
            raise ServerError(redis_missing_reason())

    def _argv(self) -> list[str]:
        options = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "save": "",
            "appendonly": "no",
            "dir": str(self._tmpdir()),
        }
        argv = [str(find_redis_server())]
        for key, value in options.items():
            argv += [f"--{key}", value]
        return argv

    def _ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False
