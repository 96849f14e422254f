"""Finding actions and priority changes with the ETag of a gzip answer: echoed in any
standard form it passes; stale, it is 412 `version_mismatch` with the caller's view."""
import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol_api.auth.roles import Role
from tests.findings.conftest import SPOT
from tests.findings.helpers import take

GZIP = {"Accept-Encoding": "gzip"}
CODINGS = st.sampled_from([":gzip", ""])


@pytest.fixture
def finding_url(observe, reporter, world, make_user):
    finding = take(observe("roads", SPOT, user=reporter()))
    staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[1]
    return f"/api/v1/findings/{finding.id}", staff, make_user(Role.MANAGER)[1]


def read(client, url, headers) -> tuple[dict, str]:
    response = client.get(url, headers={**headers, **GZIP})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    return json.loads(gzip.decompress(response.get_data())), response.headers["ETag"]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(weak=st.booleans(), quoted=st.booleans())
def test_gzip_etag_passes_on_actions_and_priority(client, finding_url, weak, quoted):
    url, staff, manager = finding_url
    finding, etag = read(client, url, manager)
    assert etag == f'"v{finding["version"]}:gzip"'
    tag = etag if quoted else etag.strip('"')
    tag = f"W/{tag}" if weak else tag
    target = "urgent" if finding["priority"] != "urgent" else "normal"
    response = client.post(f"{url}/priority", headers={**manager, **GZIP, "If-Match": tag},
                           json={"priority": target, "reason": "safety_risk"})
    assert response.status_code == 200, response.get_data()


def test_stale_etag_on_an_action_is_version_mismatch_with_current(client, finding_url):
    url, staff, _ = finding_url
    finding, etag = read(client, url, staff)
    ok = client.post(f"{url}/actions", headers={**staff, **GZIP, "If-Match": etag},
                     json={"action": "acknowledge"})
    assert ok.status_code == 200
    stale = client.post(f"{url}/actions", headers={**staff, "If-Match": etag},
                        json={"action": "start"})
    payload = stale.get_json()
    assert (stale.status_code, payload["code"], payload["field"]) == (
        412, "version_mismatch", "If-Match")
    assert payload["current_version"] == finding["version"] + 1
    assert payload["current"]["state"] == "acknowledged"
    assert payload["current"]["id"] == finding["id"] and "events" in payload["current"]
