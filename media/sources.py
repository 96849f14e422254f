"""Accept a path, bytes or a binary stream wherever the pipeline reads a file."""

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

Source = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO


@contextmanager
def open_source(source: Source) -> Iterator[BinaryIO]:
    """Yield a binary file: paths are opened and closed here, streams are left open."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fp:
            yield fp
    elif isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
    else:
        yield source


def stream_size(fp: BinaryIO) -> int:
    """Return the size in bytes of a seekable binary file, leaving it at its start."""
    size = fp.seek(0, io.SEEK_END)
    fp.seek(0)
    return size
