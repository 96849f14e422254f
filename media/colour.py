"""Bring any decoded photo to 8-bit sRGB: colour profiles, transparency, odd modes."""

import functools
import io

from PIL import Image, ImageCms

MAX_ICC_BYTES = 1 << 20
BACKGROUND = (255, 255, 255)  # transparent areas of screenshots show as white, not black
STRIP_PIXELS = 1 << 20  # large pictures are converted a strip of about 1 MP at a time


def to_srgb(im: Image.Image, factor: int = 1) -> Image.Image:
    """Return an RGB image in sRGB, box-reduced by ``factor``; ``im`` itself when it already
    is one at factor 1 (it gets loaded). Large pictures are converted in strips, so that no
    full-size copy is made besides the decoded picture itself."""
    im.load()
    width, height = im.size
    if factor == 1 and width * height <= STRIP_PIXELS:
        return _strip_to_srgb(im)
    rows = max(1, STRIP_PIXELS // width // factor) * factor  # whole reduce boxes per strip
    out = Image.new("RGB", (-(-width // factor), -(-height // factor)))
    for top in range(0, height, rows):
        strip = _strip_to_srgb(im.crop((0, top, width, min(height, top + rows))))
        out.paste(strip.reduce(factor) if factor > 1 else strip, (0, top // factor))
    return out


def _strip_to_srgb(im: Image.Image) -> Image.Image:
    """Convert a (part of a) picture to sRGB."""
    icc = im.info.get("icc_profile")
    if icc and im.mode in ("RGB", "CMYK", "L") and len(icc) <= MAX_ICC_BYTES:
        converted = _convert_profile(im, icc)
        if converted is not None:
            return converted
    return _to_rgb(im)


def _convert_profile(im: Image.Image, icc: bytes) -> Image.Image | None:
    """Apply the embedded ICC profile towards sRGB; None when the profile is unusable."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(im, source, _srgb(), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    """The built-in sRGB profile, made once."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_rgb(im: Image.Image) -> Image.Image:
    """Plain mode conversion: alpha over white, 16-bit scaled down, palettes expanded."""
    if im.mode == "RGB":
        return im
    if im.mode.startswith("I"):  # "I", "I;16", "I;16B": 16-bit greyscale PNG
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    if im.has_transparency_data:
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", im.size, BACKGROUND)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im.convert("RGB")
