"""The reviewed access policy: who may call every endpoint, walked for every role.

EXPECTED is the security policy written out by hand. A new endpoint fails
`test_every_endpoint_is_in_the_policy` until it is added here (and reviewed).
"""
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.views import MethodView

from patrol_api.auth import devices, tokens
from patrol_api.auth.access import AUTHENTICATED, PUBLIC, allow, rule_for
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL

ADMIN = frozenset({"admin"})
ADMIN_MANAGER = frozenset({"admin", "manager"})
RANKING_READERS = frozenset({"admin", "manager", "viewer"})
FIELD_AND_STAFF = frozenset({"admin", "manager", "patrol_officer", "citizen_auditor",
                             "department_staff"})  # everyone but viewers
# inspections, site checks, coverage: officers see their team's, citizen auditors their own,
# department staff those at their department's sites
INSPECTION_READERS = frozenset({"admin", "manager", "viewer", "patrol_officer",
                                "citizen_auditor", "department_staff"})
ROLES = [role.value for role in Role]
IGNORED_METHODS = {"HEAD", "OPTIONS"}
MISSING_ID = 999999

EXPECTED = {
    ("GET", "/healthz"): "public",
    ("GET", "/readyz"): "public",
    ("GET", "/metrics"): "public",  # declared public: the view checks its own token (below)
    ("GET", "/api/openapi.json"): "public",
    ("GET", "/api/docs"): "public",
    ("GET", "/static/vendor/<path:filename>"): "public",  # shipped ReDoc (scripts/fetch-assets)
    ("POST", "/api/v1/auth/login"): "public",
    # the console: no bearer token; its pages check their cookie session and the same roles
    # themselves (tests/console/test_pages.py holds their role matrix)
    ("GET", "/console/static/<path:filename>"): "public",
    ("GET", "/console/"): "public",
    ("GET", "/console/login"): "public",
    ("POST", "/console/login"): "public",
    ("POST", "/console/logout"): "public",
    ("GET", "/console/inbox"): "public",
    ("GET", "/console/findings/<int:finding_id>"): "public",
    ("POST", "/console/findings/<int:finding_id>/actions/<name>"): "public",
    ("POST", "/console/findings/<int:finding_id>/comments"): "public",
    ("GET", "/console/photos/<sha256>/<kind>"): "public",
    ("GET", "/console/rankings"): "public",
    ("GET", "/console/rankings/chart.svg"): "public",
    ("GET", "/console/rankings/metrics.csv"): "public",
    ("GET", "/console/rankings/metrics.xlsx"): "public",
    ("POST", "/api/v1/auth/logout"): "authenticated",
    ("GET", "/api/v1/auth/me"): "authenticated",
    ("POST", "/api/v1/auth/password"): "authenticated",
    ("GET", "/api/v1/users"): ADMIN_MANAGER,
    ("POST", "/api/v1/users"): ADMIN,
    ("GET", "/api/v1/intake/parked"): ADMIN,
    ("POST", "/api/v1/intake/parked/<int:observation_id>/retry"): ADMIN,
    ("GET", "/api/v1/users/<int:user_id>"): ADMIN_MANAGER,
    ("PATCH", "/api/v1/users/<int:user_id>"): ADMIN,
    ("GET", "/api/v1/devices"): "authenticated",
    ("GET", "/api/v1/devices/<int:device_id>"): "authenticated",
    ("DELETE", "/api/v1/devices/<int:device_id>"): "authenticated",
    ("GET", "/api/v1/departments"): "authenticated",
    ("POST", "/api/v1/departments"): ADMIN,
    ("GET", "/api/v1/departments/<int:record_id>"): "authenticated",
    ("PATCH", "/api/v1/departments/<int:record_id>"): ADMIN,
    ("DELETE", "/api/v1/departments/<int:record_id>"): ADMIN,
    ("POST", "/api/v1/departments/import"): ADMIN,
    ("GET", "/api/v1/areas"): "authenticated",
    ("POST", "/api/v1/areas"): ADMIN,
    ("GET", "/api/v1/areas/<int:record_id>"): "authenticated",
    ("PATCH", "/api/v1/areas/<int:record_id>"): ADMIN,
    ("DELETE", "/api/v1/areas/<int:record_id>"): ADMIN,
    ("POST", "/api/v1/areas/import"): ADMIN,
    ("GET", "/api/v1/categories"): "authenticated",
    ("POST", "/api/v1/categories"): ADMIN,
    ("GET", "/api/v1/categories/<int:record_id>"): "authenticated",
    ("PATCH", "/api/v1/categories/<int:record_id>"): ADMIN,
    ("DELETE", "/api/v1/categories/<int:record_id>"): ADMIN,
    ("POST", "/api/v1/categories/import"): ADMIN,
    ("GET", "/api/v1/facility-types"): "authenticated",
    ("POST", "/api/v1/facility-types"): ADMIN,
    ("GET", "/api/v1/facility-types/<int:record_id>"): "authenticated",
    ("PATCH", "/api/v1/facility-types/<int:record_id>"): ADMIN,
    ("DELETE", "/api/v1/facility-types/<int:record_id>"): ADMIN,
    ("POST", "/api/v1/facility-types/import"): ADMIN,
    ("GET", "/api/v1/sites"): "authenticated",
    ("POST", "/api/v1/sites"): ADMIN,
    ("GET", "/api/v1/sites/<int:record_id>"): "authenticated",
    ("PATCH", "/api/v1/sites/<int:record_id>"): ADMIN,
    ("DELETE", "/api/v1/sites/<int:record_id>"): ADMIN,
    ("POST", "/api/v1/sites/import"): ADMIN,
    ("GET", "/api/v1/routing-rules"): "authenticated",
    ("POST", "/api/v1/routing-rules"): ADMIN,
    ("GET", "/api/v1/routing-rules/<int:record_id>"): "authenticated",
    ("PATCH", "/api/v1/routing-rules/<int:record_id>"): ADMIN,
    ("DELETE", "/api/v1/routing-rules/<int:record_id>"): ADMIN,
    ("POST", "/api/v1/routing-rules/import"): ADMIN,
    ("GET", "/api/v1/reference/changes"): "authenticated",
    ("GET", "/api/v1/vocabularies"): "authenticated",
    ("POST", "/api/v1/sync/push"): FIELD_AND_STAFF,
    ("GET", "/api/v1/sync/pull"): "authenticated",
    ("GET", "/api/v1/sync/observations/<client_id>"): "authenticated",
    ("GET", "/api/v1/sync/conflicts"): ADMIN_MANAGER,
    ("GET", "/api/v1/findings"): "authenticated",
    ("GET", "/api/v1/findings/coordination"): ADMIN_MANAGER,
    ("GET", "/api/v1/findings/nearby"): "authenticated",
    ("POST", "/api/v1/complaints"): frozenset({"admin", "manager", "department_staff"}),
    ("GET", "/api/v1/open311/clients"): ADMIN,
    ("POST", "/api/v1/open311/clients"): ADMIN,
    ("DELETE", "/api/v1/open311/clients/<int:client_id>"): ADMIN,
    # Open311 GeoReport v2: public; filing checks the client application's API key
    ("GET", "/open311/v2/discovery.<any(json,xml):fmt>"): "public",
    ("GET", "/open311/v2/services.<any(json,xml):fmt>"): "public",
    ("GET", "/open311/v2/services/<code>.<any(json,xml):fmt>"): "public",
    ("GET", "/open311/v2/requests.<any(json,xml):fmt>"): "public",
    ("POST", "/open311/v2/requests.<any(json,xml):fmt>"): "public",
    ("GET", "/open311/v2/requests/<reference>.<any(json,xml):fmt>"): "public",
    ("GET", "/open311/v2/tokens/<token>.<any(json,xml):fmt>"): "public",
    ("GET", "/api/v1/findings/routing-accuracy"): ADMIN_MANAGER,
    ("POST", "/api/v1/findings/acknowledge"): frozenset({"admin", "manager",
                                                         "department_staff"}),
    ("GET", "/api/v1/findings/<int:finding_id>"): "authenticated",
    ("POST", "/api/v1/findings/<int:finding_id>/actions"): FIELD_AND_STAFF,
    ("POST", "/api/v1/findings/<int:finding_id>/comments"): frozenset({
        "admin", "manager", "department_staff", "patrol_officer"}),
    ("POST", "/api/v1/findings/<int:finding_id>/merge"): ADMIN_MANAGER,
    ("POST", "/api/v1/findings/<int:finding_id>/split"): ADMIN_MANAGER,
    ("POST", "/api/v1/findings/<int:finding_id>/priority"): ADMIN_MANAGER,
    ("POST", "/api/v1/findings/<int:finding_id>/events/<int:event_id>/undo"): ADMIN_MANAGER,
    ("POST", "/api/v1/uploads"): FIELD_AND_STAFF,
    ("PATCH", "/api/v1/uploads/<upload_id>"): FIELD_AND_STAFF,
    ("DELETE", "/api/v1/uploads/<upload_id>"): FIELD_AND_STAFF,
    ("POST", "/api/v1/photos"): FIELD_AND_STAFF,
    ("GET", "/api/v1/photos/<sha256>"): "authenticated",
    ("GET", "/api/v1/photos/<sha256>/thumb"): "authenticated",
    ("GET", "/api/v1/photos/<sha256>/screen"): "authenticated",
    ("GET", "/api/v1/photos/<sha256>/original"): "authenticated",
    ("GET", "/api/v1/patrol-kinds"): "authenticated",
    ("GET", "/api/v1/checklist-templates"): "authenticated",
    ("POST", "/api/v1/checklist-templates"): ADMIN_MANAGER,
    ("GET", "/api/v1/checklist-templates/<int:template_id>"): "authenticated",
    ("PATCH", "/api/v1/checklist-templates/<int:template_id>"): ADMIN_MANAGER,
    ("POST", "/api/v1/checklist-templates/<int:template_id>/publish"): ADMIN_MANAGER,
    ("GET", "/api/v1/campaigns"): "authenticated",
    ("POST", "/api/v1/campaigns"): ADMIN_MANAGER,
    ("GET", "/api/v1/campaigns/<int:campaign_id>"): "authenticated",
    ("PATCH", "/api/v1/campaigns/<int:campaign_id>"): ADMIN_MANAGER,
    ("GET", "/api/v1/campaigns/<int:campaign_id>/progress"): "authenticated",
    ("GET", "/api/v1/patrol-runs"): frozenset({"admin", "manager", "patrol_officer",
                                               "viewer"}),
    ("GET", "/api/v1/patrol-runs/<int:run_id>"): frozenset({"admin", "manager",
                                                            "patrol_officer", "viewer"}),
    ("GET", "/api/v1/inspections"): INSPECTION_READERS,
    ("GET", "/api/v1/site-checks"): INSPECTION_READERS,
    ("GET", "/api/v1/sites/coverage"): INSPECTION_READERS,
    ("GET", "/api/v1/me/reports"): "authenticated",
    ("GET", "/api/v1/me/reports/credit"): "authenticated",
    ("GET", "/api/v1/patrol-activity"): RANKING_READERS,
    ("GET", "/api/v1/patrol-activity.csv"): RANKING_READERS,
    ("GET", "/api/v1/patrol-activity.xlsx"): RANKING_READERS,
    ("GET", "/api/v1/patrol-schedules"): "authenticated",
    ("POST", "/api/v1/patrol-schedules"): ADMIN_MANAGER,
    ("GET", "/api/v1/patrol-schedules/<int:schedule_id>"): "authenticated",
    ("PATCH", "/api/v1/patrol-schedules/<int:schedule_id>"): ADMIN_MANAGER,
    ("GET", "/api/v1/patrol-schedules/occurrences"): "authenticated",
    ("POST", "/api/v1/warranty/plans"): ADMIN_MANAGER,
    ("GET", "/api/v1/warranty/notices"): ADMIN_MANAGER,
    ("GET", "/api/v1/rankings"): RANKING_READERS,
    ("GET", "/api/v1/rankings/metrics"): RANKING_READERS,
    ("GET", "/api/v1/rankings/metrics.csv"): RANKING_READERS,
    ("GET", "/api/v1/rankings/metrics.xlsx"): RANKING_READERS,
    ("GET", "/api/v1/rankings/charts/on-time-trend"): RANKING_READERS,
    ("GET", "/api/v1/rankings/charts/backlog"): RANKING_READERS,
    ("GET", "/api/v1/rankings/charts/ranking-table"): RANKING_READERS,
    ("GET", "/api/v1/rankings/snapshots"): RANKING_READERS,
    ("POST", "/api/v1/rankings/snapshots"): ADMIN_MANAGER,
    ("GET", "/api/v1/rankings/snapshots/<int:snapshot_id>"): RANKING_READERS,
    ("GET", "/api/v1/rankings/snapshots/<int:snapshot_id>/csv"): RANKING_READERS,
    ("GET", "/api/v1/rankings/snapshots/<int:snapshot_id>/xlsx"): RANKING_READERS,
    ("GET", "/api/v1/rankings/snapshots/<int:snapshot_id>/chart"): RANKING_READERS,
    ("GET", "/api/v1/rankings/awards"): RANKING_READERS,
    ("GET", "/api/v1/rankings/awards.csv"): RANKING_READERS,
    ("GET", "/api/v1/rankings/awards.xlsx"): RANKING_READERS,
}

