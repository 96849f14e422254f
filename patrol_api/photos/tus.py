"""The tus 1.0 protocol's header values: versions, extensions, metadata, checksums (no HTTP).

https://tus.io/protocols/resumable-upload: core, creation (with upload), checksum,
termination and expiration are implemented; deferred length and concatenation are not.
"""
import base64
import binascii
import functools
import hashlib
import re
from dataclasses import dataclass

from patrol_api.errors import ApiError

VERSION = "1.0.0"
EXTENSIONS = ("creation", "creation-with-upload", "checksum", "termination", "expiration")
OFFSET_OCTET_STREAM = "application/offset+octet-stream"
CHECKSUM_MISMATCH = 460  # tus checksum extension: the chunk did not match Upload-Checksum
CHECKSUM_ALGORITHMS = {  # integrity of a chunk in transit, not security
    "sha1": functools.partial(hashlib.sha1, usedforsecurity=False),
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
    "md5": functools.partial(hashlib.md5, usedforsecurity=False),
}
MAX_METADATA_CHARS = 4096
_KEY = re.compile(r"[A-Za-z0-9._~!#$&'*+^`|-]{1,100}")  # RFC 7230 token characters
_INTEGER = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class Checksum:
    """An Upload-Checksum: the algorithm and the digest the chunk must have."""

    algorithm: str
    expected: bytes

    def hasher(self):
        """A new hash object of the algorithm."""
        return CHECKSUM_ALGORITHMS[self.algorithm]()


def integer(value: str | None, header: str) -> int | None:
    """A non-negative integer header (Upload-Length, Upload-Offset); None when absent."""
    if value is None:
        return None
    if not _INTEGER.fullmatch(value.strip()):
        raise ApiError(400, "invalid_header", f"{header} must be a non-negative integer.",
                       header)
    return int(value.strip())


def metadata(value: str | None) -> dict[str, str | None]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs, keys unique, UTF-8 values."""
    if value is None or not value.strip():
        return {}
    if len(value) > MAX_METADATA_CHARS:
        raise _bad_metadata(f"is longer than {MAX_METADATA_CHARS} characters")
    pairs: dict[str, str | None] = {}
    for item in value.split(","):
        key, _, encoded = item.strip().partition(" ")
        if not _KEY.fullmatch(key) or key in pairs:
            raise _bad_metadata("keys must be unique tokens without spaces or commas")
        pairs[key] = _decode(encoded.strip()) if encoded.strip() else None
    return pairs


def _decode(encoded: str) -> str:
    """A base64 metadata value as text."""
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise _bad_metadata("values must be base64 of UTF-8 text") from None


def _bad_metadata(why: str) -> ApiError:
    """The 400 for unreadable Upload-Metadata."""
    return ApiError(400, "invalid_metadata", f"Upload-Metadata {why}.", "Upload-Metadata")


def checksum(value: str | None) -> Checksum | None:
    """Upload-Checksum `<algorithm> <base64 digest>`; None when absent."""
    if value is None:
        return None
    algorithm, _, encoded = value.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise ApiError(400, "checksum_algorithm_unsupported", "Upload-Checksum algorithm must "
                       f"be one of {', '.join(CHECKSUM_ALGORITHMS)}.", "Upload-Checksum")
    try:
        expected = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        expected = b""
    if len(expected) != CHECKSUM_ALGORITHMS[algorithm]().digest_size:
        raise ApiError(400, "invalid_header", "Upload-Checksum must be an algorithm and the "
                       "base64 digest.", "Upload-Checksum")
    return Checksum(algorithm, expected)


def clean_text(value: str | None, limit: int) -> str | None:
    """Metadata text (file name, type) fit for the database: no control characters, bounded."""
    if value is None:
        return None
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip()
    return cleaned[:limit] or None
