"""Hostile bytes: damaged photos may be refused, but only ever with a MediaError."""

import contextlib
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from media.derivatives import make_derivatives
from media.errors import MediaError
from media.images import register_heif
from media.inspect import ImageInfo, inspect_image
from media.testing import IPHONE, encode, exif_bytes, quadrant_picture

LIMITS = {"max_bytes": 1 << 20, "max_pixels": 4_000_000}


def _seeds() -> dict[str, bytes]:
    """Small valid photos of every allowed format, with EXIF, to damage."""
    register_heif()
    picture = Image.merge("RGB", [Image.effect_noise((48, 32), 30).convert("L")] * 3)
    seeds = {fmt: encode(picture, fmt, exif=exif_bytes(IPHONE)) for fmt in ("JPEG", "PNG", "WEBP")}
    seeds["JPEG-progressive"] = encode(quadrant_picture((48, 32)), "JPEG", progressive=True)
    with contextlib.suppress(KeyError, OSError, ValueError):  # no HEVC encoder in this build
        seeds["HEIF"] = encode(picture, "HEIF", exif=exif_bytes(IPHONE))
    return seeds


SEEDS = _seeds()


@st.composite
def damaged(draw) -> bytes:
    """A seed photo with a few bytes overwritten, then possibly cut short."""
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(1, 6))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    cut = draw(st.one_of(st.just(len(data)), st.integers(len(data) // 2, len(data))))
    return bytes(data[:cut])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_photos_pass_whole_or_fail_with_a_media_error(data):
    try:
        info = inspect_image(io.BytesIO(data), **LIMITS)
    except MediaError as exc:
        assert exc.code in {"corrupt_image", "unsupported_type", "too_many_pixels"}
        return
    assert isinstance(info, ImageInfo)
    try:
        make_derivatives(data, max_pixels=LIMITS["max_pixels"])
    except MediaError as exc:  # inspection passed, so only a decode quirk may stop it
        assert exc.code == "corrupt_image"


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_undamaged_seeds_pass(fmt):
    assert inspect_image(SEEDS[fmt], **LIMITS).format == fmt.split("-")[0]
