"""Open311 GeoReport v2 at /open311/v2: discovery, services, requests, tokens (JSON and XML).

Public endpoints (the API key of a client application is checked when filing); errors are
answered in the spec's shape, a list of {code, description}.
"""
from flask import Blueprint, current_app, request, url_for

from patrol_api.auth.access import PUBLIC, allow
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.http import media_types
from patrol_api.http.media_types import accepts
from patrol_api.open311 import service as o311
from patrol_api.open311.errors import Open311Error
from patrol_api.open311.render import answer

blp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FMT = "<any(json,xml):fmt>"
SPEC = "http://wiki.open311.org/GeoReport_v2"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _fmt() -> str:
    return (request.view_args or {}).get("fmt", "json")


@blp.errorhandler(Open311Error)
def _open311_error(error: Open311Error):
    db.session.rollback()
    return answer(_fmt(), "errors", error.body(), error.status)


@blp.errorhandler(ApiError)
def _api_error(error: ApiError):
    """The project's errors met on these endpoints (media type, rate limit), in the spec's
    shape."""
    db.session.rollback()
    return answer(_fmt(), "errors", [{"code": error.status, "description": error.message}],
                  error.status)


def _jurisdiction() -> None:
    o311.check_jurisdiction(request.values.get("jurisdiction_id"))


@blp.get(f"/discovery.{FMT}")
@allow(PUBLIC)
def discovery(fmt):
    """Where the endpoint is and what it speaks."""
    url = url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[0]
    body = {"changeset": "2026-12-06T00:00:00+09:00", "contact": "감사담당관 (Audit office)",
            "key_service": "API keys are issued by the district's administrators",
            "endpoints": [{"specification": SPEC, "url": url,
                           "changeset": "2026-12-06T00:00:00+09:00", "type": "production",
                           "formats": ["application/json", "text/xml"]}],
            "jurisdiction_id": current_app.config["OPEN311_JURISDICTION"]}
    return answer(fmt, "discovery", body)


@blp.get(f"/services.{FMT}")
@allow(PUBLIC)
def services(fmt):
    """The categories as services."""
    _jurisdiction()
    return answer(fmt, "services", [o311.service_record(c) for c in o311.services()])


@blp.get(f"/services/<code>.{FMT}")
@allow(PUBLIC)
def service_definition(code, fmt):
    """A service's definition: our categories take no extra attributes."""
    _jurisdiction()
    category = o311.service(code)
    return answer(fmt, "service_definition", {"service_code": category.code, "attributes": []})


@blp.get(f"/requests.{FMT}")
@allow(PUBLIC)
def requests_list(fmt):
    """Service requests by the spec's query (default: the last 90 days, at most 1000)."""
    _jurisdiction()
    found = o311.search(request.args)
    return answer(fmt, "service_requests", [o311.request_record(f) for f in found])


@blp.post(f"/requests.{FMT}")
@allow(PUBLIC)
@accepts(*FORM_TYPES)
def requests_create(fmt):
    """File a request (api_key required); it goes through the findings intake."""
    form = request.form
    media_types.check_form(form)
    _jurisdiction()
    client = o311.client_of(form.get("api_key") or request.args.get("api_key"))
    filed = o311.file_request(client, form.to_dict())
    db.session.commit()  # the intake job runs once committed
    _, finding = o311.finding_of_token(filed.token)
    item = {"token": filed.token, "service_notice": "접수되었습니다. 처리 상황은 "
            "requests/{service_request_id} 로 확인하세요.", "account_id": None}
    if finding is not None:
        item = {"service_request_id": finding.reference, **item}
    return answer(fmt, "service_requests", [item], 201)


@blp.get(f"/requests/<reference>.{FMT}")
@allow(PUBLIC)
def request_item(reference, fmt):
    """One service request."""
    _jurisdiction()
    return answer(fmt, "service_requests", [o311.request_record(o311.finding(reference))])


@blp.get(f"/tokens/<token>.{FMT}")
@allow(PUBLIC)
def token_item(token, fmt):
    """The service_request_id of a token once the request is taken in."""
    _jurisdiction()
    _, finding = o311.finding_of_token(token)
    return answer(fmt, "service_requests", [{
        "service_request_id": finding.reference if finding else None, "token": token}])
