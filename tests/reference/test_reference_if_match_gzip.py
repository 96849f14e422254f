"""If-Match through gzip, as OkHttp, URLSession, browsers and requests send it: the ETag a
compressed answer carries (`"v7:gzip"`), echoed in any standard form, passes; a stale one is
412 `version_mismatch` with the server's copy."""
import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from refapi import assert_error

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture(autouse=True)
def compress_everything(app, monkeypatch):
    """Compress even small answers, so every ETag goes through flask-compress."""
    monkeypatch.setitem(app.config, "COMPRESS_MIN_SIZE", 0)


def gzip_json(response) -> dict:
    assert response.headers["Content-Encoding"] == "gzip"
    return json.loads(gzip.decompress(response.get_data()))


def read(ref, kind, record_id) -> tuple[dict, str]:
    response = ref.client.get(f"/api/v1/{kind}/{record_id}", headers={**ref.headers, **GZIP})
    assert response.status_code == 200
    return gzip_json(response), response.headers["ETag"]


def echo(etag: str, weak: bool, quoted: bool) -> str:
    """The ETag as a client or proxy may send it back."""
    tag = etag if quoted else etag.strip('"')
    return f"W/{tag}" if weak else tag


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(weak=st.booleans(), quoted=st.booleans(), name=st.text("가나다라마바사", min_size=1,
                                                              max_size=8))
def test_gzip_etag_echoed_as_if_match_updates_an_area(ref, base, weak, quoted, name):
    area, etag = read(ref, "areas", base["area"]["id"])
    assert etag == f'"v{area["version"]}:gzip"'
    response = ref.client.patch(
        f"/api/v1/areas/{area['id']}", json={"name_ko": f"{name}{area['version']}"},
        headers={**ref.headers, **GZIP, "If-Match": echo(etag, weak, quoted)})
    assert response.status_code == 200, response.get_data()
    assert gzip_json(response)["version"] == area["version"] + 1


def test_stale_gzip_etag_is_412_with_the_current_copy(ref, base):
    area, etag = read(ref, "areas", base["area"]["id"])
    assert ref.patch("areas", area["id"], {"name_ko": "먼저"}, if_match=etag).status_code == 200
    stale = ref.patch("areas", area["id"], {"name_ko": "나중"}, if_match=etag)
    payload = assert_error(stale, 412, "version_mismatch", "If-Match")
    assert payload["current_version"] == area["version"] + 1
    assert payload["current"]["name_ko"] == "먼저"
    assert payload["current"]["version"] == area["version"] + 1


def test_a_list_passes_when_one_tag_is_current(ref, base):
    area, etag = read(ref, "areas", base["area"]["id"])
    old = f'"v{area["version"] + 5}"'
    response = ref.patch("areas", area["id"], {"name_ko": "목록"}, if_match=f"{old}, {etag}")
    assert response.status_code == 200, response.get_json()
