"""Blobs in a dict: the test double other layers' tests use instead of disk or S3."""

import io
import threading
from typing import BinaryIO

from media.keys import check_range, not_found, validate_key
from media.sources import Source, open_source


class MemoryStorage:
    """Keeps every blob in memory; passes the same contract tests as the real backends."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, key: str, src: Source) -> None:
        """Read the whole source, then store it in one step."""
        validate_key(key)
        with open_source(src) as fp:
            data = fp.read()
        with self._lock:
            self._blobs[key] = data

    def open(self, key: str) -> BinaryIO:
        """A stream over the blob."""
        return io.BytesIO(self._get(key))

    def exists(self, key: str) -> bool:
        """True when the key holds a blob."""
        return validate_key(key) in self._blobs

    def size(self, key: str) -> int:
        """The blob's length."""
        return len(self._get(key))

    def delete(self, key: str) -> None:
        """Forget the blob."""
        with self._lock:
            self._blobs.pop(validate_key(key), None)

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes ``[start, end)``."""
        check_range(start, end)
        return self._get(key)[start:end]

    def url_for(
        self, key: str, expires: int, *, content_type: str | None = None,
        disposition: str | None = None,
    ) -> str | None:
        """No URLs for memory."""
        validate_key(key)
        return None

    def _get(self, key: str) -> bytes:
        """The blob's bytes or the not-found error."""
        try:
            return self._blobs[validate_key(key)]
        except KeyError:
            raise not_found(key) from None
