"""GET /metrics: the Prometheus exposition, for METRICS_TOKEN or an administrator."""
from flask import Blueprint, Response, current_app, g

from patrol_api.auth.access import PUBLIC, allow
from patrol_api.errors import ApiError
from patrol_api.ops import metrics

blp = Blueprint("metrics", __name__)


@blp.get("/metrics")
@allow(PUBLIC)  # not a user's endpoint: the scraper's token is checked below
def scrape():
    """Every metric in Prometheus text format, for the metrics token or an admin's token."""
    principal = g.get("principal")
    if not metrics.authorized(principal):
        if principal is not None:
            raise ApiError(403, "forbidden", "Only administrators may read the metrics.")
        raise ApiError(401, "unauthenticated",
                       "Send the metrics token (METRICS_TOKEN) or an administrator's token.")
    body, content_type = metrics.exposition(current_app._get_current_object())
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})
