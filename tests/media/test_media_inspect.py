"""inspect_image: real type by content, complete decoding, bombs refused, EXIF facts read."""

import io
import struct
import zlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from PIL import Image, ImageFile

from media.errors import MediaError
from media.inspect import ImageInfo, inspect_image
from media.testing import (
    DIGITIZED_ONLY,
    GALAXY,
    IPHONE,
    OLD_COMPACT,
    PIXEL_RIO,
    encode,
)

LIMITS = {"max_bytes": 20 * 1024 * 1024, "max_pixels": 50_000_000}


def refused(source, **limits) -> str:
    """The MediaError code inspect_image raises for ``source``."""
    with pytest.raises(MediaError) as caught:
        inspect_image(source, **{**LIMITS, **limits})
    return caught.value.code


def test_iphone_layout_gives_aware_time_position_accuracy_and_shown_size(make_photo):
    info = inspect_image(make_photo(layout=IPHONE), **LIMITS)
    assert (info.format, info.mime, info.width, info.height) == ("JPEG", "image/jpeg", 300, 400)
    assert info.orientation == 6
    assert info.captured_at == datetime(2025, 6, 14, 9, 41, 7, 482000, timezone(timedelta(hours=9)))
    assert info.captured_at_raw == "2025:06:14 09:41:07"
    assert info.latitude == pytest.approx(37 + 33 / 60 + 59.4 / 3600)
    assert info.longitude == pytest.approx(126 + 58 / 60 + 41.2 / 3600)
    assert info.altitude_m == pytest.approx(38.2)
    assert info.gps_accuracy_m == pytest.approx(4.7)
    assert (info.camera_make, info.camera_model) == ("Apple", "iPhone 15 Pro")


def test_galaxy_layout_gives_naive_time_and_altitude_below_sea_level(make_photo):
    info = inspect_image(make_photo(layout=GALAXY), **LIMITS)
    assert info.captured_at == datetime(2025, 3, 2, 18, 5, 59)
    assert info.captured_at.tzinfo is None
    assert info.altitude_m == pytest.approx(-2.5)
    assert info.gps_accuracy_m is None
    assert (info.width, info.height, info.orientation) == (400, 300, 1)
    assert info.camera_make == "samsung"


def test_southern_and_western_hemispheres_are_negative(make_photo):
    info = inspect_image(make_photo(layout=PIXEL_RIO), **LIMITS)
    assert info.latitude == pytest.approx(-(22 + 54 / 60 + 30 / 3600))
    assert info.longitude == pytest.approx(-(43 + 10 / 60 + 21 / 3600))
    assert info.captured_at.utcoffset() == timedelta(hours=-3)
    assert (info.width, info.height, info.orientation) == (400, 300, 3)


def test_camera_without_capture_time_or_gps(make_photo):
    info = inspect_image(make_photo(layout=OLD_COMPACT), **LIMITS)
    assert info.captured_at is None and info.captured_at_raw is None  # IFD0 DateTime is ignored
    assert info.latitude is None and info.longitude is None and info.altitude_m is None
    assert (info.width, info.height, info.orientation) == (300, 400, 8)
    assert info.camera_model == "Canon PowerShot G7 X"


def test_digitized_time_stands_in_for_a_missing_original_time(make_photo):
    info = inspect_image(make_photo(layout=DIGITIZED_ONLY), **LIMITS)
    assert info.captured_at == datetime(2023, 8, 1, 7, 0, 0)
    assert info.orientation is None


def test_photo_without_any_exif(make_photo):
    info = inspect_image(make_photo(), **LIMITS)
    assert info == ImageInfo(format="JPEG", mime="image/jpeg", width=400, height=300,
                             size_bytes=info.size_bytes)
    assert info.size_bytes > 0


@pytest.mark.parametrize(
    ("fmt", "mime"), [("PNG", "image/png"), ("WEBP", "image/webp"), ("JPEG", "image/jpeg")]
)
def test_each_allowed_format_with_exif(make_photo, fmt, mime):
    info = inspect_image(make_photo(fmt, layout=PIXEL_RIO), **LIMITS)
    assert (info.format, info.mime) == (fmt, mime)
    assert info.latitude < 0 and info.longitude < 0
    assert info.camera_model == "Pixel 8"


def test_heic_reports_original_orientation_and_already_rotated_size(make_photo, heif_encoder):
    info = inspect_image(make_photo("HEIF", layout=IPHONE, quality=90), **LIMITS)
    assert (info.format, info.mime) == ("HEIF", "image/heic")
    assert (info.width, info.height, info.orientation) == (300, 400, 6)
    assert info.latitude == pytest.approx(37.566, abs=1e-3)
    assert info.captured_at.utcoffset() == timedelta(hours=9)


def test_accepts_bytes_and_streams_as_well_as_paths(make_photo):
    data = make_photo(layout=GALAXY).read_bytes()
    assert inspect_image(data, **LIMITS) == inspect_image(io.BytesIO(data), **LIMITS)


