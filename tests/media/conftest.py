"""Fixtures for the media tests: photo files on disk, and a loud skip where HEIC cannot be made."""

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from media.images import register_heif
from media.testing import encode, exif_bytes, quadrant_picture


@pytest.fixture
def make_photo(tmp_path: Path) -> Callable[..., Path]:
    """Write a photo file; the name's extension is deliberately unrelated to the content."""
    counter = iter(range(10_000))

    def make(
        fmt: str = "JPEG",
        *,
        layout: dict | None = None,
        size: tuple[int, int] = (400, 300),
        image: Image.Image | None = None,
        name: str | None = None,
        **params,
    ) -> Path:
        picture = image if image is not None else quadrant_picture(size)
        if layout is not None:
            params["exif"] = exif_bytes(layout)
        path = tmp_path / (name or f"upload-{next(counter)}.bin")
        path.write_bytes(encode(picture, fmt, **params))
        return path

    return make


@pytest.fixture
def heif_encoder() -> None:
    """Skip, loudly, where this libheif build cannot encode HEIC."""
    import pillow_heif

    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("HEIC ENCODER MISSING: libheif has no HEVC encoder, HEIC tests not run")
    register_heif()
