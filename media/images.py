"""Open untrusted photos with Pillow: allow-listed formats only, pixels counted before decoding."""

import ctypes
import ctypes.util
import functools
from collections.abc import Iterator
from contextlib import contextmanager

import pillow_heif
from PIL import Image, ImageFile

from media.errors import CORRUPT_IMAGE, DECODE_TOO_LARGE, TOO_MANY_PIXELS, MediaError
from media.sniff import HEAD_BYTES, sniff_format
from media.sources import Source, open_source

# 80 MP: every phone camera mode up to 50 MP, under Pillow's own 89 MP warning threshold.
DEFAULT_MAX_PIXELS = 80_000_000
# Memory one decode may take: RGB(A) PNGs up to 67 MP, HEIC up to 33 MP, every baseline
# and 4:2:0 progressive JPEG up to the pixel limit (the figures: docs/media.md).
DEFAULT_MAX_DECODE_BYTES = 256 * 1024 * 1024
# Pillow keeps 1 byte per pixel for "1", "L", "P", 2 for 16-bit greyscale, 4 for all others
# (RGB too: its pixels are 32 bits wide), whatever the file's own bit depth.
_NARROW_MODES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
# Measured peaks over the decoded picture: libheif keeps its YCbCr planes and an RGB buffer
# beside Pillow's copy; Pillow's WebP decoder passes the frame through two more buffers.
_CODEC_COPIES = {"JPEG": 1, "PNG": 1, "WEBP": 4, "HEIF": 2}


@contextmanager
def open_image(source: Source, *, max_pixels: int) -> Iterator[tuple[ImageFile.ImageFile, str]]:
    """Yield the opened, not yet decoded image and its sniffed format, or raise MediaError."""
    _check_pillow_is_strict(max_pixels)
    with open_source(source) as fp:
        fp.seek(0)
        fmt = sniff_format(fp.read(HEAD_BYTES))
        with decoding():
            im = Image.open(fp, formats=[fmt])
        try:
            with im:
                check_pixels(im.size, max_pixels)
                yield im, fmt
        finally:
            # Free the decoded pixels now, not when a garbage collection finds the image:
            # ImageFile.close would also close the caller's file, Image.close does not.
            Image.Image.close(im)


def check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    """Refuse an image whose header declares more pixels than allowed, or none at all."""
    width, height = size
    if width < 1 or height < 1:
        raise MediaError(CORRUPT_IMAGE, f"image header declares {width}x{height} pixels")
    if width * height > max_pixels:
        raise MediaError(TOO_MANY_PIXELS, f"{width}x{height} is more than {max_pixels} pixels")


def plan_decode(im: ImageFile.ImageFile, fmt: str, box: tuple[int, int],
                max_decode_bytes: int) -> int:
    """Ask the JPEG decoder to scale down towards ``box`` (no-op for other formats), then
    refuse the image if that decode would need more than ``max_decode_bytes``; returns the
    bytes it will take. Reads the header only: nothing is decoded here."""
    coefficients = _jpeg_coefficient_bytes(im) if fmt == "JPEG" else 0
    if fmt == "JPEG":
        im.draft("RGB", box)
    width, height = im.size
    needed = coefficients + (width * height * _NARROW_MODES.get(im.mode, 4)
                             * _CODEC_COPIES.get(fmt, 1))
    if needed > max_decode_bytes:
        raise MediaError(DECODE_TOO_LARGE, f"decoding this {width}x{height} {im.mode} image "
                         f"would take {needed // 2**20} MiB, more than "
                         f"{max_decode_bytes // 2**20} MiB")
    return needed


def _jpeg_coefficient_bytes(im: ImageFile.ImageFile) -> int:
    """A progressive JPEG's decoder keeps every DCT coefficient (2 bytes) of the full image."""
    if not im.info.get("progressive"):
        return 0
    width, height = im.size
    layers = getattr(im, "layer", None) or [("", 1, 1, 0)]
    h_max = max(layer[1] for layer in layers)
    v_max = max(layer[2] for layer in layers)
    blocks = sum(-(-width * h // (h_max * 8)) * -(-height * v // (v_max * 8))
                 for _id, h, v, *_rest in layers)
    return blocks * 64 * 2


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


def release_memory() -> None:
    """Give the memory of a finished decode back to the system (glibc's malloc_trim).

    A decode in a server thread is allocated from that thread's malloc arena, and glibc keeps
    freed arena memory: four bombs decoded one after the other by four request threads
    would leave four decodes resident. Elsewhere (no glibc) this does nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, or None."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


@functools.cache
def register_heif() -> None:
    """Teach Pillow HEIC, ignoring embedded thumbnails: they may show another picture."""
    pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)
