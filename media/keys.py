"""Blob keys and byte ranges, checked alike by every backend: no key can escape its store."""

import re

from media.digest import normalize_sha256
from media.errors import INVALID_KEY, NOT_FOUND, MediaError

MAX_KEY_LENGTH = 512
# Segments start with a letter or digit: no "..", no hidden files, no temp-file clashes.
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative name like ``blobs/ab/<sha256>``, else raise."""
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise MediaError(INVALID_KEY, f"invalid storage key {key!r}")
    return key


def blob_key(sha256_hex: str) -> str:
    """The content address of a blob: ``blobs/<first two hex digits>/<sha256>``."""
    digest = normalize_sha256(sha256_hex)
    return f"blobs/{digest[:2]}/{digest}"


def derivative_key(sha256_hex: str, kind: str, profile: str) -> str:
    """Where a derivative lives: ``derivatives/<aa>/<sha256>/<kind>-<profile>.jpg``."""
    digest = normalize_sha256(sha256_hex)
    return validate_key(f"derivatives/{digest[:2]}/{digest}/{kind}-{profile}.jpg")


def upload_part_key(upload_id: str, offset: int, nonce: str) -> str:
    """Where a chunk of a resumable upload waits: ``uploads/<id>/<offset>-<nonce>``."""
    return validate_key(f"uploads/{upload_id}/{offset:012d}-{nonce}")


def check_range(start: int, end: int) -> None:
    """Refuse negative or reversed byte ranges; ranges are half-open ``[start, end)``."""
    if not 0 <= start <= end:
        raise ValueError(f"invalid byte range [{start}, {end})")


def not_found(key: str) -> MediaError:
    """The error every backend raises for a missing blob."""
    return MediaError(NOT_FOUND, f"no blob under {key!r}")
