"""Helpers of the reference data tests: an API driver, valid bodies, error checks."""
import json

KINDS = ("departments", "areas", "categories", "facility-types", "sites", "routing-rules")
CODED_KINDS = tuple(kind for kind in KINDS if kind != "routing-rules")

# A square around 여의도 (Yeouido), lon/lat order as GeoJSON wants it.
YEOUI_SQUARE = {"type": "Polygon", "coordinates": [[
    [126.91, 37.51], [126.94, 37.51], [126.94, 37.54], [126.91, 37.54], [126.91, 37.51]]]}
INSIDE_YEOUI = {"lat": 37.525, "lon": 126.925}


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    """A GeoJSON square polygon with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size],
            [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def body(kind: str, code: str = "x1", /, **overrides) -> dict:
    """A valid request body of a kind (sites and rules refer to the `base` fixture's codes)."""
    bodies = {
        "departments": {"code": code, "name_ko": "도로과", "name_en": "Roads Division",
                        "kind": "headquarters"},
        "areas": {"code": code, "name_ko": "여의동", "name_en": "Yeoui-dong",
                  "geometry": YEOUI_SQUARE},
        "categories": {"code": code, "name_ko": "도로 파손", "name_en": "Road damage",
                       "group": "street"},
        "facility-types": {"code": code, "name_ko": "빗물받이", "name_en": "Storm drain"},
        "sites": {"code": code, "name_ko": "여의도 빗물받이 1호", "facility_type_code": "drain",
                  "area_code": "yeoui", **INSIDE_YEOUI},
        "routing-rules": {"target_department_code": "roads", "effective_from": "2026-01-01"},
    }
    return {**bodies[kind], **overrides}


def utf8_json(data) -> bytes:
    """A JSON body as raw UTF-8 (Korean not escaped), as phones send it."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


class RefApi:
    """Drives the reference API as one user; item helpers return the response."""

    def __init__(self, client, headers: dict):
        self.client, self.headers = client, headers

    def _headers(self, extra: dict | None) -> dict:
        return {**self.headers, **(extra or {})}

    def post(self, kind: str, data: dict, headers: dict | None = None):
        """POST a UTF-8 JSON body to a collection."""
        return self.client.post(f"/api/v1/{kind}", data=utf8_json(data),
                                content_type="application/json", headers=self._headers(headers))

    def create(self, kind: str, code: str = "x1", /, **overrides) -> dict:
        """Create a valid record and return its JSON (fails the test on any other answer)."""
        response = self.post(kind, body(kind, code, **overrides))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def get(self, kind: str, record_id: int):
        """GET one record."""
        return self.client.get(f"/api/v1/{kind}/{record_id}", headers=self.headers)

    def patch(self, kind: str, record_id: int, data: dict, if_match: str | None = None):
        """PATCH a record, with If-Match when given."""
        extra = {"If-Match": if_match} if if_match is not None else None
        return self.client.patch(f"/api/v1/{kind}/{record_id}", data=utf8_json(data),
                                 content_type="application/json", headers=self._headers(extra))

    def delete(self, kind: str, record_id: int, if_match: str | None = None):
        """DELETE (retire) a record."""
        extra = {"If-Match": if_match} if if_match is not None else None
        return self.client.delete(f"/api/v1/{kind}/{record_id}", headers=self._headers(extra))

    def list(self, kind: str, **params):
        """GET a collection page."""
        return self.client.get(f"/api/v1/{kind}", query_string=params, headers=self.headers)

    def import_(self, kind: str, data: bytes | str, content_type: str = "text/csv", **params):
        """POST a bulk import body."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return self.client.post(f"/api/v1/{kind}/import", data=raw, content_type=content_type,
                                query_string=params, headers=self.headers)

    def changes(self, cursor: str | None = None, limit: int | None = None):
        """GET one page of the reference feed."""
        params = {k: v for k, v in (("cursor", cursor), ("limit", limit)) if v is not None}
        return self.client.get("/api/v1/reference/changes", query_string=params,
                               headers=self.headers)


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """Check the structured error shape and return its body."""
    payload = response.get_json()
    assert response.status_code == status, payload
    assert payload["status"] == status
    assert payload["code"] == code, payload
    assert payload["field"] == field, payload
    assert isinstance(payload["message"], str) and payload["message"]
    return payload
