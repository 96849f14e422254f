"""Blobs as files under one root directory: atomic, durable writes; keys fan out into folders."""

import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from media.keys import check_range, not_found, validate_key
from media.sources import Source, open_source

RACE_ATTEMPTS = 1000  # folders made again after a concurrent delete emptied them


class LocalDiskStorage:
    """The embedded default: ``blobs/ab/<sha256>`` is the file ``<root>/blobs/ab/<sha256>``."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def put(self, key: str, src: Source) -> None:
        """Write to a temporary file beside the target, fsync, then rename over it."""
        path = self._path(key)
        fd, tmp = self._temporary_beside(path)
        try:
            with os.fdopen(fd, "wb") as out, open_source(src) as fp:
                shutil.copyfileobj(fp, out, 1 << 20)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def open(self, key: str) -> BinaryIO:
        """Open the blob's file for reading."""
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise not_found(key) from None

    def exists(self, key: str) -> bool:
        """True when the blob's file exists."""
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        """The blob file's size."""
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise not_found(key) from None

    def delete(self, key: str) -> None:
        """Remove the blob's file if it is there, and the folders it leaves empty (each
        upload's chunks have a folder of their own: it goes with its last chunk)."""
        path = self._path(key)
        path.unlink(missing_ok=True)
        for folder in path.parents:
            if folder == self.root or self.root not in folder.parents:
                break
            try:
                folder.rmdir()  # only ever removes an empty folder
            except OSError:  # not empty (or already gone): its parents are not empty either
                break

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Read bytes ``[start, end)``."""
        check_range(start, end)
        with self.open(key) as fp:
            fp.seek(start)
            return fp.read(end - start)

    def url_for(
        self, key: str, expires: int, *, content_type: str | None = None,
        disposition: str | None = None,
    ) -> str | None:
        """Local files have no signed URLs: the HTTP layer streams them itself."""
        validate_key(key)
        return None

    def _temporary_beside(self, path: Path) -> tuple[int, str]:
        """A new temporary file in the target's folder, making the folder; again whenever a
        concurrent delete removed a folder on the way as it emptied (mkdir then finds it gone
        or half made). Once the temporary file is in, no delete can remove the folder."""
        for _attempt in range(RACE_ATTEMPTS):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                return tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            except (FileNotFoundError, FileExistsError):
                continue
        raise OSError(f"could not make the folder of {path.name}: removed as fast as made")

    def _path(self, key: str) -> Path:
        """The file for a validated key; validation keeps it inside ``root``."""
        return self.root.joinpath(*validate_key(key).split("/"))


def _fsync_dir(path: Path) -> None:
    """Make a rename durable: flush the directory entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
