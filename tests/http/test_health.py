"""GET /healthz reports the database and the queue."""


def test_healthz_embedded(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["queue"] == "in-process"
