"""Where blobs live: the BlobStorage contract, its backends by name, content-addressed puts."""

import os
from collections.abc import Mapping
from inspect import signature
from typing import Any, BinaryIO, Protocol, runtime_checkable

from media.digest import verify_digest
from media.errors import NOT_FOUND, MediaError
from media.keys import blob_key
from media.local_storage import LocalDiskStorage
from media.memory_storage import MemoryStorage
from media.s3_storage import S3Storage
from media.sources import Source


@runtime_checkable
class BlobStorage(Protocol):
    """A flat store of immutable blobs under validated keys; every backend passes one contract."""

    def put(self, key: str, src: Source) -> None:
        """Store a path, bytes or stream under ``key`` atomically: readers never see half."""

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the blob; the caller closes it."""

    def exists(self, key: str) -> bool:
        """True when a blob is stored under ``key``."""

    def size(self, key: str) -> int:
        """The blob's size in bytes."""

    def delete(self, key: str) -> None:
        """Remove the blob; deleting a missing key is not an error."""

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` of the blob, clipped to its size (HTTP ranges are inclusive)."""

    def url_for(
        self, key: str, expires: int, *, content_type: str | None = None,
        disposition: str | None = None,
    ) -> str | None:
        """A signed GET URL valid ``expires`` seconds, or None where the backend has none;
        the download answers with ``content_type`` and ``disposition`` when given."""


# Missing-key reads raise MediaError(NOT_FOUND) in every backend.
BACKENDS: dict[str, type[BlobStorage]] = {
    "local": LocalDiskStorage,
    "s3": S3Storage,
    "memory": MemoryStorage,
}


def storage_from_config(config: Mapping[str, Any]) -> BlobStorage:
    """Build the backend named by ``config["backend"]``; raise ValueError on a bad config."""
    settings = dict(config)
    name = settings.pop("backend", None)
    backend = BACKENDS.get(name) if isinstance(name, str) else None
    if backend is None:
        raise ValueError(f"media storage backend {name!r} is not one of {sorted(BACKENDS)}")
    try:
        signature(backend).bind(**settings)
    except TypeError as exc:
        raise ValueError(f"media storage backend {name!r}: {exc}") from None
    return backend(**settings)


def put_blob(storage: BlobStorage, path: str | os.PathLike[str], sha256_hex: str) -> str:
    """Verify the file's digest, store it once under ``blobs/<aa>/<sha256>``, return the key."""
    key = blob_key(verify_digest(path, sha256_hex))
    if not _already_stored(storage, key, os.path.getsize(path)):
        storage.put(key, path)
    return key


def _already_stored(storage: BlobStorage, key: str, size: int) -> bool:
    """True when the content address already holds a blob of the right size."""
    try:
        return storage.size(key) == size
    except MediaError as exc:
        if exc.code != NOT_FOUND:
            raise
        return False
