"""GET /healthz (the process is alive) and GET /readyz (it can serve: see ops/readiness)."""
from flask import Blueprint, current_app, jsonify

from patrol_api.auth.access import PUBLIC, allow
from patrol_api.ops import readiness

blp = Blueprint("health", __name__)


@blp.get("/healthz")
@allow(PUBLIC)
def healthz():
    """Liveness: the process answers; it touches no dependency, so an outage of one does not
    make an orchestrator restart every process."""
    return jsonify({"status": "ok"})


@blp.get("/readyz")
@allow(PUBLIC)
def readyz():
    """Readiness: 200 when the database, migrations, queue and media store are all fine,
    else 503 naming the failing checks."""
    ready, checks = readiness.run(current_app)
    failing = sorted(name for name, check in checks.items() if not check["ok"])
    body = {"status": "ready" if ready else "not_ready", "failing": failing, "checks": checks}
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
