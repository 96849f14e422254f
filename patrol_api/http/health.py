"""GET /healthz: is the database reachable, is the job queue reachable."""
import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from patrol_api import jobs
from patrol_api.auth.access import PUBLIC, allow
from patrol_api.extensions import db

blp = Blueprint("health", __name__)


def _database_status() -> str:
    """'ok' or the kind of failure."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception as error:  # noqa: BLE001 - the health check reports, never raises
        db.session.rollback()
        return f"unreachable: {type(error).__name__}"


@blp.get("/healthz")
@allow(PUBLIC)
def healthz():
    """Health of the service and its dependencies; 503 when one is down."""
    status = {"database": _database_status(), "queue": jobs.redis_status(current_app),
              "database_backend": db.engine.dialect.name}
    healthy = status["database"] == "ok" and status["queue"] in ("ok", "in-process")
    return jsonify({"status": "ok" if healthy else "degraded", **status}), 200 if healthy else 503
