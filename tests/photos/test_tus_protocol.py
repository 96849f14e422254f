"""The tus 1.0 server at /api/v1/uploads, request by request: capabilities, creation, offsets,
checksums, ownership, expiry, termination, and the verification at completion."""
import base64
import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from photoapi import CHUNK, TUS, create, jpeg, metadata, patch, png_bomb, sha, upload

from media import testing
from media.keys import blob_key
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import MediaBlob
from patrol_api.models.base import utcnow
from patrol_api.models.media import MediaMetadata, UploadSession
from patrol_api.photos import jobs, uploads

URL = "/api/v1/uploads"


def _session(location: str) -> UploadSession:
    db.session.expire_all()
    return db.session.get(UploadSession, location.rsplit("/", 1)[1])


def _stored_keys(store) -> list[str]:
    root = store.root
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _upload_folders(store) -> list[str]:
    """Folders left under uploads/ (the folder of each upload that received bytes)."""
    return sorted(str(p.relative_to(store.root)) for p in store.root.glob("uploads/**/")
                  if p != store.root / "uploads")


def test_options_announces_the_capabilities(client, store):
    response = client.options(URL)
    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) >= {
        "creation", "creation-with-upload", "checksum", "termination", "expiration"}
    assert int(response.headers["Tus-Max-Size"]) == 25 * 1024 * 1024
    assert {"sha1", "sha256"} <= set(response.headers["Tus-Checksum-Algorithm"].split(","))


def test_creation_head_patch_complete(client, officer, store):
    user, headers = officer
    data = jpeg()
    created = create(client, headers, data)
    assert created.status_code == 201
    assert created.headers["Tus-Resumable"] == "1.0.0"
    assert created.headers["Upload-Offset"] == "0"
    assert "Upload-Expires" in created.headers
    location = created.headers["Location"]
    assert location.startswith("/api/v1/uploads/")
    head = client.head(location, headers={**headers, **TUS})
    assert head.status_code == 200
    assert (head.headers["Upload-Offset"], head.headers["Upload-Length"]) == ("0", str(len(data)))
    assert head.headers["Cache-Control"] == "no-store"
    assert "sha256" in head.headers["Upload-Metadata"]
    first = patch(client, headers, location, 0, data[:1000])
    assert (first.status_code, first.headers["Upload-Offset"]) == (204, "1000")
    assert first.headers["Tus-Resumable"] == "1.0.0" and "Upload-Expires" in first.headers
    last = patch(client, headers, location, 1000, data[1000:])
    assert (last.status_code, last.headers["Upload-Offset"]) == (204, str(len(data)))
    blob = db.session.get(MediaBlob, sha(data))
    assert blob.verified_at is not None and blob.size == len(data) and blob.mime == "image/jpeg"
    assert blob.uploaded_by_user_id == user.id
    assert store.read_range(blob_key(sha(data)), 0, len(data)) == data
    assert not [key for key in _stored_keys(store) if key.startswith("uploads/")]
    assert not _upload_folders(store)
    assert _session(location).state == "complete"
    done = client.head(location, headers={**headers, **TUS})
    assert done.headers["Upload-Offset"] == str(len(data))


def test_private_exif_facts_are_kept_with_the_photo(client, officer, store):
    data = jpeg()
    upload(client, officer[1], data)
    meta = db.session.get(MediaMetadata, sha(data))
    assert (meta.camera_make, meta.camera_model, meta.orientation) == ("Apple", "iPhone 15 Pro", 6)
    assert (meta.width, meta.height) == (480, 640)  # as shown: turned by the orientation
    assert meta.latitude == pytest.approx(37.56650, abs=1e-4)
    assert meta.longitude == pytest.approx(126.97811, abs=1e-4)
    assert meta.captured_at_raw == "2025:06:14 09:41:07"
    assert (meta.captured_at_local.isoformat(), meta.captured_utc_offset_min) == (
        "2025-06-14T09:41:07.482000", 540)


def test_missing_or_other_tus_version_is_412(client, officer):
    for header in ({}, {"Tus-Resumable": "0.2.2"}):
        response = client.post(URL, headers={**officer[1], **header, "Upload-Length": "10"})
        assert response.status_code == 412
        assert response.headers["Tus-Version"] == "1.0.0"
        assert response.get_json()["code"] == "tus_version_unsupported"


