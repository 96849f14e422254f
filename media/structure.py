"""Check a photo's container structure without decoding a pixel: cheap enough for a request.

Each walk reads markers, chunks or boxes only, in time proportional to the file's size:
a JPEG must reach its end-of-image marker with at most ``max_scans`` scans (a progressive
JPEG repeating one scan thousands of times costs seconds per decode), a PNG's chunks must
reach IEND, a WebP's RIFF size and a HEIC's top-level boxes must fit the file. No format may
have more than MAX_SEGMENTS segments, chunks or boxes: Pillow reads each one in Python (a
25 MB PNG of two million empty chunks took 26 s to open). Truncated files fail here; damage
inside compressed data is only found by a full decode.
"""

import mmap
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from media.errors import CORRUPT_IMAGE, TOO_MANY_SCANS, TOO_MANY_SEGMENTS, MediaError

# libjpeg's default progressive script has 10 scans, mozjpeg's optimised ones about 20.
DEFAULT_MAX_SCANS = 100
# A 25 MiB PNG in libpng's 8 kB IDAT chunks has 3,200 chunks; a JPEG some dozens of segments.
MAX_SEGMENTS = 20_000
# Fill and stray bytes between JPEG segments (libjpeg skips them; Pillow reads them one by one
# in Python: 24 MB of 0xFF fill took 69 s to open). Encoders write none or a few.
MAX_JPEG_PADDING = 4096
_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # TEM and RST0-7 carry no length
# In entropy-coded data 0xFF is followed by 0x00 (stuffing) or RST0-7; anything else is a marker.
_NEXT_MARKER = re.compile(rb"\xff(?![\x00\xd0-\xd7])")
_FF = re.compile(rb"\xff")
_FILL = re.compile(rb"\xff+")


def check_structure(fp: BinaryIO, fmt: str, *, max_scans: int = DEFAULT_MAX_SCANS) -> None:
    """Raise MediaError when the container of a sniffed image is cut short or malformed, has
    too many parts, or (JPEG) more than ``max_scans`` scans. PNG CRCs: Pillow's verify."""
    with _mapped(fp) as data:
        if fmt == "JPEG":
            jpeg_scans(data, max_scans)
        elif fmt == "PNG":
            _check_chunks(data)
        elif fmt == "WEBP":
            _check_riff(data)
        elif fmt == "HEIF":
            _check_boxes(data)


def jpeg_scans(data, max_scans: int) -> int:
    """Walk a JPEG's markers up to EOI; returns its number of scans (SOS markers)."""
    if data[:2] != b"\xff\xd8":
        raise _corrupt("no JPEG start-of-image marker")
    pos, scans, size, padding = 2, 0, len(data), 0
    for _segment in _counted("JPEG segments"):
        start = pos
        if pos < size and data[pos] != 0xFF:  # libjpeg skips extraneous bytes, so do we
            found = _FF.search(data, pos)
            pos = size if found is None else found.start()
        if pos + 1 >= size:
            raise _corrupt("the JPEG ends before its end-of-image marker")
        pos = _FILL.match(data, pos).end() - 1  # 0xFF fill bytes may precede a marker
        padding += pos - start
        if padding > MAX_JPEG_PADDING:
            raise _corrupt(f"more than {MAX_JPEG_PADDING} stray bytes between JPEG segments")
        if pos + 1 >= size:
            raise _corrupt("the JPEG ends inside a marker")
        marker = data[pos + 1]
        if marker == _EOI:
            return scans
        if marker in _STANDALONE or marker == _SOI:
            pos += 2
            continue
        if pos + 4 > size:
            raise _corrupt("the JPEG ends inside a segment header")
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if end < pos + 4 or end > size:
            raise _corrupt(f"a JPEG segment at byte {pos} runs past the end of the file")
        pos = end
        if marker == _SOS:
            scans += 1
            if scans > max_scans:
                raise MediaError(TOO_MANY_SCANS, f"the JPEG has more than {max_scans} scans")
            found = _NEXT_MARKER.search(data, pos)
            if found is None:
                raise _corrupt("the JPEG ends inside its image data (no end-of-image marker)")
            pos = found.start()


def _check_chunks(data) -> None:
    """PNG: chunks (length, type, data, CRC) must follow each other up to IEND."""
    pos, size = 8, len(data)
    for _chunk in _counted("PNG chunks"):
        if pos + 12 > size:
            raise _corrupt("the PNG ends before its IEND chunk")
        length = int.from_bytes(data[pos : pos + 4], "big")
        if data[pos + 4 : pos + 8] == b"IEND":
            return
        pos += 12 + length


def _check_riff(data) -> None:
    """A WebP is one RIFF chunk: its declared size must fit in the file."""
    declared = int.from_bytes(data[4:8], "little") + 8
    if len(data) < 12 or declared > len(data):
        raise _corrupt(f"the WebP declares {declared} bytes but has {len(data)}")


def _check_boxes(data) -> None:
    """HEIC (ISO-BMFF): the top-level boxes must tile the file exactly."""
    pos, size = 0, len(data)
    for _box in _counted("HEIC boxes"):
        if pos >= size:
            return
        if pos + 8 > size:
            raise _corrupt("the HEIC file ends inside a box header")
        length = int.from_bytes(data[pos : pos + 4], "big")
        if length == 1:  # 64-bit size after the type
            if pos + 16 > size:
                raise _corrupt("the HEIC file ends inside a box header")
            length = int.from_bytes(data[pos + 8 : pos + 16], "big")
        elif length == 0:  # the box runs to the end of the file
            length = size - pos
        if length < 8 or pos + length > size:
            raise _corrupt(f"a HEIC box at byte {pos} runs past the end of the file")
        pos += length


def _counted(what: str) -> Iterator[int]:
    """0, 1, ... MAX_SEGMENTS - 1, then a refusal: bounds every walk."""
    yield from range(MAX_SEGMENTS)
    raise MediaError(TOO_MANY_SEGMENTS, f"more than {MAX_SEGMENTS} {what}")


def _corrupt(message: str) -> MediaError:
    """The refusal of a malformed container."""
    return MediaError(CORRUPT_IMAGE, message)


@contextmanager
def _mapped(fp: BinaryIO) -> Iterator:
    """The file's bytes without copying them: a memory map of a real file, else a view."""
    fp.seek(0)
    try:
        fileno = fp.fileno()
    except (OSError, AttributeError, ValueError):  # BytesIO and other in-memory streams
        view = fp.getbuffer() if hasattr(fp, "getbuffer") else memoryview(fp.read())
        with view:
            yield view
    else:
        with mmap.mmap(fileno, 0, access=mmap.ACCESS_READ) as data:
            yield data
    fp.seek(0)
