"""A standard tus client (tuspy) against the app on a real HTTP server; a connection cut at a
random byte, a server restart, and the upload resumed from the offset the server kept."""
import io
import random
import socket
import time
from urllib.parse import urlsplit

import pytest
from photoapi import LiveServer, noisy_jpeg, sha
from tusclient import client as tus_client

from patrol_api.extensions import db
from patrol_api.models import MediaBlob
from patrol_api.models.media import MediaMetadata


def _verified(digest: str) -> MediaBlob | None:
    db.session.rollback()  # a fresh snapshot: the server committed in other threads
    blob = db.session.get(MediaBlob, digest)
    return blob if blob is not None and blob.verified_at is not None else None


def test_tuspy_uploads_a_photo(live_server, officer):
    data = noisy_jpeg()
    client = tus_client.TusClient(f"{live_server.url}/api/v1/uploads", headers=officer[1])
    uploader = client.uploader(file_stream=io.BytesIO(data), chunk_size=256 * 1024,
                               metadata={"sha256": sha(data), "filename": "IMG_0042.JPG",
                                         "filetype": "image/jpeg"},
                               upload_checksum=True)
    uploader.upload()
    assert uploader.offset == len(data)
    assert uploader.url.startswith(f"{live_server.url}/api/v1/uploads/")
    blob = _verified(sha(data))
    assert blob is not None and blob.size == len(data)
    assert db.session.get(MediaMetadata, sha(data)).camera_model == "iPhone 15 Pro"


def _cut_patch(server_url: str, location: str, headers: dict, data: bytes, cut: int) -> bytes:
    """Send a PATCH announcing all of `data`, only `cut` bytes of it, then hang up."""
    parts = urlsplit(server_url)
    head = "".join(f"{name}: {value}\r\n" for name, value in {
        **headers, "Host": parts.netloc, "Tus-Resumable": "1.0.0",
        "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0",
        "Content-Length": str(len(data)), "Connection": "close"}.items())
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(f"PATCH {location} HTTP/1.1\r\n{head}\r\n".encode() + data[:cut])
        sock.shutdown(socket.SHUT_WR)  # the phone lost its signal mid-request
        return sock.recv(65536)


def _offset(client: tus_client.TusClient, url: str) -> int:
    """What HEAD says the server has."""
    return int(client.uploader(url=url, file_stream=io.BytesIO(b"x")).get_offset())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_resume_after_a_cut_at_a_random_byte_and_a_server_restart(ctx, store, officer, seed):
    data = noisy_jpeg(seed=seed)
    cut = random.Random(seed).randrange(1, len(data))
    meta = {"sha256": sha(data), "filename": "IMG_0043.JPG", "filetype": "image/jpeg"}
    with LiveServer(ctx) as first:
        client = tus_client.TusClient(f"{first.url}/api/v1/uploads", headers=officer[1])
        url = client.uploader(file_stream=io.BytesIO(data), metadata=meta).create_url()
        _cut_patch(first.url, urlsplit(url).path, officer[1], data, cut)
        assert _offset(client, url) == cut, f"seed {seed}: cut at {cut}"
        assert _verified(sha(data)) is None
    with LiveServer(ctx) as second:  # another process: state is in the database and storage
        client = tus_client.TusClient(f"{second.url}/api/v1/uploads", headers=officer[1])
        url = f"{second.url}{urlsplit(url).path}"
        uploader = client.uploader(url=url, file_stream=io.BytesIO(data), metadata=meta,
                                   chunk_size=128 * 1024)
        assert uploader.offset == cut  # tuspy asked HEAD and continues from there
        uploader.upload()
    assert _verified(sha(data)).size == len(data)


def test_a_cut_chunk_with_a_checksum_keeps_nothing(live_server, officer):
    data = noisy_jpeg(seed=4)
    client = tus_client.TusClient(f"{live_server.url}/api/v1/uploads", headers=officer[1])
    url = client.uploader(file_stream=io.BytesIO(data), metadata={"sha256": sha(data)}).create_url()
    headers = {**officer[1], "Upload-Checksum": "sha256 " + "A" * 43 + "="}
    _cut_patch(live_server.url, urlsplit(url).path, headers, data, len(data) // 2)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _offset(client, url) != 0:
        time.sleep(0.05)
    assert _offset(client, url) == 0
