"""Serve the app with gunicorn from the CLI (one process, threads: right for SQLite)."""
import gc

from flask import Flask
from gunicorn.app.base import BaseApplication

# gunicorn's default access line; the request id (a response header) is appended
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss'


class _Embedded(BaseApplication):
    """A gunicorn application around an already created Flask app."""

    def __init__(self, app: Flask, options: dict):
        self.application, self.options = app, options
        super().__init__()

    def load_config(self):
        """Pass our options to gunicorn."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """The WSGI app."""
        return self.application


def settle_heap() -> None:
    """Keep the garbage collector off what is alive once the app is built (mappers, schemas,
    modules): a server would otherwise re-scan it on every full collection, which cost about
    a tenth of a push (bench sync, 2026-12-04)."""
    gc.collect()
    gc.freeze()


def serve(app: Flask, host: str, port: int, threads: int) -> None:
    """Run gunicorn in the foreground on host:port (the periodic ticks on a timer when jobs
    run in-process, see patrol_api.ticks)."""
    from patrol_api import ticks

    ticks.run_in_process(app)
    settle_heap()
    _Embedded(app, options(host, port, threads, app.config["REQUEST_ID_HEADER"])).run()


def options(host: str, port: int, threads: int, request_id_header: str = "X-Request-ID") -> dict:
    """gunicorn's settings: one threaded process; request lines up to gunicorn's maximum, so
    that the app answers over-long URLs with its JSON 414 (patrol_api.http.url_limit); the
    request id (a response header) at the end of each access line."""
    from patrol_api.http.url_limit import GUNICORN_REQUEST_LINE

    request_id = "%({" + request_id_header.lower() + "}o)s"
    return {"bind": f"{host}:{port}", "workers": 1, "threads": threads,
            "worker_class": "gthread", "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT + " " + request_id,
            "limit_request_line": GUNICORN_REQUEST_LINE}
