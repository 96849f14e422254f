"""The derivative design the benchmark chose: the JPEG draft scale lands on the screen size,
so phone photos are decoded once at 1/4 and only the thumbnail is resampled."""
import io

import pytest
from PIL import Image

from media import derivatives
from media.derivatives import make_derivatives
from media.testing import encode, quadrant_picture


def _resized_from(monkeypatch) -> list[tuple[int, int]]:
    """Record the size of every image Pillow resamples."""
    seen = []
    real = Image.Image.resize

    def spy(im, size, *args, **kwargs):
        seen.append(im.size)
        return real(im, size, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "resize", spy)
    return seen


@pytest.mark.parametrize(("camera", "screen"), [
    ((4000, 3000), (1000, 750)),  # 12 MP, 4:3
    ((4032, 3024), (1008, 756)),  # iPhone 12 MP: the 1/4 decode is kept as it is
    ((4080, 3060), (1020, 765)),  # Galaxy 12.5 MP
    ((4000, 2250), (1000, 563)),  # 16:9 (the decoder rounds up)
])
def test_phone_photos_need_no_screen_resize(monkeypatch, camera, screen):
    photo = encode(quadrant_picture(camera), "JPEG", quality=85)
    resized = _resized_from(monkeypatch)
    out = make_derivatives(photo)
    assert resized == [screen]  # only the thumbnail, made from the screen image
    with Image.open(io.BytesIO(out["screen"])) as im:
        assert im.size == screen and not im.info.get("progressive")
    with Image.open(io.BytesIO(out["thumb"])) as im:
        assert max(im.size) == derivatives.THUMB_SIDE


def test_a_draft_far_above_the_screen_size_is_fitted(monkeypatch):
    photo = encode(quadrant_picture((3264, 2448)), "JPEG", quality=85)  # 8 MP: 1/2 is 1632
    resized = _resized_from(monkeypatch)
    out = make_derivatives(photo)
    assert resized[0] == (1632, 1224)
    with Image.open(io.BytesIO(out["screen"])) as im:
        assert im.size == (1000, 750)


def test_formats_without_draft_are_fitted_to_the_screen_side():
    out = make_derivatives(encode(quadrant_picture((3000, 2000)), "PNG"))
    with Image.open(io.BytesIO(out["screen"])) as im:
        assert im.size == (1000, 667)


def test_design_constants_and_profile():
    assert (derivatives.SCREEN_SIDE, derivatives.THUMB_SIDE) == (1000, 320)
    assert derivatives.SCREEN_SIDE * derivatives.SCREEN_SLACK == 1250
    assert (derivatives.PROGRESSIVE, derivatives.OPTIMIZE) == (False, False)
    assert derivatives.PROFILE == "s1000t320q82"
