"""Serving photos: who gets what (roles x record, derivatives, original), ETag and 304,
byte ranges on originals, safe headers, and derivatives that carry no metadata at all."""
import io
import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from photoapi import jpeg, sha, upload
from PIL import Image

from media import derivatives
from patrol_api import photos
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models.media import MediaDerivative
from patrol_api.photos import catalog, serving
from patrol_api.photos import jobs as photo_jobs

BASE = "/api/v1/photos"
DERIVATIVE_ROLES = ["admin", "manager", "viewer", "department_staff", "patrol_officer"]


@pytest.fixture
def photo(client, officer):
    """A phone photo (iPhone EXIF: position, time, orientation 6) uploaded by the officer."""
    data = jpeg(size=(640, 480))
    upload(client, officer[1], data)
    return data, sha(data)


def get(client, url, headers, **more):
    """GET, the body read and the response closed."""
    return client.get(url, headers={**headers, **more}, buffered=True)


@pytest.mark.parametrize("role", [*DERIVATIVE_ROLES, "citizen_auditor", "uploader", None])
def test_who_gets_what(client, sign_in, officer, photo, role):
    data, digest = photo
    if role == "uploader":
        headers = officer[1]
    elif role is None:
        headers = {}
    else:
        headers = sign_in(Role(role))[1]
    statuses = {part: get(client, f"{BASE}/{digest}{part}", headers).status_code
                for part in ("", "/thumb", "/screen", "/original")}
    if role is None:
        expected = dict.fromkeys(statuses, 401)
    elif role == "citizen_auditor":  # not theirs: not even disclosed
        expected = dict.fromkeys(statuses, 404)
    elif role in ("admin", "manager", "uploader"):
        expected = dict.fromkeys(statuses, 200)
    else:
        expected = {"": 200, "/thumb": 200, "/screen": 200, "/original": 403}
    assert statuses == expected


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_exif_position_and_time_only_for_managers_and_admins(client, sign_in, photo, role):
    _, digest = photo
    body = get(client, f"{BASE}/{digest}", sign_in(Role(role))[1]).get_json()
    exif = body["exif"]
    assert exif["latitude"] == pytest.approx(37.5665, abs=1e-4)
    assert exif["longitude"] == pytest.approx(126.9781, abs=1e-4)
    assert exif["captured_at_local"].startswith("2025-06-14T09:41:07")
    assert exif["captured_utc_offset_min"] == 540
    assert (exif["camera_make"], exif["orientation"]) == ("Apple", 6)
    assert body["original_url"] == f"{BASE}/{digest}/original"


def test_record_for_other_staff(client, sign_in, photo):
    _, digest = photo
    body = get(client, f"{BASE}/{digest}", sign_in(Role.DEPARTMENT_STAFF)[1]).get_json()
    assert "exif" not in body and body["original_url"] is None
    assert body["thumb_url"] == f"{BASE}/{digest}/thumb"
    screen, thumb = body["derivatives"]["screen"], body["derivatives"]["thumb"]
    assert (screen["url"], screen["width"], screen["height"]) == (f"{BASE}/{digest}/screen",
                                                                  480, 640)
    assert (thumb["width"], thumb["height"]) == (240, 320) and 0 < thumb["size"] < screen["size"]


def test_unknown_or_malformed_digest_is_404(client, officer):
    for digest in ("0" * 64, "xyz", "A" * 64, "0" * 63):
        for part in ("", "/thumb", "/original"):
            assert get(client, f"{BASE}/{digest}{part}", officer[1]).status_code == 404


def test_derivatives_carry_no_metadata(client, officer, photo):
    data, digest = photo
    assert b"iPhone 15 Pro" in data and b"Exif" in data
    for kind, size in (("screen", (480, 640)), ("thumb", (240, 320))):
        response = get(client, f"{BASE}/{digest}/{kind}", officer[1])
        body = response.data
        assert response.mimetype == "image/jpeg"
        assert b"Exif" not in body and b"iPhone" not in body and b"Apple" not in body
        with Image.open(io.BytesIO(body)) as im:
            assert im.size == size  # turned upright: the EXIF orientation was applied
            assert len(im.getexif()) == 0
            assert not {"exif", "icc_profile", "xmp", "comment"} & set(im.info)