def test_wrong_offset_is_409_with_the_real_offset(client, officer):
    data = jpeg()
    location = create(client, officer[1], data).headers["Location"]
    assert patch(client, officer[1], location, 0, data[:100]).status_code == 204
    for offset in (0, 50, 200):
        response = patch(client, officer[1], location, offset, data[offset:offset + 10])
        assert response.status_code == 409
        assert response.get_json()["code"] == "offset_mismatch"
        assert response.get_json()["offset"] == 100
    assert _session(location).received == 100


def test_checksum_per_chunk(client, officer):
    data = jpeg()
    location = create(client, officer[1], data).headers["Location"]
    chunk = data[:500]
    for name in ("sha1", "sha256"):
        wrong = base64.b64encode(hashlib.new(name, b"other bytes").digest()).decode()
        response = patch(client, officer[1], location, 0, chunk,
                         **{"Upload-Checksum": f"{name} {wrong}"})
        assert response.status_code == 460
        assert response.status == "460 Checksum Mismatch"
        assert response.get_json()["code"] == "checksum_mismatch"
    assert _session(location).received == 0  # nothing of a mismatching chunk is kept
    good = base64.b64encode(hashlib.sha1(chunk).digest()).decode()  # noqa: S324 - tus sha1
    response = patch(client, officer[1], location, 0, chunk, **{"Upload-Checksum": f"sha1 {good}"})
    assert (response.status_code, response.headers["Upload-Offset"]) == (204, "500")


@pytest.mark.parametrize("header", ["crc32 AAAA", "sha1 not-base64!", "sha1 AAAA", "sha256"])
def test_unusable_checksum_header_is_400(client, officer, header):
    data = jpeg()
    location = create(client, officer[1], data).headers["Location"]
    response = patch(client, officer[1], location, 0, data[:10], **{"Upload-Checksum": header})
    assert response.status_code == 400


def test_patch_needs_the_tus_content_type(client, officer):
    data = jpeg()
    location = create(client, officer[1], data).headers["Location"]
    response = client.patch(location, data=data[:10], headers={
        **officer[1], **TUS, "Upload-Offset": "0", "Content-Type": "application/octet-stream"})
    assert (response.status_code, response.get_json()["code"]) == (415, "unsupported_media_type")


def test_chunk_past_the_announced_length_is_413(client, officer):
    data = jpeg()
    location = create(client, officer[1], data).headers["Location"]
    response = patch(client, officer[1], location, 0, data + b"extra")
    assert (response.status_code, response.get_json()["code"]) == (413, "exceeds_upload_length")


def test_other_users_and_other_devices_get_404(client, officer, sign_in):
    user, headers = officer
    data = jpeg()
    location = create(client, headers, data).headers["Location"]
    _, stranger = sign_in(Role.PATROL_OFFICER)
    _, boss = sign_in(Role.ADMIN)
    same_user_other_phone = _second_phone(user)
    for other in (stranger, boss, same_user_other_phone):
        assert client.head(location, headers={**other, **TUS}).status_code == 404
        assert patch(client, other, location, 0, data[:10]).status_code == 404
        assert client.delete(location, headers={**other, **TUS}).status_code == 404
    assert client.head(location, headers={**headers, **TUS}).status_code == 200
    assert client.head(URL + "/" + "0" * 32, headers={**headers, **TUS}).status_code == 404
    assert client.head(URL + "/../x", headers={**headers, **TUS}).status_code == 404


def _second_phone(user) -> dict:
    from patrol_api.auth import devices, tokens

    device = devices.register(user, {"client_uid": f"second-{user.id}"})
    raw = tokens.issue(user, device, timedelta(days=1))
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_anonymous_is_401_and_viewers_may_not_upload(client, sign_in):
    data = jpeg()
    assert create(client, {}, data).status_code == 401
    _, viewer = sign_in(Role.VIEWER)
    assert create(client, viewer, data).status_code == 403


def test_web_token_uploads_belong_to_the_web_session(client, sign_in):
    user, web = sign_in(Role.DEPARTMENT_STAFF, device=False)
    data = jpeg()
    location = upload(client, web, data)
    assert _session(location).device_id is None
    assert db.session.get(MediaBlob, sha(data)).verified_at is not None


