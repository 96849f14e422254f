"""POST /api/v1/photos: a small photo in one request, verified like a tus upload."""
import io

import pytest
from photoapi import jpeg, png_bomb, sha, upload
from PIL import Image

from media.keys import blob_key
from media.testing import (
    DIGITIZED_ONLY,
    GALAXY,
    OLD_COMPACT,
    PIXEL_RIO,
    encode,
    exif_bytes,
    quadrant_picture,
)
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import MediaBlob
from patrol_api.models.media import MediaMetadata, MediaUploader

URL = "/api/v1/photos"


def multipart(client, headers, data: bytes, digest: str | None, name="photo.jpg"):
    form = {"file": (io.BytesIO(data), name)}
    if digest is not None:
        form["sha256"] = digest
    return client.post(URL, data=form, headers=headers, content_type="multipart/form-data")


def raw(client, headers, data: bytes, digest: str | None, content_type="image/jpeg"):
    extra = {"X-Content-SHA256": digest} if digest is not None else {}
    return client.post(URL, data=data, headers={**headers, **extra}, content_type=content_type)


@pytest.mark.parametrize("send", [multipart, raw])
def test_upload_in_one_request(client, officer, store, send):
    data = jpeg()
    response = send(client, officer[1], data, sha(data).upper())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["sha256"], body["mime"], body["size"]) == (sha(data), "image/jpeg", len(data))
    assert (body["width"], body["height"]) == (480, 640)
    assert body["original_url"] == f"/api/v1/photos/{sha(data)}/original"  # the uploader
    assert "exif" not in body  # a patrol officer never sees EXIF position or time
    assert set(body["derivatives"]) == {"thumb", "screen"}
    assert store.read_range(blob_key(sha(data)), 0, len(data)) == data


def test_identical_content_is_stored_once(client, officer, sign_in, store):
    data = jpeg()
    assert raw(client, officer[1], data, sha(data)).status_code == 201
    colleague, headers = sign_in(Role.DEPARTMENT_STAFF)
    again = multipart(client, headers, data, sha(data))
    assert again.status_code == 200  # already stored: nothing new was created
    upload(client, officer[1], data)  # and over tus
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert [p.name for p in files if p.parent.parent.name == "blobs"] == [sha(data)]
    assert db.session.get(MediaUploader, (sha(data), colleague.id)) is not None
    assert db.session.get(MediaBlob, sha(data)).uploaded_by_user_id == officer[0].id


def test_heic_from_an_iphone_is_accepted(client, officer, store):
    import pillow_heif

    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("HEIC ENCODER MISSING: libheif has no HEVC encoder, HEIC test not run")
    pillow_heif.register_heif_opener()
    data = encode(quadrant_picture((400, 300)), "HEIF", quality=90,
                  exif=exif_bytes({"make": "Apple", "model": "iPhone 15 Pro", "orientation": 6,
                                   "taken": "2025:06:14 09:41:07"}))
    response = raw(client, officer[1], data, sha(data), content_type="image/heic")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["mime"], body["width"], body["height"]) == ("image/heic", 300, 400)
    assert db.session.get(MediaMetadata, sha(data)).camera_model == "iPhone 15 Pro"
    screen = client.get(f"{URL}/{sha(data)}/screen", headers=officer[1], buffered=True)
    assert (screen.status_code, screen.mimetype) == (200, "image/jpeg")


def test_type_is_read_from_the_bytes_not_the_name_or_header(client, officer):
    png = encode(quadrant_picture((64, 48)), "PNG")
    response = multipart(client, officer[1], png, sha(png), name="lies.jpg")
    assert (response.status_code, response.get_json()["mime"]) == (201, "image/png")
    html = b"<html><script>alert(1)</script></html>"
    response = raw(client, officer[1], html, sha(html), content_type="image/jpeg")
    assert (response.status_code, response.get_json()["code"]) == (415, "unsupported_type")


@pytest.mark.parametrize(("data", "status", "code"), [
    (png_bomb(), 422, "too_many_pixels"),
    (jpeg(size=(800, 600))[:4000], 422, "corrupt_image"),
    (b"", 422, "empty_file"),
])
def test_hostile_files_are_refused(client, officer, store, data, status, code):
    response = multipart(client, officer[1], data, sha(data))
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    assert db.session.get(MediaBlob, sha(data)) is None
    assert not [p for p in store.root.rglob("*") if p.is_file()]


def test_digest_mismatch_and_missing_digest(client, officer, store):
    data = jpeg()
    response = raw(client, officer[1], data, sha(b"something else"))
    assert (response.status_code, response.get_json()["code"]) == (422, "digest_mismatch")
    response = multipart(client, officer[1], data, None)
    assert (response.status_code, response.get_json()["code"]) == (400, "sha256_required")
    response = raw(client, officer[1], data, "not-a-digest")
    assert (response.status_code, response.get_json()["code"]) == (400, "invalid_digest")
    assert db.session.get(MediaBlob, sha(data)) is None


def test_size_limit(client, officer, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "MEDIA_MAX_UPLOAD_BYTES", 2000)
    data = jpeg(size=(800, 600))
    assert len(data) > 2000
    response = raw(client, officer[1], data, sha(data))
    assert (response.status_code, response.get_json()["code"]) == (413, "too_large")
    big = bytes(200 * 1024)
    response = multipart(client, officer[1], big, sha(big))
    assert response.status_code == 413


def test_body_limit_above_max_content_length(client, officer, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "MAX_CONTENT_LENGTH", 1000)
    data = jpeg()
    assert len(data) > 1000
    assert raw(client, officer[1], data, sha(data)).status_code == 201


def test_other_media_types_are_415(client, officer):
    response = client.post(URL, data=b"GIF89a", headers=officer[1], content_type="image/gif")
    assert (response.status_code, response.get_json()["code"]) == (415, "unsupported_media_type")


@pytest.mark.parametrize(("layout", "expected"), [
    (GALAXY, {"camera_make": "samsung", "orientation": 1, "captured_utc_offset_min": None,
              "shown": (640, 480), "south_west": False}),
    (PIXEL_RIO, {"camera_make": "Google", "orientation": 3, "captured_utc_offset_min": -180,
                 "shown": (640, 480), "south_west": True}),
    (OLD_COMPACT, {"camera_make": "Canon", "orientation": 8, "captured_utc_offset_min": None,
                   "shown": (480, 640), "south_west": None}),
    (DIGITIZED_ONLY, {"camera_make": "NIKON CORPORATION", "orientation": None,
                      "captured_utc_offset_min": None, "shown": (640, 480),
                      "south_west": None}),
])
def test_exif_layouts_of_several_cameras(client, officer, layout, expected):
    data = jpeg(layout=layout)
    body = raw(client, officer[1], data, sha(data)).get_json()
    assert (body["width"], body["height"]) == expected["shown"]
    meta = db.session.get(MediaMetadata, sha(data))
    assert meta.camera_make == expected["camera_make"]
    assert meta.orientation == expected["orientation"]
    assert meta.captured_utc_offset_min == expected["captured_utc_offset_min"]
    assert meta.captured_at_raw == layout.get("taken", layout.get("digitized"))
    if expected["south_west"] is None:
        assert meta.latitude is None and meta.longitude is None
    else:
        assert (meta.latitude < 0 and meta.longitude < 0) is expected["south_west"]
    screen = client.get(f"{URL}/{sha(data)}/screen", headers=officer[1], buffered=True)
    with Image.open(io.BytesIO(screen.data)) as im:
        assert im.size == expected["shown"]