def test_the_name_does_not_matter_png_bytes_called_jpg_are_a_png(make_photo):
    info = inspect_image(make_photo("PNG", name="photo.jpg"), **LIMITS)
    assert (info.format, info.mime) == ("PNG", "image/png")


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<!DOCTYPE html><html><body><script>fetch('/api/admin')</script></body></html>",
        b"#!/bin/sh\nrm -rf /\n",
        b"%PDF-1.7\n1 0 obj\n",
        b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf",  # AVIF is not HEIC
    ],
    ids=["svg", "html", "script", "pdf", "avif"],
)
def test_non_images_called_jpg_are_unsupported(tmp_path, content):
    path = tmp_path / "photo.jpg"
    path.write_bytes(content)
    assert refused(path) == "unsupported_type"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
def test_image_formats_outside_the_allow_list_are_unsupported(make_photo, fmt):
    assert refused(make_photo(fmt, size=(64, 48), name="photo.jpg")) == "unsupported_type"


def test_jpeg_magic_followed_by_html_is_corrupt(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>")
    assert refused(path) == "corrupt_image"


def test_animated_png_and_webp_are_not_photos():
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "blue")]
    for fmt in ("PNG", "WEBP"):
        data = encode(frames[0], fmt, save_all=True, append_images=frames[1:])
        assert refused(data) == "unsupported_type"


def test_size_limit_and_empty_file(make_photo, tmp_path):
    photo = make_photo()
    assert refused(photo, max_bytes=photo.stat().st_size - 1) == "too_large"
    assert inspect_image(photo, **{**LIMITS, "max_bytes": photo.stat().st_size}).width == 400
    (tmp_path / "empty.jpg").write_bytes(b"")
    assert refused(tmp_path / "empty.jpg") == "empty_file"


@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9, 0.995])
def test_truncated_jpeg_is_corrupt(make_photo, progressive, keep):
    data = make_photo(quality=90, progressive=progressive, image=_busy((640, 480))).read_bytes()
    assert refused(data[: int(len(data) * keep)]) == "corrupt_image"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_truncated_png_and_webp_are_corrupt(make_photo, fmt):
    data = make_photo(fmt, image=_busy((320, 240))).read_bytes()
    assert refused(data[: len(data) * 2 // 3]) == "corrupt_image"


def test_truncated_heic_is_corrupt(make_photo, heif_encoder):
    data = make_photo("HEIF", image=_busy((320, 240))).read_bytes()
    assert refused(data[: len(data) * 2 // 3]) == "corrupt_image"


def test_png_with_a_damaged_data_chunk_is_corrupt(make_photo):
    data = bytearray(make_photo("PNG", image=_busy((320, 240))).read_bytes())
    idat = data.index(b"IDAT")
    data[idat + 40] ^= 0xFF  # the chunk's CRC no longer matches
    assert refused(bytes(data)) == "corrupt_image"


def test_refuses_to_run_if_pillow_would_accept_truncated_files(make_photo, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        inspect_image(make_photo(), **LIMITS)


def test_png_declaring_ten_billion_pixels_is_refused_from_its_header():
    assert refused(_png_header_only(100_000, 100_000)) == "too_many_pixels"


def test_jpeg_declaring_huge_dimensions_is_refused_from_its_header(make_photo):
    data = bytearray(make_photo(size=(64, 48)).read_bytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60_000, 60_000)
    assert refused(bytes(data)) == "too_many_pixels"


def test_small_file_of_many_pixels_is_refused_before_any_decoding(monkeypatch):
    bomb = encode(Image.new("L", (8000, 8000)), "PNG", optimize=True)  # 64 MP in ~60 kB
    assert len(bomb) < 100_000

    def no_decoding(self):
        raise AssertionError("decoded a decompression bomb")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    assert refused(bomb, max_pixels=20_000_000) == "too_many_pixels"


def test_pixel_limit_is_inclusive(make_photo):
    assert inspect_image(make_photo(), **{**LIMITS, "max_pixels": 400 * 300}).width == 400
    assert refused(make_photo(), max_pixels=400 * 300 - 1) == "too_many_pixels"


def test_a_pixel_limit_above_pillows_own_is_a_configuration_error(make_photo):
    with pytest.raises(ValueError, match="MAX_IMAGE_PIXELS"):
        inspect_image(make_photo(), max_bytes=10**9, max_pixels=Image.MAX_IMAGE_PIXELS + 1)


def test_gps_time_is_the_satellite_clock_in_utc(make_photo):
    stamp = ("2025:03:02", (9.0, 5.0, 58.5))
    layout = {**GALAXY, "gps": {**GALAXY["gps"], "stamp": stamp}}
    info = inspect_image(make_photo(layout=layout), **LIMITS)
    assert info.gps_time == datetime(2025, 3, 2, 9, 5, 58, 500000, UTC)


def _busy(size: tuple[int, int]) -> Image.Image:
    """A picture with detail, so every format spreads it over many bytes."""
    return Image.merge(
        "RGB", [Image.effect_noise(size, 40 + 10 * i).convert("L") for i in range(3)]
    )


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk declaring the given size, then a tiny IDAT and IEND."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
