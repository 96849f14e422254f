"""Open311 requests over the findings: API keys, filing through the intake, public status.

A service is a live category (service_code = its code). A service request is a finding
(service_request_id = its reference): a request filed here is an observation of the client
application's service user with the channel `open311`, taken in like any other, so it merges
with a patrol officer's observation of the same problem and is routed by the rules. Until
the intake has run, the client holds a token (`tokens/{token}`).

Public answers carry no personal data: no reporter, contact, note (description) or photo.
"""
import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from patrol_api.auth import devices
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import intake, journal, nearby
from patrol_api.findings import lifecycle as lc
from patrol_api.models import Category, Finding, Observation, Open311Client, Open311Request, User
from patrol_api.open311.errors import Open311Error
from patrol_api.open311.render import w3c
from patrol_api.reference import geo

DEVICE = "open311"
KEY_PREFIX = "o311_"
NO_PASSWORD = "!"  # noqa: S105 - no password hash matches: the service user never signs in
DEFAULT_DAYS, MAX_RESULTS = 90, 1000
# status_notes of each state (Korean, for the public)
STATUS_NOTES = {
    lc.NEW: "접수됨: 처리부서 지정 중", lc.ASSIGNED: "처리부서 배정됨",
    lc.ACKNOWLEDGED: "처리부서 확인", lc.IN_PROGRESS: "처리 중",
    lc.ON_HOLD: "처리 보류 (사유 확인 중)",
    lc.RESOLVED: "처리 완료 보고, 현장 확인 대기", lc.REOPENED: "재처리 중",
    lc.VERIFIED: "처리 완료 (현장 확인됨)", lc.REJECTED: "종결 (처리 대상 아님)",
    lc.MERGED: "다른 신고와 병합됨",
}


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_client(name: str) -> tuple[Open311Client, str]:
    """A new client application and its API key (shown once; only its hash is kept). Its
    service user is inactive: it never signs in, it only owns the requests' observations. Its
    username is made, not the client's name (any text, not unique), in the usernames' alphabet."""
    user = User(username=f"open311.{secrets.token_hex(8)}", display_name=f"Open311 {name}"[:120],
                role=Role.VIEWER.value, password_hash=NO_PASSWORD, active=False)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    client = Open311Client(name=name, key_hash=_hash(key), user=user)
    db.session.add_all([user, client])
    db.session.flush()
    return client, key


def client_of(key: str | None) -> Open311Client:
    """The live client application of an API key (403 otherwise)."""
    client = None
    if key:
        client = db.session.execute(sa.select(Open311Client).where(
            Open311Client.key_hash == _hash(key))).scalar()
    if client is None or client.revoked_at is not None:
        raise Open311Error(403, "Invalid api_key")
    return client


def check_jurisdiction(given: str | None) -> None:
    """404 for a jurisdiction_id other than ours (none given: ours)."""
    if given and given != current_app.config["OPEN311_JURISDICTION"]:
        raise Open311Error(404, "jurisdiction_id not found")


def services() -> list[Category]:
    """The live categories, by code."""
    return list(db.session.execute(sa.select(Category).where(
        Category.deleted_at.is_(None)).order_by(Category.code)).scalars())


def service(code: str | None) -> Category:
    """A live category by service_code (400 missing, 404 unknown)."""
    if not code:
        raise Open311Error(400, "service_code is required")
    category = db.session.execute(sa.select(Category).where(
        Category.code == code, Category.deleted_at.is_(None))).scalar()
    if category is None:
        raise Open311Error(404, "service_code not found")
    return category


def service_record(category: Category) -> dict:
    """A category as an Open311 service."""
    anonymous = category.code in current_app.config["OPEN311_ANONYMOUS_SERVICES"]
    return {"service_code": category.code, "service_name": category.name_ko,
            "description": f"{category.name_ko} ({category.name_en})"
                           + ("; 익명 신고 가능" if anonymous else ""),
            "metadata": False, "type": "realtime", "keywords": category.name_en,
            "group": category.group}


def _coordinate(form: dict, name: str, low: float, high: float) -> float:
    """A lat or long of the form (400 when missing or not a number in range)."""
    try:
        value = float(form[name])
    except (KeyError, TypeError, ValueError):
        raise Open311Error(400, f"{name} is required as a number (address_string and "
                           "address_id alone are not supported)") from None
    if not low <= value <= high:
        raise Open311Error(400, f"{name} is out of range")
    return value


def _field(form: dict, name: str, limit: int) -> str | None:
    """An optional text field (400 when too long)."""
    value = (form.get(name) or "").strip() or None
    if value is not None and len(value) > limit:
        raise Open311Error(400, f"{name} is longer than {limit} characters")
    return value


