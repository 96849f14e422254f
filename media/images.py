"""Open untrusted photos with Pillow: allow-listed formats only, pixels counted before decoding."""

import functools
from collections.abc import Iterator
from contextlib import contextmanager

import pillow_heif
from PIL import Image, ImageFile

from media.errors import CORRUPT_IMAGE, TOO_MANY_PIXELS, MediaError
from media.sniff import HEAD_BYTES, sniff_format
from media.sources import Source, open_source

# 80 MP: every phone camera mode up to 50 MP, under Pillow's own 89 MP warning threshold.
DEFAULT_MAX_PIXELS = 80_000_000


@contextmanager
def open_image(source: Source, *, max_pixels: int) -> Iterator[tuple[ImageFile.ImageFile, str]]:
    """Yield the opened, not yet decoded image and its sniffed format, or raise MediaError."""
    _check_pillow_is_strict(max_pixels)
    with open_source(source) as fp:
        fp.seek(0)
        fmt = sniff_format(fp.read(HEAD_BYTES))
        with decoding():
            im = Image.open(fp, formats=[fmt])
        with im:
            check_pixels(im.size, max_pixels)
            yield im, fmt


def check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    """Refuse an image whose header declares more pixels than allowed, or none at all."""
    width, height = size
    if width < 1 or height < 1:
        raise MediaError(CORRUPT_IMAGE, f"image header declares {width}x{height} pixels")
    if width * height > max_pixels:
        raise MediaError(TOO_MANY_PIXELS, f"{width}x{height} is more than {max_pixels} pixels")


@contextmanager
def decoding() -> Iterator[None]:
    """Turn whatever Pillow or a codec raises on hostile data into a MediaError."""
    try:
        yield
    except (MediaError, MemoryError):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError(TOO_MANY_PIXELS, str(exc)) from exc
    except Exception as exc:  # codecs raise anything from OSError to struct.error
        raise MediaError(CORRUPT_IMAGE, f"cannot decode image: {exc}") from exc


def _check_pillow_is_strict(max_pixels: int) -> None:
    """Fail loudly when Pillow is set up to accept truncated files or below our pixel limit."""
    register_heif()
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on: truncated photos would pass")
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and max_pixels > limit:
        raise ValueError(f"max_pixels {max_pixels} exceeds PIL.Image.MAX_IMAGE_PIXELS {limit}")


@functools.cache
def register_heif() -> None:
    """Teach Pillow HEIC, ignoring embedded thumbnails: they may show another picture."""
    pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