def test_expired_upload_is_410_and_the_purge_drops_its_chunks(client, officer, store):
    data = jpeg()
    location = create(client, officer[1], data).headers["Location"]
    patch(client, officer[1], location, 0, data[:300])
    assert [k for k in _stored_keys(store) if k.startswith("uploads/")]
    session = _session(location)
    session.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.head(location, headers={**officer[1], **TUS}).status_code == 410
    response = patch(client, officer[1], location, 300, data[300:])
    assert (response.status_code, response.get_json()["code"]) == (410, "upload_expired")
    assert jobs.purge_expired_uploads() == 1
    assert not [k for k in _stored_keys(store) if k.startswith("uploads/")]
    assert _session(location).state == "expired"
    assert client.head(location, headers={**officer[1], **TUS}).status_code == 410
    session = _session(location)
    session.expires_at = utcnow() - jobs.UPLOAD_RETENTION - timedelta(minutes=1)
    db.session.commit()
    jobs.purge_expired_uploads()
    assert client.head(location, headers={**officer[1], **TUS}).status_code == 404


def test_patch_slides_the_expiry(client, officer):
    data = jpeg()
    location = create(client, officer[1], data).headers["Location"]
    session = _session(location)
    session.expires_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    patch(client, officer[1], location, 0, data[:10])
    assert _session(location).expires_at > utcnow() + timedelta(hours=23)


def test_termination_deletes_the_chunks(client, officer, store):
    data = jpeg()
    location = create(client, officer[1], data).headers["Location"]
    patch(client, officer[1], location, 0, data[:300])
    response = client.delete(location, headers={**officer[1], **TUS})
    assert (response.status_code, response.headers["Tus-Resumable"]) == (204, "1.0.0")
    assert not _stored_keys(store)
    assert client.head(location, headers={**officer[1], **TUS}).status_code == 404


def test_digest_mismatch_refuses_the_upload(client, officer, store):
    data = jpeg()
    announced = sha(jpeg(seed=99))
    location = create(client, officer[1], data, digest=announced).headers["Location"]
    response = patch(client, officer[1], location, 0, data)
    body = response.get_json()
    assert (response.status_code, body["code"], body["field"]) == (422, "digest_mismatch",
                                                                   "sha256")
    assert announced in body["message"] and sha(data) in body["message"]
    assert db.session.get(MediaBlob, sha(data)) is None
    assert db.session.get(MediaBlob, announced) is None
    assert not _stored_keys(store)
    session = _session(location)
    assert (session.state, session.error_code) == ("refused", "digest_mismatch")
    head = client.head(location, headers={**officer[1], **TUS})
    assert head.status_code == 410


@pytest.mark.parametrize(("make", "status", "code"), [
    (lambda: png_bomb(), 422, "too_many_pixels"),
    (lambda: testing.png_bomb(8944, 8944), 422, "decode_too_large"),  # 311 kB, 305 MiB
    (lambda: testing.many_scans_jpeg((4000, 3000), 2000), 422, "too_many_scans"),  # 123 kB
    (lambda: jpeg(size=(800, 600))[:5000], 422, "corrupt_image"),
    (lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 415,
     "unsupported_type"),
    (lambda: b"GIF89a" + bytes(200), 415, "unsupported_type"),
    (lambda: b"MZ\x90\x00" + bytes(300), 415, "unsupported_type"),
])
def test_hostile_files_are_refused_with_a_code(client, officer, store, make, status, code):
    data = make()
    created = create(client, officer[1], data, filetype="image/jpeg")
    response = patch(client, officer[1], created.headers["Location"], 0, data)
    assert (response.status_code, response.get_json()["code"]) == (status, code)
    assert db.session.get(MediaBlob, sha(data)) is None
    assert not _stored_keys(store)
    assert not _upload_folders(store)


def test_pixel_limit_is_a_setting(client, officer, store, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "MEDIA_MAX_PIXELS", 100_000)
    data = jpeg(size=(400, 300))  # 120 000 pixels
    response = patch(client, officer[1], create(client, officer[1], data).headers["Location"],
                     0, data)
    assert (response.status_code, response.get_json()["code"]) == (422, "too_many_pixels")


def test_too_large_is_413_at_creation(client, officer, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "MEDIA_MAX_UPLOAD_BYTES", 5000)
    response = create(client, officer[1], b"x" * 10, length=5001)
    assert (response.status_code, response.get_json()["code"]) == (413, "too_large")
    assert client.options(URL).headers["Tus-Max-Size"] == "5000"