def test_headers_of_served_files(client, officer, photo):
    data, digest = photo
    thumb = get(client, f"{BASE}/{digest}/thumb", officer[1])
    assert thumb.headers["ETag"] == f'"{digest}.thumb.{derivatives.PROFILE}"'
    assert thumb.headers["Cache-Control"] in ("private, max-age=86400", "max-age=86400, private")
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"
    assert thumb.headers["Content-Disposition"] == f'inline; filename="{digest}-thumb.jpg"'
    assert "sandbox" in thumb.headers["Content-Security-Policy"]
    # the app-wide security headers add framing protection, never replace the file's policy
    assert "frame-ancestors 'none'" in thumb.headers["Content-Security-Policy"]
    assert thumb.headers["X-Frame-Options"] == "DENY"
    assert "no-store" not in thumb.headers["Cache-Control"]
    original = get(client, f"{BASE}/{digest}/original", officer[1])
    assert original.data == data
    assert original.headers["ETag"] == f'"{digest}"'
    assert original.headers["Content-Disposition"] == f'attachment; filename="{digest}.jpg"'
    assert (original.mimetype, original.headers["Accept-Ranges"]) == ("image/jpeg", "bytes")
    assert int(original.headers["Content-Length"]) == len(data)
    head = client.head(f"{BASE}/{digest}/original", headers=officer[1])
    assert (head.status_code, head.data, head.headers["Content-Length"]) == (
        200, b"", str(len(data)))
    head.close()


