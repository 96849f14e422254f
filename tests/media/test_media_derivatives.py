"""make_derivatives: right sizes, right way up, nothing but pixels left in the JPEGs."""

import io

import pytest
from PIL import Image, ImageCms

from media import derivatives
from media.derivatives import SCREEN_BOX, THUMB_BOX, fit_size, make_derivatives
from media.errors import MediaError
from media.testing import BLUE, IPHONE, OLD_COMPACT, PIXEL_RIO, RED, encode, quadrant_picture

# Where the stored top-left red quarter must appear once the orientation is applied.
RED_CORNER = {1: "top-left", 3: "bottom-right", 6: "top-right", 8: "bottom-left"}


def opened(data: bytes) -> Image.Image:
    """Decode a derivative completely."""
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def red_corner(im: Image.Image) -> str:
    """Which quarter of ``im`` is red (the others must be blue)."""
    w, h = im.size
    corners = {
        "top-left": (w // 4, h // 4),
        "top-right": (3 * w // 4, h // 4),
        "bottom-left": (w // 4, 3 * h // 4),
        "bottom-right": (3 * w // 4, 3 * h // 4),
    }
    red = [name for name, xy in corners.items() if _close(im.getpixel(xy), RED)]
    blue = [name for name, xy in corners.items() if _close(im.getpixel(xy), BLUE)]
    assert len(red) == 1 and len(blue) == 3, (red, blue)
    return red[0]


def _close(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def assert_no_metadata(im: Image.Image) -> None:
    """No EXIF (so no GPS), no ICC profile, no XMP, no comment: a bare baseline JPEG."""
    assert im.format == "JPEG" and im.mode == "RGB"
    assert len(im.getexif()) == 0
    assert not im.getexif().get_ifd(0x8825)
    for key in ("exif", "icc_profile", "xmp", "comment", "XML:com.adobe.xmp"):
        assert key not in im.info
    assert not im.info.get("progressive")


@pytest.mark.parametrize(
    ("layout", "turn"), [(None, 1), (PIXEL_RIO, 3), (IPHONE, 6), (OLD_COMPACT, 8)]
)
def test_orientation_is_applied_and_metadata_stripped(make_photo, layout, turn):
    out = make_derivatives(make_photo(layout=layout, size=(400, 300)))
    assert set(out) == {"screen", "thumb"}
    screen, thumb = opened(out["screen"]), opened(out["thumb"])
    upright = turn in (1, 3)
    assert screen.size == ((400, 300) if upright else (300, 400))
    assert thumb.size == ((320, 240) if upright else (240, 320))
    assert red_corner(screen) == red_corner(thumb) == RED_CORNER[turn]
    assert_no_metadata(screen)
    assert_no_metadata(thumb)


def test_twelve_megapixel_portrait_decodes_at_draft_scale(make_photo, monkeypatch):
    photo = make_photo(layout=IPHONE, size=(4000, 3000), quality=85)
    decoded_sizes = []
    real_load = Image.Image.resize

    def spy(im, size, *args, **kwargs):
        decoded_sizes.append(im.size)
        return real_load(im, size, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "resize", spy)
    out = make_derivatives(photo)
    # decoded at 1/4 (1000x750, turned upright) is the screen image: only the thumb resizes
    assert decoded_sizes == [(750, 1000)]
    screen, thumb = opened(out["screen"]), opened(out["thumb"])
    assert (screen.size, thumb.size) == ((750, 1000), (240, 320))
    assert red_corner(screen) == red_corner(thumb) == "top-right"
    assert_no_metadata(screen)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_other_formats_with_exif_orientation(make_photo, fmt):
    out = make_derivatives(make_photo(fmt, layout=IPHONE, size=(2000, 1500)))
    screen = opened(out["screen"])
    assert screen.size == (750, 1000)
    assert red_corner(screen) == "top-right"
    assert_no_metadata(screen)


def test_heic_is_turned_once_not_twice(make_photo, heif_encoder):
    out = make_derivatives(make_photo("HEIF", layout=IPHONE, size=(400, 300), quality=90))
    screen = opened(out["screen"])
    assert screen.size == (300, 400)
    assert red_corner(screen) == "top-right"
    assert_no_metadata(screen)


def test_transparent_png_is_flattened_on_white(make_photo):
    picture = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
    picture.paste((255, 0, 0, 255), (0, 0, 32, 24))
    screen = opened(make_derivatives(make_photo("PNG", image=picture))["screen"])
    assert _close(screen.getpixel((48, 36)), (255, 255, 255), 8)
    assert _close(screen.getpixel((8, 8)), (255, 0, 0))


@pytest.mark.parametrize("mode", ["L", "P", "I;16", "LA", "1"])
def test_unusual_png_modes_become_rgb(make_photo, mode):
    base = quadrant_picture((64, 48))
    image = base.convert("P") if mode == "P" else base.convert("L").convert(mode)
    screen = opened(make_derivatives(make_photo("PNG", image=image))["screen"])
    assert screen.mode == "RGB" and screen.size == (64, 48)


def test_cmyk_jpeg_becomes_rgb(make_photo):
    screen = opened(
        make_derivatives(make_photo(image=quadrant_picture((64, 48), "CMYK")))["screen"]
    )
    assert red_corner(screen) == "top-left"


@pytest.mark.parametrize("icc", [b"not a profile at all" * 10, "sRGB"])
def test_colour_profile_is_applied_or_ignored_then_dropped(make_photo, icc):
    if icc == "sRGB":
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    photo = make_photo(icc_profile=icc, size=(64, 48))
    with Image.open(photo) as source:
        assert source.info["icc_profile"] == icc
    screen = opened(make_derivatives(photo)["screen"])
    assert "icc_profile" not in screen.info
    assert red_corner(screen) == "top-left"


def test_comment_and_xmp_of_the_source_are_not_copied(make_photo):
    photo = make_photo(comment=b"<script>alert(1)</script>", xmp=b"<x:xmpmeta>secret</x:xmpmeta>")
    for data in make_derivatives(photo).values():
        assert b"script" not in data and b"secret" not in data
        assert_no_metadata(opened(data))


def test_gps_bytes_do_not_survive_anywhere_in_the_output(make_photo):
    photo = make_photo(layout=IPHONE)
    assert b"iPhone 15 Pro" in photo.read_bytes()
    for data in make_derivatives(photo).values():
        assert b"iPhone" not in data and b"Exif" not in data


def test_small_photos_are_never_enlarged(make_photo):
    out = make_derivatives(make_photo(size=(200, 100)))
    assert opened(out["screen"]).size == (200, 100)
    assert opened(out["thumb"]).size == (200, 100)


def test_fit_size():
    assert fit_size((4000, 3000), SCREEN_BOX) == (1000, 750)
    assert fit_size((3024, 4032), SCREEN_BOX) == (750, 1000)
    assert fit_size((1600, 1200), THUMB_BOX) == (320, 240)
    assert fit_size((100_000, 10), THUMB_BOX) == (320, 1)
    assert fit_size((300, 200), THUMB_BOX) == (300, 200)


def test_refuses_what_inspection_refuses(tmp_path, make_photo):
    with pytest.raises(MediaError) as caught:
        make_derivatives(b"<svg/>")
    assert caught.value.code == "unsupported_type"
    data = make_photo(size=(640, 480)).read_bytes()
    with pytest.raises(MediaError) as caught:
        make_derivatives(data[: len(data) // 2])
    assert caught.value.code == "corrupt_image"
    with pytest.raises(MediaError) as caught:
        make_derivatives(encode(Image.new("L", (5000, 5000)), "PNG"), max_pixels=1_000_000)
    assert caught.value.code == "too_many_pixels"


def test_sizes_and_quality_are_documented_constants():
    assert derivatives.SCREEN_BOX == (1000, 1000)
    assert derivatives.THUMB_BOX == (320, 320)
    assert 75 <= derivatives.JPEG_QUALITY <= 90


def test_multi_picture_jpeg_from_phones_uses_the_primary_picture(make_photo):
    from media.inspect import inspect_image

    second = Image.new("RGB", (400, 300), "green")
    photo = make_photo("MPO", layout=IPHONE, save_all=True, append_images=[second])
    assert inspect_image(photo, max_bytes=10**7, max_pixels=10**7).format == "JPEG"
    screen = opened(make_derivatives(photo)["screen"])
    assert red_corner(screen) == "top-right"
