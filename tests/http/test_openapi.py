"""The OpenAPI document is generated from the schemas, valid, and served with a docs page."""
from openapi_spec_validator import validate


def test_openapi_document_is_valid(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/sites" in spec["paths"]
    assert "bearer" in spec["components"]["securitySchemes"]
    site = spec["components"]["schemas"]["Site"]["properties"]
    assert {"code", "name_ko", "lat", "lon", "facility_type_code"} <= set(site)


def test_every_route_is_documented(client, app):
    documented = set(client.get("/api/openapi.json").get_json()["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            assert path in documented, f"{rule.rule} missing from the OpenAPI document"


def test_docs_page_is_public(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"redoc" in response.data.lower()


def test_large_responses_are_gzipped(client, admin, demo):
    response = client.get("/api/v1/sites?page_size=300", headers={
        **admin, "Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers


def test_pagination_header_and_stable_order(client, admin, demo):
    first = client.get("/api/v1/sites?page=1&page_size=50", headers=admin)
    second = client.get("/api/v1/sites?page=2&page_size=50", headers=admin)
    ids = [s["id"] for s in first.get_json() + second.get_json()]
    assert ids == sorted(ids) and len(set(ids)) == 100
    assert '"total": 300' in first.headers["X-Pagination"]


def test_sync_messages_are_typed(client):
    """A client generated from the document gets every mutation type with its data schema,
    the per-item push results and the pull changes by kind."""
    from patrol_api.http.sync_schemas import MUTATION_DATA, PULLED_RECORDS
    from sync.handlers import HANDLERS
    from sync.sources import REFERENCE_KINDS

    assert set(MUTATION_DATA) == set(HANDLERS)
    assert set(REFERENCE_KINDS) < set(PULLED_RECORDS)
    spec = client.get("/api/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    items = schemas["PushArgs"]["properties"]["mutations"]["items"]
    mapping = items["discriminator"]["mapping"]
    assert set(mapping) == set(HANDLERS)
    site_check = schemas[mapping["site_check.record"].rsplit("/", 1)[1]]
    data = schemas[site_check["properties"]["data"]["$ref"].rsplit("/", 1)[1]]
    assert {"site_code", "result", "checked_at", "position"} <= set(data["properties"])
    result = schemas["PushResult"]["properties"]["results"]["items"]["$ref"]
    assert "status" in schemas[result.rsplit("/", 1)[1]]["required"]
    changes = schemas["PullPage"]["properties"]["changes"]["items"]["discriminator"]
    assert set(changes["mapping"]) == set(PULLED_RECORDS)


def test_file_answers_declare_their_media_types(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]

    def types(path):
        return set(paths[path]["get"]["responses"]["200"]["content"])
    assert types("/api/v1/rankings/metrics.csv") == {"text/csv"}
    assert types("/api/v1/patrol-activity.xlsx") == {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert types("/api/v1/rankings/charts/backlog") == {"image/svg+xml", "image/png"}
    assert types("/api/v1/photos/{sha256}/thumb") == {"image/jpeg"}


def test_error_schema_allows_the_extras_errors_carry(client):
    error = client.get("/api/openapi.json").get_json()["components"]["schemas"]["Error"]
    assert error["additionalProperties"] is True
    assert {"errors", "current", "current_version"} <= set(error["properties"])


def test_if_match_is_declared_where_it_is_read(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path, method in (("/api/v1/areas/{record_id}", "patch"),
                         ("/api/v1/areas/{record_id}", "delete"),
                         ("/api/v1/findings/{finding_id}/actions", "post"),
                         ("/api/v1/findings/{finding_id}/priority", "post"),
                         ("/api/v1/campaigns/{campaign_id}", "patch")):
        names = {p["name"] for p in paths[path][method].get("parameters", [])}
        assert "If-Match" in names, (method, path)
