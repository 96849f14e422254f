"""Open311 GeoReport v2: the spec's JSON and XML, filing through the intake, public status."""
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import georeport.georeport as georeport_module
import pytest
from georeport import GeoReport
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Observation, Open311Request
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, photo, take

ROOT = "/open311/v2"
# the spec's example of a POST (wiki.open311.org/GeoReport_v2#POST_Service_Request), our
# service code, jurisdiction and position
SPEC_POST = {"jurisdiction_id": "ydp.seoul.kr", "service_code": "roads",
             "lat": str(SPOT[0]), "long": str(SPOT[1]),
             "address_string": "1234 5th street", "email": "smit222@sfgov.edu",
             "device_id": "tt222111", "account_id": "123456", "first_name": "john",
             "last_name": "smith", "phone": "111111111",
             "description": "A large sinkhole is destroying the street",
             "media_url": "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"}
PERSONAL = ("smit222@sfgov.edu", "111111111", "john", "smith", "tt222111", "123456",
            "sinkhole", "1234 5th street")


def post(client, key, fmt="json", **fields):
    body = {**SPEC_POST, "api_key": key, **fields}
    return client.post(f"{ROOT}/requests.{fmt}", data={k: v for k, v in body.items()
                                                       if v is not None})


def xml(response) -> ET.Element:
    assert response.content_type.startswith("text/xml")
    return ET.fromstring(response.data)  # noqa: S314 - our own answer


# --- discovery and services -----------------------------------------------------------------

