"""Helpers of the photo tests: real photo files, tus requests, a live HTTP server."""
import base64
import hashlib
import threading
import zlib

from PIL import Image
from werkzeug.serving import make_server

from media.testing import IPHONE, encode, exif_bytes, quadrant_picture

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = {**TUS, "Content-Type": "application/offset+octet-stream"}


def jpeg(size=(640, 480), layout=IPHONE, quality=90, seed: int = 0) -> bytes:
    """A real JPEG with the EXIF of a phone (position, time, orientation); another `seed`
    gives other bytes (a JPEG comment) with the same picture."""
    params = {"exif": exif_bytes(layout)} if layout else {}
    if seed:
        params["comment"] = f"seed {seed}".encode()
    return encode(quadrant_picture(size), "JPEG", quality=quality, **params)


def sha(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


def metadata(**pairs) -> str:
    """An Upload-Metadata header value."""
    return ",".join(f"{key} {base64.b64encode(str(value).encode()).decode()}"
                    for key, value in pairs.items())


def create(client, headers, data: bytes, digest: str | None = None, length=None, **extra):
    """POST a tus creation for `data`; returns the response."""
    facts = {"filename": "IMG_0001.JPG", "filetype": "image/jpeg", **extra}
    meta = metadata(sha256=digest or sha(data), **facts)
    return client.post("/api/v1/uploads", headers={
        **headers, **TUS, "Upload-Length": str(len(data) if length is None else length),
        "Upload-Metadata": meta})


def patch(client, headers, location: str, offset: int, chunk: bytes, **more):
    """PATCH one chunk at `offset`."""
    return client.patch(location, data=chunk, headers={
        **headers, **CHUNK, "Upload-Offset": str(offset), **more})


def upload(client, headers, data: bytes, chunk_size: int | None = None) -> str:
    """Upload `data` over tus in chunks; returns the upload URL (the last PATCH must be 204)."""
    created = create(client, headers, data)
    assert created.status_code == 201, created.get_json()
    location = created.headers["Location"]
    offset = int(created.headers["Upload-Offset"])
    step = chunk_size or len(data)
    while offset < len(data):
        response = patch(client, headers, location, offset, data[offset:offset + step])
        assert response.status_code == 204, response.get_json()
        offset = int(response.headers["Upload-Offset"])
    return location


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose header declares a huge picture (valid chunk CRCs)."""
    small = encode(quadrant_picture((8, 8)).convert("L"), "PNG")
    ihdr_at = small.index(b"IHDR")
    body = (b"IHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big")
            + small[ihdr_at + 12:ihdr_at + 17])
    crc = zlib.crc32(body).to_bytes(4, "big")
    return small[:ihdr_at] + body + crc + small[ihdr_at + 21:]


class LiveServer:
    """The app on a real threaded HTTP server at 127.0.0.1:<free port>."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def noisy_jpeg(size=(1600, 1200), seed: int = 1) -> bytes:
    """A photo-like JPEG (grain compresses badly): a few hundred kB, phone EXIF."""
    grain = Image.effect_noise(size, 40 + seed)
    picture = Image.merge("RGB", (grain, grain.rotate(90 * seed % 360, expand=False), grain))
    return encode(picture, "JPEG", quality=90, exif=exif_bytes(IPHONE))