@pytest.mark.parametrize(("headers", "code"), [
    ({"Upload-Length": "12"}, "sha256_required"),
    ({"Upload-Length": "12", "Upload-Metadata": metadata(sha256="abc")}, "invalid_digest"),
    ({"Upload-Length": "12", "Upload-Metadata": "sha256 !!notbase64"}, "invalid_metadata"),
    ({"Upload-Length": "12", "Upload-Metadata": "a YQ==,a YQ=="}, "invalid_metadata"),
    ({"Upload-Length": "-1", "Upload-Metadata": metadata(sha256="a" * 64)}, "invalid_header"),
    ({"Upload-Metadata": metadata(sha256="a" * 64)}, "length_required"),
    ({"Upload-Defer-Length": "1", "Upload-Metadata": metadata(sha256="a" * 64)},
     "defer_length_unsupported"),
])
def test_bad_creation_headers_are_400(client, officer, headers, code):
    response = client.post(URL, headers={**officer[1], **TUS, **headers})
    assert (response.status_code, response.get_json()["code"]) == (400, code)


def test_empty_upload_is_refused(client, officer):
    response = create(client, officer[1], b"", digest=sha(b""))
    assert (response.status_code, response.get_json()["code"]) == (422, "empty_file")


def test_known_digest_is_complete_at_creation(client, officer, sign_in, store):
    data = jpeg()
    upload(client, officer[1], data)
    _, colleague = sign_in(Role.PATROL_OFFICER)
    created = create(client, colleague, data)
    assert created.status_code == 201
    assert created.headers["Upload-Offset"] == str(len(data))
    assert "Upload-Expires" not in created.headers
    head = client.head(created.headers["Location"], headers={**colleague, **TUS})
    assert head.headers["Upload-Offset"] == str(len(data))
    assert _stored_keys(store).count(blob_key(sha(data))) == 1


def test_announcing_the_same_digest_again_resumes_the_open_upload(client, officer):
    data = jpeg()
    first = create(client, officer[1], data).headers["Location"]
    patch(client, officer[1], first, 0, data[:700])
    again = create(client, officer[1], data)
    assert again.headers["Location"] == first
    assert again.headers["Upload-Offset"] == "700"


def test_creation_with_upload(client, officer):
    data = jpeg()
    response = client.post(URL, data=data[:2000], headers={
        **officer[1], **CHUNK, "Upload-Length": str(len(data)),
        "Upload-Metadata": metadata(sha256=sha(data))})
    assert (response.status_code, response.headers["Upload-Offset"]) == (201, "2000")
    rest = patch(client, officer[1], response.headers["Location"], 2000, data[2000:])
    assert rest.status_code == 204
    assert db.session.get(MediaBlob, sha(data)).verified_at is not None


def test_open_upload_quota(client, officer, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "MEDIA_MAX_OPEN_UPLOADS", 2)
    for seed in (1, 2):
        assert create(client, officer[1], jpeg(seed=seed)).status_code == 201
    response = create(client, officer[1], jpeg(seed=3))
    assert (response.status_code, response.get_json()["code"]) == (429, "too_many_uploads")


def test_chunks_are_stored_every_part(client, officer, store, monkeypatch):
    monkeypatch.setattr(uploads, "PART_BYTES", 1000)
    data = jpeg(size=(900, 700))
    location = create(client, officer[1], data).headers["Location"]
    patch(client, officer[1], location, 0, data[:3500])
    parts = _session(location).parts
    assert [(offset, size) for offset, size, _key in parts] == [
        (0, 1000), (1000, 1000), (2000, 1000), (3000, 500)]
    assert patch(client, officer[1], location, 3500, data[3500:]).status_code == 204
    assert db.session.get(MediaBlob, sha(data)).size == len(data)


def test_head_finishes_an_upload_whose_completion_was_interrupted(client, officer, monkeypatch):
    data = jpeg()
    location = create(client, officer[1], data).headers["Location"]
    real = uploads.complete
    monkeypatch.setattr(uploads, "complete", _crash)
    response = patch(client, officer[1], location, 0, data)
    assert response.status_code == 500
    assert db.session.get(MediaBlob, sha(data)) is None
    monkeypatch.setattr(uploads, "complete", real)
    head = client.head(location, headers={**officer[1], **TUS})
    assert (head.status_code, head.headers["Upload-Offset"]) == (200, str(len(data)))
    db.session.expire_all()
    assert db.session.get(MediaBlob, sha(data)).verified_at is not None


def _crash(upload_id):
    raise RuntimeError("storage went away")


def test_uploads_never_commit_into_one_another(client, officer):
    """Rows of refused uploads say why; only verified uploads have blobs."""
    good, bad = jpeg(), jpeg(seed=5)[:3000]
    upload(client, officer[1], good)
    patch(client, officer[1], create(client, officer[1], bad).headers["Location"], 0, bad)
    states = dict(db.session.execute(sa.select(UploadSession.sha256, UploadSession.state)).all())
    assert states == {sha(good): "complete", sha(bad): "refused"}