@pytest.mark.parametrize("part", ["/thumb", "/screen", "/original"])
def test_if_none_match_is_304(client, officer, photo, part):
    _, digest = photo
    etag = get(client, f"{BASE}/{digest}{part}", officer[1]).headers["ETag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = get(client, f"{BASE}/{digest}{part}", officer[1], **{"If-None-Match": header})
        assert (response.status_code, response.data) == (304, b"")
        assert response.headers["ETag"] == etag and "private" in response.headers["Cache-Control"]
    other = get(client, f"{BASE}/{digest}{part}", officer[1], **{"If-None-Match": '"nope"'})
    assert other.status_code == 200


def test_byte_ranges_of_originals(client, officer, photo):
    data, digest = photo
    url, n = f"{BASE}/{digest}/original", len(data)
    cases = {"bytes=0-99": (0, 100), "bytes=100-": (100, n), "bytes=-10": (n - 10, n),
             f"bytes={n - 1}-{n + 500}": (n - 1, n)}
    for header, (start, stop) in cases.items():
        response = get(client, url, officer[1], Range=header)
        assert response.status_code == 206, header
        assert response.data == data[start:stop], header
        assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{n}"
        assert response.headers["ETag"] == f'"{digest}"'
    beyond = get(client, url, officer[1], Range=f"bytes={n}-")
    assert (beyond.status_code, beyond.headers["Content-Range"]) == (416, f"bytes */{n}")
    assert beyond.get_json()["code"] == "range_not_satisfiable"
    several = get(client, url, officer[1], Range="bytes=0-1,5-6")
    assert (several.status_code, several.data) == (200, data)
    fresh = get(client, url, officer[1], Range="bytes=0-9", **{"If-Range": f'"{digest}"'})
    assert (fresh.status_code, fresh.data) == (206, data[:10])
    stale = get(client, url, officer[1], Range="bytes=0-9", **{"If-Range": '"older"'})
    assert (stale.status_code, stale.data) == (200, data)
    junk = get(client, url, officer[1], Range="pages=1-2")
    assert junk.status_code == 200


def test_derivatives_ignore_ranges(client, officer, photo):
    _, digest = photo
    response = get(client, f"{BASE}/{digest}/thumb", officer[1], Range="bytes=0-9")
    assert response.status_code == 200 and response.headers["Accept-Ranges"] == "none"


def test_missing_derivatives_are_made_on_first_view(client, officer, photo, store):
    _, digest = photo
    db.session.execute(sa.delete(MediaDerivative))
    db.session.commit()
    for path in store.root.joinpath("derivatives").rglob("*.jpg"):
        path.unlink()
    response = get(client, f"{BASE}/{digest}/screen", officer[1])
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(MediaDerivative, (digest, "thumb")) is not None


def test_a_thumb_made_on_the_spot_waits_for_a_decode_slot_then_answers_503(
        client, officer, photo, ctx, monkeypatch):
    """MEDIA_DECODE_CONCURRENCY bounds the decodes of a process: with every slot taken,
    a derivative made on first view is not decoded beside them."""
    _, digest = photo
    db.session.execute(sa.delete(MediaDerivative))
    db.session.commit()
    monkeypatch.setattr(catalog, "DECODE_WAIT_SECONDS", 0)
    with photos.decode_slot() as held:
        assert held
        busy = get(client, f"{BASE}/{digest}/thumb", officer[1])
        assert (busy.status_code, busy.get_json()["code"]) == (503, "decoders_busy")
        assert busy.headers["Retry-After"].isdigit()  # every 503 says when to retry
        with pytest.raises(photo_jobs.DecodersBusy):
            photo_jobs.make_derivatives(digest, wait=0)
    assert get(client, f"{BASE}/{digest}/thumb", officer[1]).status_code == 200


def test_signed_url_redirect_falls_back_to_streaming_on_local_disk(client, officer, photo, ctx,
                                                                   monkeypatch):
    monkeypatch.setitem(ctx.config, "MEDIA_SIGNED_URL_SECONDS", 60)
    data, digest = photo
    response = get(client, f"{BASE}/{digest}/original", officer[1])
    assert (response.status_code, response.data) == (200, data)


# Range headers generated against RFC 9110: valid -> 206 with the right bytes,
# unsatisfiable -> 416 with `Content-Range: bytes */<size>`, malformed -> ignored (200).

POSITION = st.one_of(st.integers(0, 2_000), st.integers(0, 10**30))


@st.composite
def range_headers(draw, size: int):
    """(header, expected): expected is (start, stop) for 206, "416", or "200" (whole)."""
    unit = draw(st.sampled_from(["bytes", "Bytes", "BYTES"]))
    kind = draw(st.sampled_from(["int", "open", "suffix", "several", "junk"]))
    if kind == "int":
        first, last = draw(POSITION), draw(POSITION)
        header = f"{unit}={draw(st.sampled_from(['', '0', '00']))}{first}-{last}"
        if last < first:
            return header, "200"  # an invalid range-spec is ignored
        return header, ("416" if first >= size else (first, min(last, size - 1) + 1))
    if kind == "open":
        first = draw(POSITION)
        return f"{unit}={first}-", ("416" if first >= size else (first, size))
    if kind == "suffix":
        length = draw(POSITION)
        return f"{unit}=-{length}", ("416" if length == 0 else (max(0, size - length), size))
    if kind == "several":
        specs = draw(st.lists(st.from_regex(r"\A[0-9]{1,3}-[0-9]{0,3}\Z"), min_size=2,
                              max_size=4))
        return f"{unit}={','.join(specs)}", "200"
    junk = draw(st.one_of(
        st.text(max_size=20),
        st.from_regex(r"\A(bytes|items|byte) ?= ?[ 0-9a-z+.-]{0,12}\Z"),
    ).filter(lambda text: not re.fullmatch(r"(?i:bytes)=[0-9]*-[0-9]*", text)
             or text.lower() == "bytes=-"))
    return junk, "200"


@settings(max_examples=3000, deadline=None)
@given(data=st.data(), size=st.integers(1, 1_500))
def test_generated_ranges_follow_rfc_9110(data, size):
    header, expected = data.draw(range_headers(size))
    content = bytes(range(256)) * 6
    span = serving.byte_range(header, size)
    if expected == "200":
        assert span is None, header
    elif expected == "416":
        assert span == serving.UNSATISFIABLE, header
    else:
        assert span == expected, header
        assert content[:size][span[0]:span[1]] == content[expected[0]:expected[1]]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_generated_ranges_over_http(client, officer, photo, data):
    content, digest = photo
    size = len(content)
    header, expected = data.draw(range_headers(size))
    response = get(client, f"{BASE}/{digest}/original", officer[1], Range=header)
    if expected == "200":
        assert (response.status_code, response.data) == (200, content), header
    elif expected == "416":
        assert response.status_code == 416, header
        assert response.headers["Content-Range"] == f"bytes */{size}"
        assert response.get_json()["code"] == "range_not_satisfiable"
    else:
        start, stop = expected
        assert response.status_code == 206, header
        assert response.data == content[start:stop]
        assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{size}"


def test_a_suffix_longer_than_the_file_is_the_whole_file(client, officer, photo):
    content, digest = photo
    response = get(client, f"{BASE}/{digest}/original", officer[1], Range="bytes=-1000000")
    assert (response.status_code, response.data) == (206, content)
    assert response.headers["Content-Range"] == f"bytes 0-{len(content) - 1}/{len(content)}"
