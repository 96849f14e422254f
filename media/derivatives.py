"""Make the JPEGs clients show instead of the original: oriented, resized, metadata-free."""

import io

from PIL import Image, ImageFile

from media.colour import to_srgb
from media.exif import SWAPS_AXES, TRANSPOSE, exif_of, orientation
from media.images import DEFAULT_MAX_PIXELS, decoding, open_image
from media.sources import Source

SCREEN_BOX = (1600, 1600)  # full-screen viewing on phones and desktops
THUMB_BOX = (320, 320)  # lists, maps and inbox rows
JPEG_QUALITY = 82
PROGRESSIVE = True  # a blurry whole picture early on a slow mobile link
RESAMPLE = Image.Resampling.HAMMING  # bilinear cost, sharper: the codec already did the 1/2^n
REDUCING_GAP = 2.0  # formats without draft: integer box reduce first, then resample


def make_derivatives(source: Source, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> dict[str, bytes]:
    """Return {"screen": jpeg, "thumb": jpeg}, decoding the photo only once, at draft scale."""
    with open_image(source, max_pixels=max_pixels) as (im, _fmt), decoding():
        screen = screen_image(im)
        thumb = shrink(screen, THUMB_BOX)
        return {"screen": encode_jpeg(screen), "thumb": encode_jpeg(thumb)}


def screen_image(im: ImageFile.ImageFile) -> Image.Image:
    """Decode at the smallest 1/2^n scale still covering SCREEN_BOX, then fit and orient it."""
    im.draft("RGB", draft_size(im.size))
    srgb = to_srgb(im)
    turn = orientation(exif_of(im)) or 1
    fitted = shrink(srgb, SCREEN_BOX[::-1] if turn in SWAPS_AXES else SCREEN_BOX)
    return fitted.transpose(TRANSPOSE[turn]) if turn in TRANSPOSE else fitted


def draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """What to ask the JPEG decoder for: the screen fit whichever way up (EXIF comes later)."""
    side = max(SCREEN_BOX)
    return fit_size(size, (side, side))


def fit_size(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with the same aspect ratio that fits in ``box``; never enlarges."""
    width, height = size
    scale = min(box[0] / width, box[1] / height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def shrink(im: Image.Image, box: tuple[int, int]) -> Image.Image:
    """Resize ``im`` to fit in ``box`` (or return it as it is when it already fits)."""
    size = fit_size(im.size, box)
    return im if size == im.size else im.resize(size, RESAMPLE, reducing_gap=REDUCING_GAP)


def encode_jpeg(im: Image.Image) -> bytes:
    """Encode as a JPEG with no EXIF, GPS, ICC, XMP or comment: nothing but pixels."""
    im.info = {}  # Pillow copies some metadata (the JPEG comment) from ``info`` otherwise
    out = io.BytesIO()
    im.save(out, "JPEG", quality=JPEG_QUALITY, progressive=PROGRESSIVE)
    return out.getvalue()
