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
