"""Check an uploaded photo before anything else touches it, and read what it says about itself.

Inspection decodes no pixel: it reads the header (type, size, mode, EXIF) and walks the
container (`media.structure`), so its cost is bounded by the file's size, whatever the
image declares. The full decode happens when the derivatives are made.
"""

from dataclasses import asdict, dataclass, replace
from typing import BinaryIO

from PIL import Image, ImageFile

from media.derivatives import draft_size
from media.errors import EMPTY_FILE, TOO_LARGE, UNSUPPORTED_TYPE, MediaError
from media.exif import SWAPS_AXES, ExifFacts, exif_of, read_exif
from media.images import DEFAULT_MAX_DECODE_BYTES, decoding, open_image, plan_decode
from media.sniff import HEAD_BYTES, MIME_TYPES, sniff_format
from media.sources import Source, open_source, stream_size
from media.structure import DEFAULT_MAX_SCANS, check_structure

ANIMATABLE = frozenset({"PNG", "WEBP"})


@dataclass(frozen=True, kw_only=True)
class ImageInfo(ExifFacts):
    """A photo that passed inspection: its real type, shown size, and its EXIF facts."""

    format: str
    mime: str
    width: int
    height: int
    size_bytes: int


def inspect_image(source: Source, *, max_bytes: int, max_pixels: int,
                  max_decode_bytes: int = DEFAULT_MAX_DECODE_BYTES,
                  max_scans: int = DEFAULT_MAX_SCANS) -> ImageInfo:
    """Accept a JPEG, PNG, WebP or HEIC photo whose header, structure and decoding cost pass
    the limits, else raise MediaError. Decodes no pixel."""
    with open_source(source) as fp:
        size_bytes = check_size(fp, max_bytes)
        _verify_structure(fp, max_pixels, max_scans)
        with open_image(fp, max_pixels=max_pixels) as (im, fmt):
            stored_size = im.size
            _refuse_animation(im, fmt)
            facts = read_exif(_header_exif(im, fmt))
            with decoding():
                plan_decode(im, fmt, draft_size(im.size), max_decode_bytes)  # as derivatives do
            return _describe(fmt, stored_size, size_bytes, facts, im.info)


def check_size(fp: BinaryIO, max_bytes: int) -> int:
    """Return the file's size; refuse empty files and files over ``max_bytes``."""
    size = stream_size(fp)
    if size == 0:
        raise MediaError(EMPTY_FILE, "the file is empty")
    if size > max_bytes:
        raise MediaError(TOO_LARGE, f"{size} bytes is more than {max_bytes}")
    return size


def _verify_structure(fp: BinaryIO, max_pixels: int, max_scans: int) -> None:
    """Walk the container before Pillow reads it (JPEG markers and scans, PNG chunks, WebP
    and HEIC sizes, how many parts), then let Pillow check the PNG chunk CRCs (its verify
    inflates nothing)."""
    fp.seek(0)
    check_structure(fp, sniff_format(fp.read(HEAD_BYTES)), max_scans=max_scans)
    with open_image(fp, max_pixels=max_pixels) as (im, _fmt), decoding():
        im.verify()


def _refuse_animation(im: ImageFile.ImageFile, fmt: str) -> None:
    """A field photo is one still picture: refuse animated PNG and WebP."""
    if fmt in ANIMATABLE and getattr(im, "is_animated", False):
        raise MediaError(UNSUPPORTED_TYPE, f"animated {fmt} is not a photo")


def _header_exif(im: ImageFile.ImageFile, fmt: str) -> Image.Exif:
    """The EXIF read with the header. Pillow would decode a whole PNG to look for an eXIf
    chunk after the image data; such a late chunk is not read."""
    if fmt == "PNG" and "exif" not in im.info:
        return Image.Exif()
    return exif_of(im)


def _describe(
    fmt: str, stored: tuple[int, int], size_bytes: int, facts: ExifFacts, info: dict
) -> ImageInfo:
    """Build ImageInfo; HEIF arrives already rotated by libheif, the others rotate when shown."""
    width, height = stored
    if fmt == "HEIF":
        facts = _with_orientation(facts, info.get("original_orientation"))
    elif facts.orientation in SWAPS_AXES:
        width, height = height, width
    return ImageInfo(format=fmt, mime=MIME_TYPES[fmt], width=width, height=height,
                     size_bytes=size_bytes, **asdict(facts))


def _with_orientation(facts: ExifFacts, original: object) -> ExifFacts:
    """Report the orientation libheif already applied (pillow-heif resets the EXIF tag to 1)."""
    value = original if isinstance(original, int) and original in range(1, 9) else None
    return replace(facts, orientation=value or facts.orientation)
