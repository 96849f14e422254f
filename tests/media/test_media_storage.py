"""One contract for every BlobStorage backend: local disk, S3 (moto's real HTTP server), memory."""

import hashlib
import io
import socket
import threading
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest

from media.errors import MediaError
from media.keys import blob_key
from media.local_storage import LocalDiskStorage
from media.memory_storage import MemoryStorage
from media.s3_storage import S3Storage
from media.storage import BACKENDS, BlobStorage, put_blob, storage_from_config

BUCKET = "patrol-media-test"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region": "us-east-1"}
BAD_KEYS = [
    "",
    "/etc/passwd",
    "../escape",
    "a/../../b",
    "a//b",
    "a/",
    ".hidden",
    "a/.tmp-x",
    "a\\b",
    "a\x00b",
    "é",
    "a b",
    "a/b/" + "c" * 600,
]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on a free port, with the test bucket; skip loudly if it cannot start."""
    try:
        from moto.server import ThreadedMotoServer

        port = _free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
    except Exception as exc:  # noqa: BLE001 - any failure to start means: cannot test S3 here
        pytest.skip(f"S3 CONTRACT TESTS NOT RUN: moto server could not start: {exc!r}")
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture(params=["local", "s3", "memory"])
def storage(request, tmp_path) -> BlobStorage:
    """Each backend, empty: S3 gets a fresh prefix in the shared bucket."""
    if request.param == "local":
        return LocalDiskStorage(tmp_path / "media")
    if request.param == "memory":
        return MemoryStorage()
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3Storage(BUCKET, endpoint, prefix=f"t-{uuid.uuid4().hex}", **CREDENTIALS)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_backends_satisfy_the_protocol(storage):
    assert isinstance(storage, BlobStorage)


@pytest.mark.parametrize("kind", ["path", "stream", "bytes"])
def test_put_then_read_back(storage, tmp_path, kind):
    data = b"\xff\xd8\xff" + bytes(range(256)) * 100
    path = tmp_path / "src.bin"
    path.write_bytes(data)
    source = {"path": path, "stream": io.BytesIO(data), "bytes": data}[kind]
    storage.put("photos/ab/one.jpg", source)
    assert storage.exists("photos/ab/one.jpg")
    assert storage.size("photos/ab/one.jpg") == len(data)
    with storage.open("photos/ab/one.jpg") as stream:
        assert stream.read() == data


def test_put_replaces_whole_content(storage):
    storage.put("k/v", b"first version, longer than the second")
    storage.put("k/v", b"second")
    assert storage.read_range("k/v", 0, 100) == b"second"


def test_large_blob_round_trips(storage):
    data = hashlib.sha256(b"seed").digest() * (10 * 1024 * 1024 // 32)  # 10 MiB: S3 multipart
    storage.put("big/blob", io.BytesIO(data))
    assert storage.size("big/blob") == len(data)
    assert storage.read_range("big/blob", 9_000_000, 9_000_010) == data[9_000_000:9_000_010]


def test_missing_blob(storage):
    assert not storage.exists("no/such")
    for read in (
        storage.open,
        storage.size,
        lambda k: storage.read_range(k, 0, 10),
        lambda k: storage.read_range(k, 0, 0),
    ):
        with pytest.raises(MediaError) as caught:
            read("no/such")
        assert caught.value.code == "not_found"
    storage.delete("no/such")  # deleting nothing is fine


def test_delete(storage):
    storage.put("gone/soon", b"x")
    storage.delete("gone/soon")
    assert not storage.exists("gone/soon")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, 5, b"01234"),
        (5, 10, b"56789"),
        (8, 100, b"89"),
        (10, 20, b""),
        (50, 60, b""),
        (3, 3, b""),
    ],
)
def test_read_range_is_half_open_and_clipped(storage, start, end, expected):
    storage.put("r/ange", b"0123456789")
    assert storage.read_range("r/ange", start, end) == expected


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 4)])
def test_read_range_refuses_reversed_or_negative(storage, start, end):
    storage.put("r/ange", b"0123456789")
    with pytest.raises(ValueError, match="byte range"):
        storage.read_range("r/ange", start, end)


@pytest.mark.parametrize("key", BAD_KEYS)
def test_unsafe_keys_are_refused_everywhere(storage, key):
    for call in (
        lambda: storage.put(key, b"x"),
        lambda: storage.open(key),
        lambda: storage.exists(key),
        lambda: storage.delete(key),
        lambda: storage.url_for(key, 60),
    ):
        with pytest.raises(MediaError) as caught:
            call()
        assert caught.value.code == "invalid_key"


def test_signed_url_where_supported(storage):
    storage.put("share/me.jpg", b"evidence")
    url = storage.url_for("share/me.jpg", 300)
    if isinstance(storage, S3Storage):
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
        with urllib.request.urlopen(url) as response:  # noqa: S310 - our own moto server
            assert response.read() == b"evidence"
    else:
        assert url is None


def test_put_blob_stores_identical_content_once(storage, tmp_path):
    data = b"the same photo, uploaded twice by a retrying phone"
    digest = hashlib.sha256(data).hexdigest()
    first, second = tmp_path / "a.jpg", tmp_path / "b.jpg"
    first.write_bytes(data)
    second.write_bytes(data)
    puts = []
    real_put = storage.put
    storage.put = lambda key, src: (puts.append(key), real_put(key, src))[1]
    assert put_blob(storage, first, digest) == f"blobs/{digest[:2]}/{digest}"
    assert put_blob(storage, second, digest.upper()) == blob_key(digest)
    assert puts == [blob_key(digest)]
    assert storage.read_range(blob_key(digest), 0, 1000) == data


def test_put_blob_repairs_a_wrong_sized_blob(storage, tmp_path):
    data = b"complete photo bytes"
    digest = hashlib.sha256(data).hexdigest()
    storage.put(blob_key(digest), data[:5])  # an earlier, broken write
    (tmp_path / "p.jpg").write_bytes(data)
    put_blob(storage, tmp_path / "p.jpg", digest)
    assert storage.size(blob_key(digest)) == len(data)


def test_put_blob_checks_the_digest_before_storing(storage, tmp_path):
    (tmp_path / "p.jpg").write_bytes(b"truncated upl")
    digest = hashlib.sha256(b"truncated upload").hexdigest()
    with pytest.raises(MediaError) as caught:
        put_blob(storage, tmp_path / "p.jpg", digest)
    assert caught.value.code == "digest_mismatch"
    assert not storage.exists(blob_key(digest))


# Local disk specifics: atomic writes, nothing outside the root, no leftovers.


class _FailingStream(io.RawIOBase):
    """Gives some bytes, then fails like a dropped connection."""

    def __init__(self) -> None:
        self.sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.sent:
            raise ConnectionResetError("client went away")
        self.sent = True
        buffer[:4] = b"part"
        return 4


def test_local_failed_put_leaves_old_content_and_no_temp_file(tmp_path):
    storage = LocalDiskStorage(tmp_path)
    storage.put("blobs/ab/x", b"complete")
    with pytest.raises(ConnectionResetError):
        storage.put("blobs/ab/x", _FailingStream())
    assert storage.read_range("blobs/ab/x", 0, 100) == b"complete"
    assert [p.name for p in (tmp_path / "blobs" / "ab").iterdir()] == ["x"]


def test_local_keys_fan_out_into_folders_inside_the_root(tmp_path):
    storage = LocalDiskStorage(tmp_path / "root")
    storage.put(blob_key("ab" * 32), b"x")
    assert (tmp_path / "root" / "blobs" / "ab" / ("ab" * 32)).read_bytes() == b"x"
    for key in BAD_KEYS:
        with pytest.raises(MediaError):
            storage.put(key, b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["root"]


def test_local_delete_removes_the_folders_it_empties(tmp_path):
    storage = LocalDiskStorage(tmp_path)
    for key in ("uploads/u1/0-a", "uploads/u1/10-b", "uploads/u2/0-c", "blobs/ab/x"):
        storage.put(key, b"x")
    storage.delete("uploads/u1/0-a")
    assert (tmp_path / "uploads" / "u1").is_dir()  # still holds a chunk
    storage.delete("uploads/u1/10-b")
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == ["u2"]
    storage.delete("uploads/u2/0-c")
    storage.delete("uploads/u2/0-c")  # deleting twice is no error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blobs"]  # the root itself stays
    storage.delete("blobs/ab/x")
    assert tmp_path.is_dir() and not list(tmp_path.iterdir())
    storage.put("uploads/u3/0-d", b"again")  # folders come back when needed
    assert storage.read_range("uploads/u3/0-d", 0, 10) == b"again"


def test_local_puts_and_deletes_racing_in_one_folder_lose_nothing(tmp_path):
    """A delete emptying a folder while another chunk is put there: the put still lands."""
    storage = LocalDiskStorage(tmp_path)
    keys, failures = [f"uploads/u/{i}" for i in range(200)], []

    def churn(own: list[str]) -> None:
        for key in own:
            try:
                storage.put(key, b"x")
                storage.delete(key)
            except OSError as error:
                failures.append(error)

    threads = [threading.Thread(target=churn, args=(keys[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert not (tmp_path / "uploads").exists()
    storage.put("uploads/u/last", b"y")
    assert storage.exists("uploads/u/last")


def test_local_concurrent_writers_never_interleave(tmp_path):
    storage = LocalDiskStorage(tmp_path)
    bodies = [bytes([i]) * 300_000 for i in range(8)]
    threads = [threading.Thread(target=storage.put, args=("same/key", b)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert storage.read_range("same/key", 0, 400_000) in bodies
    assert [p.name for p in (tmp_path / "same").iterdir()] == ["key"]


# Configuration, checked at start-up.


def test_storage_from_config_builds_each_backend(tmp_path):
    assert isinstance(
        storage_from_config({"backend": "local", "root": str(tmp_path)}), LocalDiskStorage
    )
    assert isinstance(storage_from_config({"backend": "memory"}), MemoryStorage)
    s3 = storage_from_config(
        {
            "backend": "s3",
            "bucket": BUCKET,
            "endpoint_url": "http://127.0.0.1:1",
            "prefix": "district/gangnam",
            **CREDENTIALS,
        }
    )
    assert isinstance(s3, S3Storage) and s3.prefix == "district/gangnam/"
    assert set(BACKENDS) == {"local", "s3", "memory"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, "not one of"),
        ({"backend": "ftp"}, "not one of"),
        ({"backend": "local"}, "root"),
        ({"backend": "local", "root": "/srv", "bucket": "x"}, "bucket"),
        ({"backend": "s3"}, "bucket"),
    ],
)
def test_storage_from_config_refuses_bad_configs(config, message):
    with pytest.raises(ValueError, match=message):
        storage_from_config(config)


def test_s3_prefix_is_validated_like_a_key():
    with pytest.raises(MediaError):
        S3Storage(BUCKET, "http://127.0.0.1:1", prefix="../other-tenant", **CREDENTIALS)


def test_signed_url_lifetime_is_bounded(s3_endpoint):
    storage = S3Storage(BUCKET, s3_endpoint, **CREDENTIALS)
    for expires in (0, -5, 8 * 24 * 3600):
        with pytest.raises(ValueError, match="expires"):
            storage.url_for("k", expires)


def test_local_root_is_a_path(tmp_path: Path):
    assert LocalDiskStorage(str(tmp_path)).root == tmp_path