# Walked last: it revokes the token that calls it.
LAST = {("POST", "/api/v1/auth/logout")}
METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")  # DELETE last: it retires the record


def endpoints(app) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every routed method but HEAD and OPTIONS."""
    found = [(method, rule.rule, rule.endpoint) for rule in app.url_map.iter_rules()
             for method in sorted(rule.methods - IGNORED_METHODS)]
    return sorted(found, key=lambda item: ((item[0], item[1]) in LAST, item[1],
                                           METHOD_ORDER.index(item[0])))


def _describe(rule) -> object:
    """A declared rule as the table writes it."""
    return rule if rule in (PUBLIC, AUTHENTICATED) else frozenset(str(role) for role in rule)


def may_call(who, role: str | None) -> bool:
    """Whether the policy lets `role` (None: anonymous) call."""
    if who == "public":
        return True
    if role is None:
        return False
    return who == "authenticated" or role in who


def test_every_endpoint_is_in_the_policy(app):
    routed = {(method, rule) for method, rule, _ in endpoints(app)}
    undeclared = sorted(routed - EXPECTED.keys())
    gone = sorted(EXPECTED.keys() - routed)
    assert not undeclared, f"endpoints missing from EXPECTED (review and add): {undeclared}"
    assert not gone, f"EXPECTED lists endpoints that no longer exist: {gone}"


def test_policy_names_only_known_roles():
    for key, who in EXPECTED.items():
        assert who in ("public", "authenticated") or (who and who <= set(ROLES)), key


def test_every_endpoint_declares_the_expected_rule(app):
    for method, rule, endpoint in endpoints(app):
        declared = rule_for(app.view_functions[endpoint], method)
        assert declared is not None, f"{method} {rule} declares no @allow rule"
        assert _describe(declared) == EXPECTED[(method, rule)], (
            f"{method} {rule} declares {_describe(declared)}, the policy says "
            f"{EXPECTED[(method, rule)]}")


SQUARE = [[126.90, 37.50], [126.91, 37.50], [126.91, 37.51], [126.90, 37.51], [126.90, 37.50]]
RECORDS = {  # one live record of each reference kind, created in this order
    "areas": {"code": "m-area", "name_ko": "동", "name_en": "Dong",
              "geometry": {"type": "Polygon", "coordinates": [SQUARE]}},
    "departments": {"code": "m-dept", "name_ko": "부서", "name_en": "Department",
                    "kind": "headquarters"},
    "categories": {"code": "m-cat", "name_ko": "도로", "name_en": "Road", "group": "road"},
    "facility-types": {"code": "m-ft", "name_ko": "가로등", "name_en": "Street lamp"},
    "sites": {"code": "m-site", "name_ko": "가로등 1", "facility_type_code": "m-ft",
              "lat": 37.505, "lon": 126.905},
    "routing-rules": {"target_department_code": "m-dept", "effective_from": "2024-01-01"},
}


def _phone_token(user) -> dict:
    """A bearer header of a token bound to a registered phone of the user."""
    device = devices.register(user, {"client_uid": f"matrix-phone-{user.id}"})
    return _token(user, device=device)


@pytest.fixture
def callers(client, make_user):
    """A bearer header per role (one user each) plus anonymous, and ids to put in URLs.

    The tokens are bound to phones: a phone token may call everything a web token may, and
    also the device-only endpoints (sync push), so the walk reaches every rule.
    """
    headers = {None: {}}
    for role in ROLES:
        headers[role] = _phone_token(make_user(Role(role))[0])
    ids = {}
    for kind, record in RECORDS.items():
        response = client.post(f"/api/v1/{kind}", json=record, headers=headers["admin"])
        assert response.status_code == 201, response.get_json()
        ids[f"/api/v1/{kind}/<int:record_id>"] = response.get_json()["id"]
    owner, _ = make_user(Role.PATROL_OFFICER)
    device = devices.register(owner, {"client_uid": "matrix-phone-1"})
    db.session.commit()
    ids.update(user_id=owner.id, device_id=device.id)
    return headers, ids


def url_for_rule(rule: str, ids: dict) -> str:
    """The rule with each `<name>` filled with an existing id, or a missing one."""
    def fill(match):
        return str(ids.get(rule[:match.end()], ids.get(match.group(1), MISSING_ID)))
    return re.sub(r"<(?:\w+:)?(\w+)>", fill, rule)


# Endpoints declared PUBLIC whose view admits a non-user token (METRICS_TOKEN) and these roles.
CHECKED_IN_VIEW = {("GET", "/metrics"): ADMIN}


def test_role_matrix(app, client, callers):
    headers, ids = callers
    failures = []
    for method, rule, _ in endpoints(app):
        who = CHECKED_IN_VIEW.get((method, rule), EXPECTED[(method, rule)])
        url = url_for_rule(rule, ids)
        body = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
        for role, header in headers.items():
            response = client.open(url, method=method, headers=header, **body)
            problem = _matrix_problem(response, who, role)
            if problem:
                failures.append(f"{method} {url} as {role or 'anonymous'}: {problem}")
    assert not failures, "\n".join(failures)


def _matrix_problem(response, who, role) -> str | None:
    """What is wrong with one matrix response, or None."""
    status, body = response.status_code, response.get_json(silent=True) or {}
    if status >= 500:
        return f"server error {status}: {body}"
    if not may_call(who, role) and role is None:
        return None if (status, body.get("code")) == (401, "unauthenticated") else (
            f"expected 401 unauthenticated, got {status} {body}")
    if not may_call(who, role):
        return None if (status, body.get("code")) == (403, "forbidden") else (
            f"expected 403 forbidden, got {status} {body}")
    if status in (401, 403) and body.get("code") != "bad_credentials":
        return f"allowed caller refused: {status} {body}"
    return None


def _token(user, ttl=timedelta(days=1), device=None) -> dict:
    """A bearer header with a new token of the user."""
    raw = tokens.issue(user, device, ttl)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_revoked_token_is_refused(client, make_user):
    _, headers = make_user(Role.MANAGER)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    response = client.get("/api/v1/auth/me", headers=headers)
    assert (response.status_code, response.get_json()["code"]) == (401, "invalid_token")


def test_expired_token_is_refused(client, make_user):
    user, _ = make_user(Role.ADMIN)
    headers = _token(user, ttl=timedelta(seconds=-1))
    response = client.get("/api/v1/users", headers=headers)
    assert (response.status_code, response.get_json()["code"]) == (401, "invalid_token")


def test_deactivated_users_token_is_refused(client, make_user):
    user, headers = make_user(Role.ADMIN)
    user.active = False
    db.session.commit()
    response = client.get("/api/v1/users", headers=headers)
    assert (response.status_code, response.get_json()["code"]) == (401, "invalid_token")


def test_revoked_devices_token_is_refused(client, make_user):
    user, _ = make_user(Role.PATROL_OFFICER)
    device = devices.register(user, {"client_uid": "lost-phone-1"})
    headers = _token(user, device=device)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    tokens.revoke_device(device)
    db.session.commit()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic dXNlcjpwdw==", "pt_abc",
                                    "Bearer pt_not-a-token", "Bearer " + "x" * 4000])
def test_bad_authorization_headers_are_refused(client, header):
    response = client.get("/api/v1/auth/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["code"] in ("unauthenticated", "invalid_token")


def test_bad_token_on_a_public_endpoint_is_ignored(client):
    response = client.get("/healthz", headers={"Authorization": "Bearer pt_nope"})
    assert response.status_code == 200


def test_unknown_role_is_refused_not_crashed(client, make_user):
    user, headers = make_user(Role.ADMIN)
    user.role = "superuser"  # a role the code does not know (data drift)
    db.session.commit()
    response = client.get("/api/v1/users", headers=headers)
    assert (response.status_code, response.get_json()["code"]) == (403, "forbidden")


@pytest.fixture
def unruled_app(app_factory):
    """A fresh app with test-only routes that forgot to declare who may call them."""
    application = app_factory()

    class HalfDeclared(MethodView):
        @allow(AUTHENTICATED)
        def get(self):
            return {"ok": True}

        def post(self):  # no @allow
            return {"ok": True}

    application.add_url_rule("/test/unruled", view_func=lambda: "reached",
                             endpoint="unruled")
    application.add_url_rule("/test/half", view_func=HalfDeclared.as_view("half"))
    return application


@pytest.mark.parametrize("method, url", [("GET", "/test/unruled"), ("POST", "/test/half")])
def test_endpoint_without_rule_is_refused(unruled_app, make_user, method, url):
    _, headers = make_user(Role.ADMIN)
    with unruled_app.app_context():
        client = unruled_app.test_client()
        for header in ({}, headers):
            response = client.open(url, method=method, headers=header, json={})
            assert response.status_code == 403
            assert response.get_json()["code"] == "no_access_rule"


def test_declared_method_of_a_half_declared_view_still_works(unruled_app, make_user):
    _, headers = make_user(Role.VIEWER)
    with unruled_app.app_context():
        response = unruled_app.test_client().get("/test/half", headers=headers)
    assert response.status_code == 200


def test_allow_needs_a_role():
    with pytest.raises(ValueError):
        allow()
    with pytest.raises(ValueError):
        allow("root")


def test_guards_behind_the_role_check_hold_for_every_allowed_role(client, make_user):
    """The allowed roles meet the domain guards (not only the role check): freezing the running
    month and demoting or deactivating the last active admin are refused for all of them."""
    running = datetime.now(UTC).astimezone(SEOUL).strftime("%Y-%m")
    admin, admin_headers = make_user(Role.ADMIN)
    for role in ROLES:
        headers = admin_headers if role == "admin" else make_user(Role(role))[1]
        frozen = client.post("/api/v1/rankings/snapshots", json={"month": running},
                             headers=headers)
        if may_call(EXPECTED[("POST", "/api/v1/rankings/snapshots")], role):
            assert (frozen.status_code, frozen.get_json()["code"]) == (422, "month_not_over")
        else:
            assert frozen.status_code == 403
        for change in ({"role": "manager"}, {"active": False}):
            demoted = client.patch(f"/api/v1/users/{admin.id}", json=change, headers=headers)
            if may_call(EXPECTED[("PATCH", "/api/v1/users/<int:user_id>")], role):
                assert (demoted.status_code, demoted.get_json()["code"]) == (409, "last_admin")
            else:
                assert demoted.status_code == 403
