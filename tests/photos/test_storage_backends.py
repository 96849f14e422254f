"""MEDIA_STORAGE from the settings, checked at start-up; the whole photo flow on S3 (moto's
real S3 HTTP server: skipped loudly where it cannot start), signed-URL redirects included."""
import socket
import urllib.request
import uuid

import boto3
import pytest
from photoapi import TUS, jpeg, sha, upload

from media.keys import blob_key
from media.local_storage import LocalDiskStorage
from media.s3_storage import S3Storage
from patrol_api import photos
from patrol_api.models.media import MediaDerivative

BUCKET = "patrol-photos-test"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
        "region_name": "us-east-1"}


def test_local_storage_is_bound_at_start_up(app_factory, tmp_path):
    app = app_factory(MEDIA_STORAGE="local", MEDIA_ROOT=str(tmp_path / "m"))
    storage = app.extensions[photos.EXTENSION]
    assert isinstance(storage, LocalDiskStorage) and storage.root == tmp_path / "m"


def test_s3_settings_are_passed_on(app_factory):
    app = app_factory(MEDIA_STORAGE="s3", MEDIA_S3_BUCKET="b", MEDIA_S3_PREFIX="district-19",
                      MEDIA_S3_ENDPOINT_URL="http://127.0.0.1:9", MEDIA_S3_REGION="us-east-1",
                      MEDIA_S3_ACCESS_KEY="k", MEDIA_S3_SECRET_KEY="s")
    storage = app.extensions[photos.EXTENSION]
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == ("b", "district-19/")


@pytest.mark.parametrize(("settings", "message"), [
    ({"MEDIA_STORAGE": "s3"}, "MEDIA_S3_BUCKET"),
    ({"MEDIA_STORAGE": "ftp"}, "not one of"),
    ({"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": "b", "MEDIA_S3_PREFIX": "../up"}, "invalid"),
    ({"MEDIA_DECODE_CONCURRENCY": 0}, "MEDIA_DECODE_CONCURRENCY must be at least 1"),
    ({"MEDIA_MAX_DECODE_BYTES": -1}, "MEDIA_MAX_DECODE_BYTES must be at least 1"),
    ({"MEDIA_MAX_JPEG_SCANS": 0}, "MEDIA_MAX_JPEG_SCANS must be at least 1"),
])
def test_bad_storage_settings_fail_at_start_up(app_factory, settings, message):
    with pytest.raises(Exception, match=message):
        app_factory(**settings)


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on a free port with the test bucket; skip loudly if it cannot start."""
    try:
        from moto.server import ThreadedMotoServer

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
    except Exception as exc:  # noqa: BLE001 - any failure to start means: cannot test S3
        pytest.skip(f"S3 PHOTO TESTS NOT RUN: moto server could not start: {exc!r}")
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, **KEYS).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def s3(ctx, s3_endpoint, monkeypatch):
    """The app's storage is a fresh prefix of the S3 bucket for this test."""
    storage = S3Storage(BUCKET, s3_endpoint, prefix=f"t-{uuid.uuid4().hex}",
                        access_key="testing", secret_key="testing", region="us-east-1")
    monkeypatch.setitem(ctx.extensions, photos.EXTENSION, storage)
    return storage


def _names(storage: S3Storage, endpoint: str) -> list[str]:
    listing = boto3.client("s3", endpoint_url=endpoint, **KEYS).list_objects_v2(
        Bucket=BUCKET, Prefix=storage.prefix)
    return sorted(item["Key"][len(storage.prefix):] for item in listing.get("Contents", []))


def test_the_photo_flow_on_s3(client, s3, s3_endpoint, make_user, monkeypatch):
    from patrol_api.photos import uploads

    monkeypatch.setattr(uploads, "PART_BYTES", 2048)  # several stored chunks
    _, headers = make_user()
    data = jpeg(size=(900, 600))
    location = upload(client, headers, data, chunk_size=5000)
    names = _names(s3, s3_endpoint)
    assert blob_key(sha(data)) in names
    assert not [name for name in names if name.startswith("uploads/")]
    assert sum(name.startswith("derivatives/") for name in names) == 2
    assert client.head(location, headers={**headers, **TUS}).headers["Upload-Offset"] == str(
        len(data))
    url = f"/api/v1/photos/{sha(data)}"
    original = client.get(f"{url}/original", headers=headers, buffered=True)
    assert original.data == data
    part = client.get(f"{url}/original", headers={**headers, "Range": "bytes=10-19"},
                      buffered=True)
    assert (part.status_code, part.data) == (206, data[10:20])
    screen = client.get(f"{url}/screen", headers=headers, buffered=True)
    assert screen.status_code == 200 and screen.data.startswith(b"\xff\xd8")


def test_signed_url_redirect_on_s3(client, s3, make_user, ctx, monkeypatch):
    _, headers = make_user()
    data = jpeg()
    upload(client, headers, data)
    monkeypatch.setitem(ctx.config, "MEDIA_SIGNED_URL_SECONDS", 120)
    url = f"/api/v1/photos/{sha(data)}/original"
    response = client.get(url, headers=headers)
    assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
    with urllib.request.urlopen(response.headers["Location"], timeout=10) as signed:  # noqa: S310
        assert signed.read() == data
        assert signed.headers["Content-Type"] == "image/jpeg"
        assert signed.headers["Content-Disposition"].startswith("attachment;")
    etag = f'"{sha(data)}"'
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    stranger = make_user()[1]
    assert client.get(url, headers=stranger).status_code == 403


def test_derivatives_job_is_idempotent_on_s3(ctx, client, s3, make_user):
    from patrol_api.photos import jobs

    _, headers = make_user()
    data = jpeg()
    upload(client, headers, data)
    assert jobs.make_derivatives(sha(data)) == 0  # made at upload already
    assert MediaDerivative.query.filter_by(sha256=sha(data)).count() == 2