def test_discovery_in_json_and_xml(client, world):
    body = client.get(f"{ROOT}/discovery.json").json
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert body["endpoints"][0]["url"].endswith("/open311/v2")
    root = xml(client.get(f"{ROOT}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "application/json", "text/xml"]


def test_services_list_the_categories_in_the_specs_shape(client, world):
    services = client.get(f"{ROOT}/services.json").json
    assert {s["service_code"] for s in services} == {
        "roads", "street_order", "cleaning", "traffic", "safety", "other"}
    roads = next(s for s in services if s["service_code"] == "roads")
    assert set(roads) == {"service_code", "service_name", "description", "metadata", "type",
                          "keywords", "group"}
    assert (roads["metadata"], roads["type"], roads["group"]) == (False, "realtime", "street")
    root = xml(client.get(f"{ROOT}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == 6
    assert root.find("service/metadata").text == "false"


def test_a_service_definition_and_an_unknown_service(client, world):
    assert client.get(f"{ROOT}/services/roads.json").json == {
        "service_code": "roads", "attributes": []}
    missing = client.get(f"{ROOT}/services/nope.json")
    assert missing.status_code == 404
    assert missing.json == [{"code": 404, "description": "service_code not found"}]
    root = xml(client.get(f"{ROOT}/services/nope.xml"))
    assert root.tag == "errors" and root.find("error/code").text == "404"


def test_another_jurisdiction_is_not_found(client, world):
    response = client.get(f"{ROOT}/services.json", query_string={"jurisdiction_id": "sf.gov"})
    assert response.status_code == 404
    assert response.json == [{"code": 404, "description": "jurisdiction_id not found"}]


# --- filing ----------------------------------------------------------------------------------

def test_filing_the_specs_example_creates_a_routed_finding(client, api_key, clock):
    response = post(client, api_key)
    assert response.status_code == 201, response.json
    [item] = response.json
    assert item["service_request_id"].startswith("F-") and item["token"]
    obs = db.session.query(Observation).one()
    assert (obs.channel, obs.note) == ("open311", SPEC_POST["description"])
    stored = db.session.query(Open311Request).one()
    assert (stored.email, stored.first_name) == ("smit222@sfgov.edu", "john")
    [public] = client.get(f"{ROOT}/requests/{item['service_request_id']}.json").json
    assert public["status"] == "open" and public["agency_responsible"] == "roads과"
    # an online channel: 24 working hours from Monday 10:00 -> Thursday 10:00 (KST)
    assert public["expected_datetime"] == "2026-11-26T10:00:00+09:00"
    assert public["requested_datetime"] == "2026-11-23T10:00:00+09:00"


def test_filing_in_xml(client, api_key, clock):
    root = xml(post(client, api_key, fmt="xml"))
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text.startswith("F-")
    assert root.find("request/token").text


@pytest.mark.parametrize("change,status,description", [
    ({"api_key": None}, 403, "Invalid api_key"),
    ({"api_key": "o311_wrong"}, 403, "Invalid api_key"),
    ({"jurisdiction_id": "sf.gov"}, 404, "jurisdiction_id not found"),
    ({"service_code": None}, 400, "service_code is required"),
    ({"service_code": "nope"}, 404, "service_code not found"),
    ({"lat": None}, 400, None), ({"long": "east"}, 400, None), ({"lat": "95"}, 400, None),
    ({"email": None, "phone": None}, 400, "This service needs the reporter's email or phone"),
    ({"description": "x" * 4001}, 400, None),
])
def test_bad_requests_are_refused_in_the_specs_shape(client, api_key, clock, change, status,
                                                     description):
    response = post(client, api_key, **change)
    assert response.status_code == status
    [error] = response.json
    assert error["code"] == status and (description is None
                                        or error["description"] == description)
    assert db.session.query(Observation).count() == 0


def test_a_revoked_key_is_refused(client, api_key, admin):
    [app] = client.get("/api/v1/open311/clients", headers=admin).json
    assert client.delete(f"/api/v1/open311/clients/{app['id']}", headers=admin).status_code == 200
    assert post(client, api_key).status_code == 403


def test_anonymous_reporting_is_configured_per_service(client, api_key, app, clock):
    anonymous = {"email": None, "phone": None, "first_name": None, "last_name": None}
    assert post(client, api_key, **anonymous).status_code == 400
    app.config["OPEN311_ANONYMOUS_SERVICES"] = ("roads",)
    try:
        assert post(client, api_key, **anonymous).status_code == 201
        assert post(client, api_key, service_code="cleaning", **anonymous).status_code == 400
    finally:
        app.config["OPEN311_ANONYMOUS_SERVICES"] = ()


@pytest.mark.parametrize("role,status", [
    (Role.ADMIN, 201), (Role.MANAGER, 403), (Role.DEPARTMENT_STAFF, 403),
    (Role.PATROL_OFFICER, 403), (Role.VIEWER, 403),
])
def test_only_admins_issue_keys(client, make_user, role, status):
    _, headers = make_user(role)
    response = client.post("/api/v1/open311/clients", headers=headers, json={"name": "app"})
    assert response.status_code == status
    if status == 201:
        assert response.json["api_key"].startswith("o311_")
        listed = client.get("/api/v1/open311/clients", headers=headers).json
        assert "api_key" not in listed[0]


# --- the public side: merging, status, tokens, no personal data ------------------------------

@pytest.fixture
def georeport_client(client, monkeypatch):
    """The `georeport` PyPI client, its HTTP GETs answered by the app (no network)."""
    def get(url, params=None, **kwargs):
        return client.get(urlsplit(url).path, query_string=params or {})
    monkeypatch.setattr(georeport_module.requests, "get", _RequestsGet(get))
    return GeoReport(root_address=f"http://localhost{ROOT}", jurisdiction="ydp.seoul.kr")


class _RequestsGet:
    """A `requests.get` answering from the Flask test client, with the Response API the
    client library uses (json, content, raise_for_status)."""

    def __init__(self, get):
        self._get = get

    def __call__(self, url, params=None, **kwargs):
        response = self._get(url, params)

        class Answer:
            status_code, content = response.status_code, response.data

            def json(self):
                return response.json

            def raise_for_status(self):
                if response.status_code >= 400:
                    raise RuntimeError(response.status_code)
        return Answer()


def test_an_open311_report_merges_with_a_patrol_report_and_closes_when_verified(
        client, api_key, observe, reporter, make_user, world, clock, georeport_client):
    officer = reporter()
    patrol = take(observe("roads", user=officer))
    clock.advance(minutes=20)
    [filed] = post(client, api_key, lat=str(offset(SPOT, 12)[0]),
                   long=str(offset(SPOT, 12)[1])).json
    assert filed["service_request_id"] == patrol.reference
    seen = georeport_client.get_service_request(patrol.reference)
    assert seen["status"] == "open"
    staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0]
    finding = act(staff, patrol, "resolve",
                  evidence={"sha256": photo("fix"), "lat": SPOT[0], "lon": SPOT[1]})
    seen = georeport_client.get_service_request(patrol.reference)
    assert (seen["status"], seen["status_notes"]) == ("open", "처리 완료 보고, 현장 확인 대기")
    clock.advance(days=1)
    act(officer, finding, "verify", position={"lat": SPOT[0], "lon": SPOT[1], "accuracy_m": 5})
    seen = georeport_client.get_service_request(patrol.reference)
    assert (seen["status"], seen["status_notes"]) == ("closed", "처리 완료 (현장 확인됨)")
    listed = georeport_client.get_service_requests(status="closed")
    assert [r["service_request_id"] for r in listed] == [patrol.reference]
    services = georeport_client.get_service_list()
    assert "roads" in {s["service_code"] for s in services}


def test_the_georeport_client_reads_xml_too(client, api_key, clock, monkeypatch):
    [filed] = post(client, api_key).json
    def get(url, params=None, **kwargs):
        return client.get(urlsplit(url).path, query_string=params or {})
    monkeypatch.setattr(georeport_module.requests, "get", _RequestsGet(get))
    reader = GeoReport(root_address=f"http://localhost{ROOT}", output_format="xml")
    request = reader.get_service_request(filed["service_request_id"])
    assert request["service_request_id"] == filed["service_request_id"]
    assert request["status"] == "open"


def test_a_token_leads_to_the_request(client, api_key, clock):
    [filed] = post(client, api_key).json
    [found] = client.get(f"{ROOT}/tokens/{filed['token']}.json").json
    assert found == {"service_request_id": filed["service_request_id"],
                     "token": filed["token"]}
    assert client.get(f"{ROOT}/tokens/nope.json").status_code == 404


def test_public_answers_carry_no_personal_data(client, api_key, clock):
    [filed] = post(client, api_key).json
    answers = [client.get(f"{ROOT}/requests/{filed['service_request_id']}.{fmt}").data
               for fmt in ("json", "xml")]
    answers += [client.get(f"{ROOT}/requests.{fmt}").data for fmt in ("json", "xml")]
    answers.append(client.get(f"{ROOT}/tokens/{filed['token']}.json").data)
    for body in answers:
        text = body.decode()
        assert filed["service_request_id"] in text
        for value in PERSONAL:
            assert value not in text


def test_requests_filter_by_status_and_dates(client, api_key, observe, clock):
    take(observe("cleaning"))
    post(client, api_key)
    listed = client.get(f"{ROOT}/requests.json", query_string={"service_code": "roads"}).json
    assert [r["service_code"] for r in listed] == ["roads"]
    assert client.get(f"{ROOT}/requests.json", query_string={"status": "closed"}).json == []
    later = datetime(2026, 11, 24, tzinfo=UTC).isoformat()
    assert client.get(f"{ROOT}/requests.json", query_string={"start_date": later}).json == []
    bad = client.get(f"{ROOT}/requests.json", query_string={"status": "pending"})
    assert bad.status_code == 400 and bad.json[0]["code"] == 400


def test_text_no_database_stores_is_refused(client, api_key):
    response = post(client, api_key, description="a\x00b")
    assert response.status_code == 422
    assert response.json[0]["description"].startswith("description:")
    assert db.session.query(Observation).count() == 0


def test_a_json_body_is_refused_in_the_specs_shape(client, api_key):
    response = client.post(f"{ROOT}/requests.json", json={**SPEC_POST, "api_key": api_key})
    assert response.status_code == 415
    [error] = response.json
    assert error["code"] == 415
    root = xml(client.post(f"{ROOT}/requests.xml", json={"api_key": api_key}))
    assert root.find("error/code").text == "415"


def test_requests_near_a_point_are_the_open_ones_a_report_would_join(client, api_key, observe,
                                                                     clock):
    here = take(observe("roads", point=offset(SPOT, 10)))
    take(observe("roads", point=offset(SPOT, 200)))       # beyond the 30 m radius
    take(observe("cleaning", point=offset(SPOT, 5)))      # another group
    query = {"service_code": "roads", "lat": SPOT[0], "long": SPOT[1]}
    listed = client.get(f"{ROOT}/requests.json", query_string=query).json
    assert [r["service_request_id"] for r in listed] == [here.reference]
    missing = client.get(f"{ROOT}/requests.json", query_string={"lat": SPOT[0],
                                                                "long": SPOT[1]})
    assert missing.status_code == 400 and missing.json[0]["description"] == (
        "service_code is required")


FIELDS = ["service_code", "lat", "long", "email", "phone", "first_name", "description",
          "media_url", "address_string", "jurisdiction_id", "api_key"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=300), max_size=6))
def test_hostile_form_values_get_a_spec_error_or_a_request_never_a_500(client, api_key, clock,
                                                                       values):
    response = post(client, api_key, **values)
    assert response.status_code in (201, 400, 403, 404, 422), response.data[:300]
    body = response.json
    if response.status_code == 201:
        assert body[0]["token"]
    else:
        assert body[0]["code"] == response.status_code and body[0]["description"]
