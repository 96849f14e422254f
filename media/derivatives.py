"""Make the JPEGs clients show instead of the original: oriented, resized, metadata-free.

The screen size is chosen so that the JPEG decoder's own 1/2^n scaling lands on it: a
12-megapixel phone photo (4000x3000, 4032x3024, 4080x3060) decodes at 1/4 straight to
about 1000x750 and needs no resampling pass at all. See docs/media.md for the figures.
"""

import io

from PIL import Image, ImageFile

from media.colour import to_srgb
from media.exif import TRANSPOSE, exif_of, orientation
from media.images import (
    DEFAULT_MAX_DECODE_BYTES,
    DEFAULT_MAX_PIXELS,
    decoding,
    open_image,
    plan_decode,
    release_memory,
)
from media.sources import Source

SCREEN_SIDE = 1000  # long side of the screen image: phone screens, desktop detail panes
SCREEN_SLACK = 1.25  # a draft decode up to 1250 px long is kept as it is, not resampled
THUMB_SIDE = 320  # lists, maps and inbox rows
SCREEN_BOX = (SCREEN_SIDE, SCREEN_SIDE)
THUMB_BOX = (THUMB_SIDE, THUMB_SIDE)
JPEG_QUALITY = 82
PROGRESSIVE = False  # baseline: a third of the encode time; a 120 kB screen image is small
OPTIMIZE = False  # Huffman optimisation: 2x the encode time for 4 % fewer bytes
RESAMPLE = Image.Resampling.HAMMING  # screen fits of non-JPEG formats (no draft scaling)
THUMB_RESAMPLE = Image.Resampling.BICUBIC  # small pictures look soft with cheaper filters
REDUCING_GAP = 2.0  # formats without draft: integer box reduce first, then resample
# The box reduce made while converting a large decode in strips leaves at most 3x the screen
# size (at most 36 MB), whatever the original's size, for the resample that follows.
STRIP_REDUCING_GAP = 1.5
THUMB_REDUCING_GAP = 1.5  # 1000 -> 320: a 2x2 box reduce, then bicubic over the last 1.6x
PROFILE = f"s{SCREEN_SIDE}t{THUMB_SIDE}q{JPEG_QUALITY}"  # names the stored derivatives


def make_derivatives(source: Source, *, max_pixels: int = DEFAULT_MAX_PIXELS,
                     max_decode_bytes: int = DEFAULT_MAX_DECODE_BYTES) -> dict[str, bytes]:
    """Return {"screen": jpeg, "thumb": jpeg}, decoding the photo only once, at draft scale.

    The decode is refused before it starts when it would take more than ``max_decode_bytes``;
    after it, the conversions work in strips, so the peak stays close to the decode itself.
    """
    try:
        with open_image(source, max_pixels=max_pixels) as (im, fmt), decoding():
            plan_decode(im, fmt, draft_size(im.size), max_decode_bytes)
            screen = screen_image(im)
            thumb = shrink(screen, THUMB_BOX, THUMB_RESAMPLE, THUMB_REDUCING_GAP)
            return {"screen": encode_jpeg(screen), "thumb": encode_jpeg(thumb)}
    finally:
        release_memory()


def screen_image(im: ImageFile.ImageFile) -> Image.Image:
    """Decode at the smallest 1/2^n scale still covering SCREEN_BOX, then fit and orient it."""
    im.draft("RGB", draft_size(im.size))
    im.load()
    srgb = to_srgb(im, reduce_factor(im.size))
    turn = orientation(exif_of(im)) or 1
    fitted = srgb if fits_screen(srgb.size) else shrink(srgb, SCREEN_BOX)
    return fitted.transpose(TRANSPOSE[turn]) if turn in TRANSPOSE else fitted


def draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """What to ask the JPEG decoder for: the screen fit (a square box: EXIF turns it later)."""
    return fit_size(size, SCREEN_BOX)


def reduce_factor(size: tuple[int, int]) -> int:
    """The box-reduce factor applied while converting: the largest that leaves at least
    STRIP_REDUCING_GAP times the screen size; 1 for pictures already of screen size."""
    if fits_screen(size):
        return 1
    target = fit_size(size, SCREEN_BOX)
    return max(1, int(min(size[0] / target[0], size[1] / target[1]) / STRIP_REDUCING_GAP))


def fits_screen(size: tuple[int, int]) -> bool:
    """True when a decoded picture is already a screen image: long side <= 1250 px."""
    return max(size) <= SCREEN_SIDE * SCREEN_SLACK


def fit_size(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with the same aspect ratio that fits in ``box``; never enlarges."""
    width, height = size
    scale = min(box[0] / width, box[1] / height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def shrink(
    im: Image.Image,
    box: tuple[int, int],
    resample: Image.Resampling = RESAMPLE,
    reducing_gap: float = REDUCING_GAP,
) -> Image.Image:
    """Resize ``im`` to fit in ``box`` (or return it as it is when it already fits)."""
    size = fit_size(im.size, box)
    return im if size == im.size else im.resize(size, resample, reducing_gap=reducing_gap)


def encode_jpeg(im: Image.Image) -> bytes:
    """Encode as a JPEG with no EXIF, GPS, ICC, XMP or comment: nothing but pixels."""
    im.info = {}  # Pillow copies some metadata (the JPEG comment) from ``info`` otherwise
    out = io.BytesIO()
    im.save(out, "JPEG", quality=JPEG_QUALITY, progressive=PROGRESSIVE, optimize=OPTIMIZE)
    return out.getvalue()
