"""Helpers of the sync tests: a phone driving the sync API, valid observation data."""
import json
import uuid
from datetime import UTC, datetime, timedelta

# A square around 여의도 (Yeouido), lon/lat order as GeoJSON wants it.
YEOUI_SQUARE = {"type": "Polygon", "coordinates": [[
    [126.91, 37.51], [126.94, 37.51], [126.94, 37.54], [126.91, 37.54], [126.91, 37.51]]]}
INSIDE = {"lat": 37.525, "lon": 126.925}
OUTSIDE = {"lat": 37.60, "lon": 127.05}


def now() -> datetime:
    """The current time, aware."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 text with offset, as phones send times."""
    return moment.isoformat()


def new_id() -> str:
    """A client-generated UUID."""
    return str(uuid.uuid4())


def observation(**overrides) -> dict:
    """Valid observation.create data."""
    data = {"category_code": "road-damage", **INSIDE, "accuracy_m": 8.0,
            "note": "보도블록 파손, 보행자 걸려 넘어질 위험", "recorded_at": iso(now()),
            "photos": []}
    return {**data, **overrides}


class Phone:
    """One device: numbers its mutations, pushes and pulls through the HTTP API."""

    def __init__(self, client, headers: dict, clock_skew: timedelta = timedelta(0)):
        self.client, self.headers, self.skew = client, headers, clock_skew
        self.seq, self.cursor = 0, None

    def device_now(self) -> datetime:
        """What the device clock says now."""
        return now() - self.skew

    def mutation(self, type_: str, entity_id: str, data: dict | None = None,
                 base_version: int | None = None) -> dict:
        """The next mutation of this device's outbox."""
        self.seq += 1
        item = {"id": new_id(), "seq": self.seq, "type": type_, "entity_id": entity_id,
                "base_version": base_version}
        return item if data is None else {**item, "data": data}

    def create(self, entity_id: str | None = None, **overrides) -> dict:
        """An observation.create mutation."""
        return self.mutation("observation.create", entity_id or new_id(),
                             observation(**overrides))

    def update(self, entity_id: str, base_version: int | None = None, **data) -> dict:
        """An observation.update mutation."""
        return self.mutation("observation.update", entity_id, data, base_version)

    def delete(self, entity_id: str, base_version: int | None = None) -> dict:
        """An observation.delete mutation."""
        return self.mutation("observation.delete", entity_id, None, base_version)

    def push(self, mutations: list, device_time: str | None = None):
        """POST a push; returns the response."""
        body = {"device_time": device_time or iso(self.device_now()), "mutations": mutations}
        try:
            raw = json.dumps(body, ensure_ascii=False).encode()
        except UnicodeEncodeError:  # a lone surrogate: escaped, as JSON.stringify writes it
            raw = json.dumps(body).encode()
        return self.client.post("/api/v1/sync/push", headers=self.headers, data=raw,
                                content_type="application/json")

    def pushed(self, mutations: list, **kwargs) -> dict:
        """Push and return the answer (fails the test unless 200)."""
        response = self.push(mutations, **kwargs)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def one(self, mutation: dict) -> dict:
        """Push one mutation and return its result."""
        return self.pushed([mutation])["results"][0]

    def pull(self, cursor: str | None = None, limit: int = 500):
        """GET one pull page; returns the response."""
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        return self.client.get("/api/v1/sync/pull", headers=self.headers, query_string=query)

    def pull_all(self, limit: int = 500) -> list[dict]:
        """Follow next_cursor from this phone's cursor until has_more is false."""
        changes = []
        while True:
            response = self.pull(self.cursor, limit)
            assert response.status_code == 200, response.get_json()
            page = response.get_json()
            changes += page["changes"]
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return changes


def observations_of(changes: list[dict]) -> dict:
    """client_id -> latest record (None when deleted) of the observation changes."""
    view = {}
    for change in changes:
        if change["kind"] == "observations":
            view[change["id"]] = change["record"]
    return view
