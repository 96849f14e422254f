"""Streaming SHA-256 and the digest check that stops empty or truncated attachments."""

import hashlib
import io

import pytest

from media.digest import normalize_sha256, sha256_hex, verify_digest
from media.errors import MediaError

DATA = b"field photo " * 200_000  # 2.4 MB: several read chunks


def test_same_digest_from_path_bytes_and_stream(tmp_path):
    path = tmp_path / "upload.bin"
    path.write_bytes(DATA)
    expected = hashlib.sha256(DATA).hexdigest()
    assert sha256_hex(path) == sha256_hex(str(path)) == expected
    assert sha256_hex(DATA) == sha256_hex(io.BytesIO(DATA)) == expected


def test_verify_accepts_the_right_digest_in_any_case(tmp_path):
    path = tmp_path / "upload.bin"
    path.write_bytes(DATA)
    digest = hashlib.sha256(DATA).hexdigest()
    assert verify_digest(path, digest.upper()) == digest


@pytest.mark.parametrize("damage", ["truncated", "empty", "one bit"])
def test_damaged_uploads_are_a_digest_mismatch(tmp_path, damage):
    body = {"truncated": DATA[:-1], "empty": b"", "one bit": b"F" + DATA[1:]}[damage]
    path = tmp_path / "upload.bin"
    path.write_bytes(body)
    with pytest.raises(MediaError) as caught:
        verify_digest(path, hashlib.sha256(DATA).hexdigest())
    assert caught.value.code == "digest_mismatch"


@pytest.mark.parametrize(
    "value", ["", "abc", "g" * 64, "a" * 63, "a" * 65, None, "sha256:" + "a" * 64]
)
def test_malformed_expected_digest_is_refused(value):
    with pytest.raises(MediaError) as caught:
        normalize_sha256(value)
    assert caught.value.code == "invalid_digest"
