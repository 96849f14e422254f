"""Streaming SHA-256 of uploads, and the check that a file is exactly what the phone sent."""

import hashlib
import hmac
import re

from media.errors import DIGEST_MISMATCH, INVALID_DIGEST, MediaError
from media.sources import Source, open_source

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def sha256_hex(source: Source) -> str:
    """Lowercase hex SHA-256 of a path, bytes or a stream (read from where it stands)."""
    with open_source(source) as fp:
        return hashlib.file_digest(fp, "sha256").hexdigest()


def normalize_sha256(value: str) -> str:
    """Return a SHA-256 hex digest in lowercase; refuse anything else."""
    digest = value.strip().lower() if isinstance(value, str) else ""
    if not _SHA256_HEX.fullmatch(digest):
        raise MediaError(INVALID_DIGEST, "expected 64 hexadecimal digits of SHA-256")
    return digest


def verify_digest(source: Source, expected_hex: str) -> str:
    """Return the file's SHA-256 if it matches ``expected_hex``, else raise digest_mismatch."""
    expected = normalize_sha256(expected_hex)
    actual = sha256_hex(source)
    if not hmac.compare_digest(actual, expected):
        raise MediaError(DIGEST_MISMATCH, f"expected sha256 {expected}, file has {actual}")
    return actual
