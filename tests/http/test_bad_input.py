"""Malformed, oversized and wrongly typed input to every endpoint gets the structured error.

The endpoints are read from the app's url_map and their declared schemas, so a new endpoint
is covered without editing this file. Skips are explicit: see NO_BODY and OWN_MEDIA_TYPES.
"""
import io
import json
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import fields, validate

from patrol_api.auth import devices, tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.http.media_types import JSON, MAX_JSON_DEPTH, declared
from patrol_api.http.url_limit import MAX_URL_BYTES
from patrol_api.reference.feed import encode_cursor
from patrol_api.reference.kinds import KINDS

BODY_METHODS = ("POST", "PUT", "PATCH")
MISSING_ID = 999999
BASE_KEYS = {"status", "code", "message", "field"}

# POST/PATCH endpoints deliberately left out of the JSON-body checks, and why.
NO_BODY = {("POST", "/api/v1/auth/logout"),  # take no body at all
           ("POST", "/api/v1/intake/parked/<int:observation_id>/retry")}
OWN_MEDIA_TYPES = {("POST", f"/api/v1/{kind}/import") for kind in KINDS}  # CSV / GeoJSON
PHOTO_UPLOADS = {("POST", "/api/v1/uploads"),  # tus: application/offset+octet-stream
                 ("PATCH", "/api/v1/uploads/<upload_id>"),
                 ("POST", "/api/v1/photos")}  # multipart or image/*: tested in tests/photos
OWN_MEDIA_TYPES |= PHOTO_UPLOADS
CONSOLE_FORMS = {("POST", "/console/login"), ("POST", "/console/logout"),  # HTML forms:
                 ("POST", "/console/findings/<int:finding_id>/actions/<name>"),  # tested in
                 ("POST", "/console/findings/<int:finding_id>/comments")}  # tests/console
OWN_MEDIA_TYPES |= CONSOLE_FORMS
OWN_MEDIA_TYPES |= {("POST", "/open311/v2/requests.<any(json,xml):fmt>")}  # form: tests/open311
FREE_TEXT_QUERY_ARGS = {"q", "cursor", "department_code", "team", "category_code",
                        "site_code"}  # any text is valid


@pytest.fixture
def admin(make_user):
    """An admin signed in from a phone: a device-bound token also reaches device-only
    endpoints (sync push), so every body gets as far as its validation."""
    user, _ = make_user(Role.ADMIN)
    device = devices.register(user, {"client_uid": "bad-input-phone"})
    raw = tokens.issue(user, device, timedelta(days=1))
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def assert_error(response, status=None, code=None, field=...) -> dict:
    """Assert the structured error shape (and status, code and field when given)."""
    where = f"{response.request.method} {response.request.full_path.rstrip('?')[:200]}"
    text = response.get_data(as_text=True)[:400]
    assert 400 <= response.status_code < 500, f"{where} -> {response.status_code}: {text}"
    assert response.mimetype == "application/json", f"{where} -> {text}"
    body = response.get_json()
    assert set(body) >= BASE_KEYS and body["status"] == response.status_code, (where, body)
    assert isinstance(body["code"], str) and isinstance(body["message"], str), (where, body)
    assert body["field"] is None or isinstance(body["field"], str), (where, body)
    assert "Traceback" not in text
    if status is not None:
        assert response.status_code == status, (where, body)
    if code is not None:
        assert body["code"] == code, (where, body)
    if field is not ...:
        assert body["field"] == field, (where, body)
    return body


def _handler(app, endpoint: str, method: str):
    """The view function or MethodView method behind an endpoint."""
    view = app.view_functions[endpoint]
    view_class = getattr(view, "view_class", None)
    return getattr(view_class, method.lower()) if view_class else view


def _schemas(handler, location: str) -> list:
    """Schema instances a handler declares for a request location (webargs/flask-smorest)."""
    apidoc = getattr(handler, "_apidoc", {})
    params = apidoc.get("arguments", {}).get("parameters", [])
    found = [p["schema"] for p in params if p.get("in") == location]
    if location == "query" and "pagination" in apidoc:
        found.append(apidoc["pagination"]["parameters"]["schema"])
    return [schema() if isinstance(schema, type) else schema for schema in found]


