"""The throwaway PostgreSQL and Redis servers really start, serve, and go away."""

import os
import signal
from pathlib import Path

import psycopg
import pytest
import redis

from devtools import servers
from devtools.servers import PostgresServer, RedisServer

PG_MISSING = servers.postgres_missing_reason()
REDIS_MISSING = servers.redis_missing_reason()
needs_postgres = pytest.mark.skipif(PG_MISSING is not None, reason=f"NOT TESTED: {PG_MISSING}")
needs_redis = pytest.mark.skipif(REDIS_MISSING is not None, reason=f"NOT TESTED: {REDIS_MISSING}")


def assert_gone(pgid: int, tmpdir: Path) -> None:
    """No process is left in the server's process group and its files are deleted."""
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)
    assert not tmpdir.exists()


def process_uid(pid: int) -> int:
    """Real uid of a running process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for pid {pid}")


@needs_postgres
def test_postgres_serves_queries_and_stops():
    with PostgresServer() as pg:
        assert pg.url == f"postgresql+psycopg://patrol@127.0.0.1:{pg.port}/patrol"
        pgid, tmpdir = pg.pid, pg.tmpdir
        with psycopg.connect(pg.conninfo()) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            conn.execute("create table post (id serial primary key, title text not null)")
            conn.execute("insert into post (title) values (%s), (%s)", ["순찰", "점검"])
            rows = conn.execute("select title from post order by id").fetchall()
        assert rows == [("순찰",), ("점검",)]
    assert pg.pid is None
    assert_gone(pgid, tmpdir)


@needs_postgres
def test_postgres_create_database_gives_empty_database():
    with PostgresServer(dbname="main") as pg:
        url = pg.create_database("extra")
        assert url == f"postgresql+psycopg://patrol@127.0.0.1:{pg.port}/extra"
        with psycopg.connect(pg.conninfo("extra")) as conn:
            tables = conn.execute("select count(*) from pg_tables where schemaname = 'public'")
            assert tables.fetchone() == (0,)


@needs_postgres
def test_postgres_stops_with_a_client_still_connected():
    pg = PostgresServer().start()
    pgid, tmpdir = pg.pid, pg.tmpdir
    with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
        conn.execute("select 1")
        pg.stop()
        assert_gone(pgid, tmpdir)


@needs_postgres
@pytest.mark.skipif(os.geteuid() != 0, reason="only meaningful when running as root")
def test_postgres_runs_unprivileged_when_root():
    with PostgresServer() as pg:
        assert process_uid(pg.pid) != 0


@needs_redis
def test_redis_set_get_and_stops():
    with RedisServer() as server:
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        pgid, tmpdir = server.pid, server.tmpdir
        with redis.Redis.from_url(server.url) as client:
            client.set("patrol:greeting", "안녕하세요")
            assert client.get("patrol:greeting").decode() == "안녕하세요"
    assert_gone(pgid, tmpdir)


@needs_redis
def test_stop_kills_the_process_group_when_graceful_stop_fails(monkeypatch):
    monkeypatch.setattr(servers, "STOP_TIMEOUT", 0.2)
    server = RedisServer().start()
    server.stop_signal = signal.SIGCONT  # does not stop the server: forces the SIGKILL path
    pgid, tmpdir = server.pid, server.tmpdir
    server.stop()
    assert_gone(pgid, tmpdir)


@needs_redis
def test_stop_is_idempotent_and_server_can_restart():
    server = RedisServer()
    server.stop()
    with server:
        first_port = server.port
    server.stop()
    with server:
        assert server.port is not None
    assert first_port is not None
    with pytest.raises(servers.ServerError, match="not started"):
        _ = server.url


@needs_postgres
def test_postgres_pauses_and_resumes_with_its_data_and_port():
    with PostgresServer() as pg:
        with psycopg.connect(pg.conninfo(), autocommit=True) as conn:
            conn.execute("create table kept (value text)")
            conn.execute("insert into kept values ('순찰')")
        port = pg.port
        pg.pause()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(pg.conninfo(), connect_timeout=2)
        pg.resume()
        assert pg.port == port
        with psycopg.connect(pg.conninfo()) as conn:
            assert conn.execute("select value from kept").fetchall() == [("순찰",)]