def file_request(client: Open311Client, form: dict) -> Open311Request:
    """File a request: an observation (channel open311) scheduled for the intake."""
    category = service(form.get("service_code"))
    lat, lon = _coordinate(form, "lat", -90, 90), _coordinate(form, "long", -180, 180)
    contact = {name: _field(form, name, limit) for name, limit in (
        ("email", 200), ("phone", 40), ("first_name", 100), ("last_name", 100),
        ("device_id", 200), ("account_id", 200), ("address_string", 300),
        ("media_url", 1000))}
    description = _field(form, "description", 4000) or ""
    anonymous = category.code in current_app.config["OPEN311_ANONYMOUS_SERVICES"]
    if not (anonymous or contact["email"] or contact["phone"]):
        raise Open311Error(400, "This service needs the reporter's email or phone")
    device = devices.register(client.user, {"client_uid": DEVICE, "name": "Open311"})
    db.session.flush()
    at = journal.now()
    obs = Observation(client_id=str(uuid.uuid4()), user_id=client.user_id, device_id=device.id,
                      category=category, lat=lat, lon=lon, note=description, channel="open311",
                      area=geo.area_containing(lat, lon), recorded_at_device=at,
                      recorded_at=at, received_at=at, fate="received", time_flags=[],
                      field_versions={}, photos=[])
    db.session.add(obs)
    db.session.flush()
    request = Open311Request(token=str(uuid.uuid4()), client=client, observation=obs,
                             **contact)
    db.session.add(request)
    db.session.flush()
    intake.schedule(obs.id)
    return request


def finding_of_token(token: str) -> tuple[Open311Request, Finding | None]:
    """The request of a token and its finding once taken in (404 for an unknown token)."""
    request = db.session.execute(sa.select(Open311Request).where(
        Open311Request.token == token)).scalar()
    if request is None:
        raise Open311Error(404, "token not found")
    finding_id = request.observation.finding_id
    return request, db.session.get(Finding, finding_id) if finding_id else None


def finding(reference: str) -> Finding:
    """The finding of a service_request_id (404 otherwise)."""
    found = db.session.execute(sa.select(Finding).where(Finding.reference == reference)).scalar()
    if found is None:
        raise Open311Error(404, "service_request_id not found")
    return found


def _times(args: dict, name: str) -> datetime | None:
    value = args.get(name)
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} is not a W3C date-time") from None
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone offset")
    return moment


def near(args: dict) -> list[Finding]:
    """Extension (as FixMyStreet's): with `lat`, `long` and one `service_code`, the open
    requests a report there would join — the nearby-reports search (findings.nearby)."""
    category = service(args.get("service_code"))
    lat, lon = _coordinate(args, "lat", -90, 90), _coordinate(args, "long", -180, 180)
    found = nearby.open_near(category, lat, lon, journal.now())
    return [db.session.get(Finding, item["id"]) for item in found]


def search(args: dict) -> list[Finding]:
    """Findings by the spec's query: service_request_id (comma list; the rest is then ignored),
    service_code, start_date, end_date (default the last 90 days), status; with lat and long,
    the open ones nearby (`near`)."""
    if "lat" in args or "long" in args:
        return near(args)
    if args.get("service_request_id"):
        refs = [ref.strip() for ref in args["service_request_id"].split(",") if ref.strip()]
        return list(db.session.execute(sa.select(Finding).where(
            Finding.reference.in_(refs[:MAX_RESULTS])).order_by(Finding.id)).scalars())
    end = _times(args, "end_date") or journal.now()
    start = _times(args, "start_date") or end - timedelta(days=DEFAULT_DAYS)
    conditions = [Finding.first_seen_at >= start, Finding.first_seen_at <= end]
    if args.get("service_code"):
        codes = [code.strip() for code in args["service_code"].split(",")]
        conditions.append(Finding.category_id.in_(
            sa.select(Category.id).where(Category.code.in_(codes))))
    statuses = {s.strip() for s in (args.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status is open, closed or both")
    if statuses == {"open"}:
        conditions.append(Finding.is_open.is_(True))
    elif statuses == {"closed"}:
        conditions.append(Finding.is_open.is_(False))
    return list(db.session.execute(sa.select(Finding).where(*conditions)
                                   .order_by(Finding.first_seen_at.desc(), Finding.id.desc())
                                   .limit(MAX_RESULTS)).scalars())


def request_record(finding: Finding) -> dict:
    """A finding as an Open311 service request: public facts only."""
    notes = STATUS_NOTES.get(finding.state, finding.state)
    if finding.state == lc.MERGED and finding.merged_into_id:
        into = db.session.get(Finding, finding.merged_into_id)
        notes = f"{notes}: {into.reference}" if into else notes
    department = finding.department
    return {
        "service_request_id": finding.reference,
        "status": "open" if finding.is_open else "closed",
        "status_notes": notes,
        "service_name": finding.category.name_ko,
        "service_code": finding.category.code,
        "description": None,  # reporters' notes may hold personal data
        "agency_responsible": department.name_ko if department else None,
        "service_notice": None,
        "requested_datetime": w3c(finding.first_seen_at),
        "updated_datetime": w3c(finding.updated_at),
        "expected_datetime": w3c(finding.resolve_due_at),
        "address": None, "address_id": None, "zipcode": None,
        "lat": finding.lat, "long": finding.lon, "media_url": None,
    }