def _url(rule: str) -> str:
    """A concrete URL for a url rule: every path argument is a missing id (an any(...)
    argument its first choice)."""
    rule = re.sub(r"<any\((\w+)[^)]*\):\w+>", r"\1", rule)
    return re.sub(r"<(?:\w+:)?\w+>", str(MISSING_ID), rule)


def routes(app, methods):
    """(method, url rule, handler, url) for every routed method in `methods`."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & set(methods)):
            found.append((method, rule.rule, _handler(app, rule.endpoint, method),
                          _url(rule.rule)))
    return sorted(found, key=lambda item: (item[1], item[0]))


def json_body_routes(app):
    """The POST/PUT/PATCH endpoints that take a JSON body with a declared schema."""
    taken = []
    for method, rule, handler, url in routes(app, BODY_METHODS):
        if (method, rule) in NO_BODY | OWN_MEDIA_TYPES:
            continue
        schemas = _schemas(handler, "json")
        assert schemas, f"{method} {rule}: declare a JSON body schema or list it in NO_BODY"
        taken.append((method, rule, schemas[0], url))
    return taken


def test_skips_are_exactly_the_listed_ones(app):
    no_body, own_types = set(), set()
    for method, rule, handler, _ in routes(app, BODY_METHODS):
        if declared(handler, method) != {JSON}:
            own_types.add((method, rule))
        elif not _schemas(handler, "json"):
            no_body.add((method, rule))
    assert own_types == OWN_MEDIA_TYPES, "update OWN_MEDIA_TYPES and test those types here"
    assert no_body == NO_BODY, "a body endpoint without a JSON schema: give it one"
    assert len(json_body_routes(app)) >= 10


def post_raw(client, method, url, data, headers, content_type="application/json"):
    """Send raw bytes or text as the body."""
    return client.open(url, method=method, data=data, content_type=content_type,
                       headers=headers)


MALFORMED = ["{", "}", "{'code': 'x'}", '{"code": }', '{"a": 1} trailing', "[1, 2,]",
             '{"a": "unterminated}', "nul", "\x00", "{\"a\": 1,}", "0x10"]


def test_malformed_json_is_400(app, client, admin):
    for method, _, _, url in json_body_routes(app):
        for data in MALFORMED:
            response = post_raw(client, method, url, data, admin)
            assert_error(response, 400, "malformed_json", "body")


@pytest.mark.parametrize("data", [
    b'{"code": "\xff\xfe"}', b"\xff", b'{"name_ko": "\xed\xa0\x80"}',  # lone surrogate
    b"\xef\xbb\xbf{}",  # a UTF-8 byte order mark is not JSON
    '{"name_ko": "영등포"}'.encode("cp949")])
def test_invalid_utf8_is_400(app, client, admin, data):
    for method, _, _, url in json_body_routes(app):
        assert_error(post_raw(client, method, url, data, admin), 400, "malformed_json", "body")


@pytest.mark.parametrize("data", ["[]", "[{}]", '"text"', "1", "true", "null", "1.5"])
def test_wrong_top_level_type_is_422(app, client, admin, data):
    for method, _, _, url in json_body_routes(app):
        body = assert_error(post_raw(client, method, url, data, admin), 422,
                            "validation_error", "body")
        assert body["errors"]["json"]


@pytest.mark.parametrize("data", [
    '{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', "NaN", '{"a": [1, NaN]}',
    '{"a": 1e400}', '{"a": -1e999}', '{"a": ' + "9" * 5000 + "}",
    "[" * 10_000 + "]" * 10_000, '{"a": ' * 10_000 + "1" + "}" * 10_000,
    "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)])
def test_unreadable_json_is_400(app, client, admin, data):
    for method, _, _, url in json_body_routes(app):
        assert_error(post_raw(client, method, url, data, admin), 400, "malformed_json", "body")


def test_nesting_within_the_limit_is_validated_not_refused(app, client, admin):
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    for method, _, schema, url in json_body_routes(app):
        name = _load_names(schema)[0]
        response = post_raw(client, method, url, f'{{"{name}": {nested}}}', admin)
        assert_error(response, 422, "validation_error", name)


@pytest.mark.parametrize("text", [r"a\u0000b", r"\ud800", r"x\udfffy", r"\ude00\ud83d"])
def test_text_no_database_stores_is_422_naming_the_field(app, client, admin, text):
    for method, _, schema, url in json_body_routes(app):
        for name in _load_names(schema):
            response = post_raw(client, method, url, f'{{"{name}": "{text}"}}', admin)
            assert_error(response, 422, "validation_error", name)
    response = post_raw(client, "POST", "/api/v1/areas", '{"geometry": {"type": ["ok", '
                        f'"{text}"]}}}}', admin)
    assert_error(response, 422, "validation_error", "geometry.type.1")


def test_escaped_emoji_is_text(client, admin):
    body = r'{"code": "d-1", "name_ko": "\ud83d\ude00", "name_en": "x", "kind": "headquarters"}'
    response = post_raw(client, "POST", "/api/v1/departments", body, admin)
    assert response.status_code == 201
    assert response.get_json()["name_ko"] == "\U0001F600"


def test_huge_numbers_are_validated(app, client, admin):
    for method, _, schema, url in json_body_routes(app):
        for name in _load_names(schema):
            for value in ("9" * 4000, "-" + "9" * 400, "1e308", "123456789012345678901234"):
                response = post_raw(client, method, url, f'{{"{name}": {value}}}', admin)
                assert_error(response, 422, "validation_error")


def test_body_above_max_content_length_is_413(app, client, admin):
    big = b" " * (app.config["MAX_CONTENT_LENGTH"] + 1)
    for method, _, _, url in json_body_routes(app):
        response = post_raw(client, method, url, big, admin)
        assert_error(response, 413, "payload_too_large")


def test_chunked_body_above_max_content_length_is_413(app, client, admin):
    big = b" " * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/api/v1/areas", input_stream=io.BytesIO(big),
                           content_type="application/json",
                           headers={**admin, "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert_error(response, 413, "payload_too_large")


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "text/csv", "application/xml", "application/octet-stream", ""])
def test_non_json_body_is_415(app, client, admin, content_type):
    for method, _, _, url in json_body_routes(app):
        response = client.open(url, method=method, data=b'{"code": "x"}', headers={
            **admin, "Content-Type": content_type})
        assert_error(response, 415, "unsupported_media_type", "Content-Type")


def test_json_media_type_variants_are_read_as_json(app, client, admin):
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = post_raw(client, "POST", "/api/v1/areas", '{"code": 5}', admin,
                            content_type)
        assert_error(response, 422, "validation_error", "code")


def _load_names(schema) -> list[str]:
    """The names a schema reads from the JSON body."""
    return [field.data_key or name for name, field in schema.load_fields.items()]


def _wrong_value(field):
    """A JSON value of the wrong type for a marshmallow field."""
    if isinstance(field, fields.Dict):
        return [1, 2]
    if isinstance(field, fields.Nested):
        return "not an object"
    if isinstance(field, fields.List):
        return {"not": "a list"}
    return {"nested": {"object": 1}}


def test_wrong_field_types_are_422_naming_the_field(app, client, admin):
    failures = []
    for method, rule, schema, url in json_body_routes(app):
        for name, field in schema.load_fields.items():
            key = field.data_key or name
            response = client.open(url, method=method, headers=admin,
                                   json={key: _wrong_value(field)})
            body = assert_error(response, 422, "validation_error")
            errors = body["errors"]["json"]
            partial = bool(schema.partial)
            if key not in errors or (partial and body["field"] != key) or (
                    body["field"] not in errors and body["field"].split(".")[0] not in errors):
                failures.append(f"{method} {rule} {key}: {body}")
    assert not failures, "\n".join(failures)


def test_unknown_fields_are_422(app, client, admin):
    for method, _, _, url in json_body_routes(app):
        response = client.open(url, method=method, headers=admin,
                               json={"no_such_field": 1, "id": 5})
        body = assert_error(response, 422, "validation_error")
        assert "no_such_field" in body["errors"]["json"]


def _query_routes(app):
    """(method, rule, url, schemas) of every endpoint reading query arguments."""
    found = []
    for method, rule, handler, url in routes(app, ("GET", *BODY_METHODS)):
        schemas = _schemas(handler, "query")
        if schemas:
            found.append((method, rule, url, schemas))
    return found


def _bad_query_values(field) -> list[str]:
    """Query-string values of the wrong type or out of range for a field."""
    if isinstance(field, fields.Boolean):
        return ["maybe", "2", ""]
    if isinstance(field, fields.Number):
        values = ["abc", "1.5x", "1e3e3", "9" * 5000]
        for validator in field.validators:
            if isinstance(validator, validate.Range) and validator.min is not None:
                values.append(str(validator.min - 1))
            if isinstance(validator, validate.Range) and validator.max is not None:
                values.append(str(validator.max + 1))
        return values
    if isinstance(field, fields.UUID | fields.Date | fields.DateTime | fields.Email):
        return ["not-of-this-type", "2024-13-45"]
    if any(isinstance(v, validate.OneOf) for v in field.validators):
        return ["no-such-value"]
    return []


def test_every_query_argument_rejects_wrong_types(app, client, admin):
    checked = set()
    for method, rule, url, schemas in _query_routes(app):
        for schema in schemas:
            for name, field in schema.load_fields.items():
                key = field.data_key or name
                values = _bad_query_values(field)
                assert values or key in FREE_TEXT_QUERY_ARGS, f"{rule}?{key}: no bad values"
                for value in values:
                    response = client.open(url, method=method, headers=admin,
                                           query_string={key: value})
                    if len(url) + len(key) + len(value) + 2 > MAX_URL_BYTES:
                        assert_error(response, 414, "uri_too_long", "url")
                    else:
                        assert_error(response, 422, "validation_error", key)
                    checked.add(key)
    assert {"page", "page_size", "limit", "include_deleted", "dry_run", "role"} <= checked


def test_query_text_no_database_stores_is_422(app, client, admin):
    for method, _, url, schemas in _query_routes(app):
        for name in {n for schema in schemas for n in _load_names(schema)}:
            response = client.open(f"{url}?{name}=a%00b", method=method, headers=admin)
            assert_error(response, 422, "validation_error", name)


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page_size=-1", "page_size=100000",
                                   "page_size=abc", "page=1&page_size=0"])
def test_pagination_arguments(app, client, admin, query):
    for method, _, url, schemas in _query_routes(app):
        if method == "GET" and any("page" in s.fields for s in schemas):
            assert_error(client.get(f"{url}?{query}", headers=admin), 422, "validation_error",
                         query.split("&")[-1].split("=")[0])


def test_limit_argument(client, admin):
    for query in ("limit=abc", "limit=0", "limit=100000", "limit=-5"):
        response = client.get(f"/api/v1/reference/changes?{query}", headers=admin)
        assert_error(response, 422, "validation_error", "limit")


@pytest.mark.parametrize("cursor", ["zzz", "!!!", "cmVmMTp4", encode_cursor(1) + "x", "=" * 8,
                                    "ref1:12", "\u0661\u0662"])
def test_bad_cursor_is_400(client, admin, cursor):
    response = client.get("/api/v1/reference/changes", query_string={"cursor": cursor},
                          headers=admin)
    assert response.status_code == 200 or assert_error(response, 400, "invalid_cursor")


@pytest.mark.parametrize("seq", [10**6, 2**63, 10**30, 10**3000, 10**4000])
def test_cursor_beyond_the_feed_is_400(client, admin, seq):
    response = client.get("/api/v1/reference/changes", headers=admin,
                          query_string={"cursor": encode_cursor(seq)})
    if len(response.request.full_path) > MAX_URL_BYTES:
        assert_error(response, 414, "uri_too_long", "url")
    else:
        assert_error(response, 400, "invalid_cursor", "cursor")


def test_page_beyond_bigint_is_empty_like_any_page_past_the_end(client, admin):
    response = client.get("/api/v1/devices?page=99999999999999999999", headers=admin)
    assert response.status_code == 200 and response.get_json() == []


def test_huge_page_within_bigint_is_empty(client, admin):
    response = client.get("/api/v1/devices?page=1000000", headers=admin)
    assert response.status_code == 200 and response.get_json() == []


@pytest.mark.parametrize("path", ["/nope", "/api/v1", "/api/v1/", "/api/v1/users/",
                                  "/api/v1/areas/abc", "/api/v1/areas/-1", "/api/v1/areas/1.5",
                                  "/api/v1/areas/99999999999999999999999",
                                  "/api/v1/users/" + "9" * 4000, "/api/v1/areas/%00",
                                  "/api/v1/%ff%fe"])
def test_unknown_url_is_404(client, admin, path):
    for headers in ({}, admin):
        assert_error(client.get(path, headers=headers), 404, "not_found")


def test_giant_id_in_body_method_url_is_404(client, admin):
    response = client.patch("/api/v1/areas/99999999999999999999999", json={}, headers=admin)
    assert_error(response, 404, "not_found")


def test_wrong_method_is_405_with_allow_header(app, client, admin):
    for rule in app.url_map.iter_rules():
        method = next(m for m in ("PUT", "DELETE", "PATCH", "POST", "TRACE")
                      if m not in rule.methods)
        url = _url(rule.rule)
        for headers in ({}, admin):
            response = client.open(url, method=method, headers=headers)
            if rule.rule.startswith("/console/"):  # the console's Korean HTML page
                assert response.status_code == 405 and response.mimetype == "text/html"
            else:
                assert_error(response, 405, "method_not_allowed")
            allow = {m.strip() for m in response.headers["Allow"].split(",")}
            assert rule.methods <= allow, (rule.rule, allow)


class TestImportEndpoints:
    """The import endpoints take CSV, GeoJSON or a multipart file: checked per their types."""

    URL = "/api/v1/areas/import"

    def test_other_media_types_are_415(self, app, client, admin):
        for method, _, _, url in routes(app, ("POST",)):
            if (method, url) not in OWN_MEDIA_TYPES - PHOTO_UPLOADS - CONSOLE_FORMS:
                continue
            for content_type in ("image/png", "application/xml", "application/x-www-form-"
                                 "urlencoded", ""):
                response = client.post(url, data=b"code\nx", headers={
                    **admin, "Content-Type": content_type})
                assert_error(response, 415, "unsupported_media_type", "Content-Type")

    @pytest.mark.parametrize("data, content_type, code", [
        (b"{", "application/geo+json", "malformed_geojson"),
        (b'{"type": "FeatureCollection", "features": 5}', "application/json",
         "malformed_geojson"),
        (b"[1, 2]", "application/geo+json", "malformed_geojson"),
        (b"\xff\xfe\xff", "text/csv", "bad_encoding"),
        (b"", "text/csv", "empty_import"),
        (b"code,name_ko\n", "text/csv", "empty_import")])
    def test_malformed_uploads_are_422(self, client, admin, data, content_type, code):
        response = client.post(self.URL, data=data, content_type=content_type, headers=admin)
        assert_error(response, 422, code)

    def test_oversized_upload_is_413(self, app, client, admin):
        big = b"a" * (app.config["MAX_CONTENT_LENGTH"] + 1)
        for content_type in ("text/csv", "application/geo+json"):
            response = client.post(self.URL, data=big, content_type=content_type,
                                   headers=admin)
            assert_error(response, 413, "payload_too_large")

    def test_multipart_without_file_is_structured(self, client, admin):
        response = client.post(self.URL, data={"other": "x"}, headers=admin,
                               content_type="multipart/form-data")
        assert_error(response)

    def test_bad_rows_are_reported_not_raised(self, client, admin):
        csv = "code,name_ko,name_en,geometry\na-1,동,Dong,not-json\nbad code!,동,Dong,[[\n"
        response = client.post(self.URL, data=csv, content_type="text/csv", headers=admin)
        assert response.status_code == 200
        assert response.get_json()["rejected"] == 2

    @pytest.mark.parametrize("upload", ["body", "multipart", "csv-cell"])
    def test_deeply_nested_geojson_is_4xx(self, client, admin, upload):
        deep = "[" * 10_000 + "]" * 10_000
        if upload == "body":
            kwargs = {"data": deep, "content_type": "application/geo+json"}
        elif upload == "multipart":
            kwargs = {"data": {"file": (io.BytesIO(deep.encode()), "a.geojson")},
                      "content_type": "multipart/form-data"}
        else:
            kwargs = {"data": f'code,name_ko,name_en,geometry\na,b,c,"{deep}"',
                      "content_type": "text/csv"}
        _assert_rejected_or_refused(client.post(self.URL, headers=admin, **kwargs))


    def test_lone_surrogate_in_geojson_is_not_5xx(self, client, admin):
        response = client.post("/api/v1/departments/import", headers=admin,
                               data=_feature_collection("\\ud800"),
                               content_type="application/geo+json")
        assert response.status_code < 500
        _assert_rejected_or_refused(response)

    @pytest.mark.parametrize("upload", ["csv", "geojson"])
    def test_nul_in_upload_is_not_5xx(self, client, admin, upload):
        if upload == "csv":
            data = "code,name_ko,name_en,kind\nd-9,a\x00b,c,headquarters\n"
            content_type = "text/csv"
        else:
            data, content_type = _feature_collection("a\\u0000b"), "application/geo+json"
        response = client.post("/api/v1/departments/import", data=data.encode(),
                               content_type=content_type, headers=admin)
        _assert_rejected_or_refused(response)


def _assert_rejected_or_refused(response) -> None:
    """An import answer that refused the upload (structured 4xx) or rejected its row."""
    if response.status_code == 200:
        assert response.get_json()["rejected"] == 1, response.get_json()
    else:
        assert_error(response)


def _feature_collection(name_ko: str) -> str:
    """A GeoJSON import of one department whose Korean name is `name_ko` (raw JSON text)."""
    properties = ('{"code": "d-1", "name_ko": "' + name_ko + '", "name_en": "x", '
                  '"kind": "headquarters"}')
    return ('{"type": "FeatureCollection", "features": [{"type": "Feature", '
            f'"properties": {properties}, "geometry": null}}]}}')


JSON_SCALARS = (st.none() | st.booleans() | st.integers() | st.text(max_size=30)
                | st.floats(allow_nan=True, allow_infinity=True))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.text(max_size=12), children, max_size=4),
                           max_leaves=12)
FUZZED = [("POST", "/api/v1/areas"), ("POST", "/api/v1/sites"), ("POST", "/api/v1/categories"),
          ("POST", "/api/v1/routing-rules"), ("POST", "/api/v1/users"),
          ("PATCH", f"/api/v1/sites/{MISSING_ID}"), ("POST", "/api/v1/sync/push")]


@pytest.mark.parametrize("method, url", FUZZED)
def test_arbitrary_json_never_gives_5xx(app, client, admin, method, url):
    rule = app.url_map.bind("localhost").match(url, method=method, return_rule=True)[0]
    schema = _schemas(_handler(app, rule.endpoint, method), "json")[0]
    names = _load_names(schema)
    bodies = JSON_VALUES | st.fixed_dictionaries(
        {}, optional=dict.fromkeys(names, JSON_VALUES))

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(body=bodies)
    def check(body):
        data = json.dumps(body)  # NaN and Infinity become the non-JSON literals
        response = client.open(url, method=method, data=data, content_type="application/json",
                               headers=admin)
        assert response.status_code < 500, (data, response.get_data(as_text=True))
        if response.status_code >= 400:
            assert_error(response)

    check()
