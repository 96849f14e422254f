"""Image bombs: small files declaring a lot of work. Inspection never decodes them; the
derivatives decode only what fits in max_decode_bytes; the peak RSS of a process doing
either is measured here, in a child process, against the bound docs/media.md states."""

import functools
import io
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from media.derivatives import make_derivatives
from media.errors import MediaError
from media.images import DEFAULT_MAX_DECODE_BYTES, DEFAULT_MAX_PIXELS
from media.inspect import inspect_image
from media.structure import DEFAULT_MAX_SCANS, MAX_SEGMENTS
from media.testing import encode, many_scans_jpeg, png_bomb

MIB = 1 << 20
# Working memory beside the decoded picture (docs/media.md): the strip being converted, the
# box-reduced picture (at most 3000x3000 RGB), the encoders.
WORKING_BYTES = 64 * MIB
ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, sys
from media.derivatives import make_derivatives
from media.errors import MediaError
from media.inspect import inspect_image
action, path, limits = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
try:
    if action == "inspect":
        inspect_image(path, max_bytes=1 << 25, **limits)
    elif action == "derive":
        made = make_derivatives(path, **{k: v for k, v in limits.items() if k != "max_scans"})
        assert set(made) == {"screen", "thumb"}
    code = None
except MediaError as error:
    code = error.code
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps([code, peak * 1024]))
"""


def run_child(action: str, path: Path | None = None, **limits) -> tuple[str | None, int]:
    """Run inspection or the derivatives in a fresh process; (refusal code, peak RSS bytes).

    The peak is the child's VmHWM (Linux): the high-water RSS of its own memory. Not
    ru_maxrss: Linux carries the parent's RSS at fork into the child's ru_maxrss across
    exec, so a child of a big test process would report the parent's size."""
    limits = {"max_pixels": DEFAULT_MAX_PIXELS, "max_decode_bytes": DEFAULT_MAX_DECODE_BYTES,
              "max_scans": DEFAULT_MAX_SCANS, **limits}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, action, str(path or ""), json.dumps(limits)],
        cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False)
    assert child.returncode == 0, child.stderr.decode()
    code, peak = json.loads(child.stdout)
    return code, peak


@functools.cache
def baseline() -> int:
    """Peak RSS of the same child that imports the pipeline and does nothing."""
    return run_child("nothing")[1]


def extra_peak(action: str, path: Path, **limits) -> tuple[str | None, int]:
    """(refusal code, peak RSS above the baseline) of ``action`` on ``path``."""
    code, peak = run_child(action, path, **limits)
    return code, peak - baseline()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_reported_png_bomb_is_refused_from_its_header_in_both_steps(tmp_path):
    bomb = write(tmp_path, "zeros.png", png_bomb(8944, 8944))  # RGBA: 305 MiB decoded
    assert len(bomb.read_bytes()) < 320_000
    for action in ("inspect", "derive"):
        code, extra = extra_peak(action, bomb)
        assert code == "decode_too_large"
        assert extra < 16 * MIB, f"{action} took {extra // MIB} MiB to refuse it"


def test_largest_accepted_png_stays_within_the_decode_bound(tmp_path):
    bomb = write(tmp_path, "zeros.png", png_bomb(8000, 8000))  # RGBA: 244 MiB decoded
    code, extra = extra_peak("inspect", bomb)
    assert code is None and extra < 16 * MIB  # inspection decodes nothing
    code, extra = extra_peak("derive", bomb)
    assert code is None
    assert extra <= 8000 * 8000 * 4 + WORKING_BYTES, f"{extra // MIB} MiB"


@pytest.mark.parametrize(
    ("name", "width", "height", "colour_type", "bit_depth"),
    [  # each just fits in 64 MiB (16 MiB for 1-byte modes); twice as wide does not
        ("16-bit RGBA", 4000, 4000, 6, 16),
        ("16-bit RGB", 4000, 4000, 2, 16),
        ("16-bit grey", 5700, 5700, 0, 16),
        ("palette", 4000, 4000, 3, 8),
        ("grey with alpha", 4000, 4000, 4, 8),
        ("1-bit", 3999, 3999, 0, 1),
    ],
)
def test_png_variants_decode_within_the_bound_or_are_refused_from_the_header(
        tmp_path, name, width, height, colour_type, bit_depth):
    budget = 16 * MIB if colour_type == 3 or bit_depth == 1 else 64 * MIB
    bomb = write(tmp_path, "bomb.png", png_bomb(width, height, colour_type=colour_type,
                                                 bit_depth=bit_depth))
    code, extra = extra_peak("derive", bomb, max_decode_bytes=budget)
    assert code is None, name
    assert extra <= budget + WORKING_BYTES, f"{name}: {extra // MIB} MiB"
    twice = write(tmp_path, "twice.png", png_bomb(width * 2, height, colour_type=colour_type,
                                                  bit_depth=bit_depth))
    for action in ("inspect", "derive"):
        code, extra = extra_peak(action, twice, max_decode_bytes=budget)
        assert code == "decode_too_large", name
        assert extra < 16 * MIB


def test_webp_decodes_within_the_bound_or_is_refused(tmp_path):
    budget = 64 * MIB  # libwebp and Pillow hold about four copies of a WebP frame
    fits = write(tmp_path, "fits.webp", encode(Image.new("RGBA", (2000, 2000)), "WEBP",
                                               lossless=True))
    code, extra = extra_peak("derive", fits, max_decode_bytes=budget)
    assert code is None and extra <= budget + WORKING_BYTES, f"{extra // MIB} MiB"
    big = write(tmp_path, "big.webp", encode(Image.new("RGBA", (3000, 3000)), "WEBP",
                                             lossless=True))
    assert extra_peak("inspect", big, max_decode_bytes=budget)[0] == "decode_too_large"


def test_heic_decodes_within_the_bound_or_is_refused(tmp_path, heif_encoder):
    budget = 32 * MIB  # libheif keeps its planes and an RGB buffer beside Pillow's copy
    heic = write(tmp_path, "photo.heic", encode(Image.new("RGB", (2000, 1500), "grey"),
                                                "HEIF", quality=30))
    code, extra = extra_peak("derive", heic, max_decode_bytes=budget)
    assert code is None and extra <= budget + WORKING_BYTES, f"{extra // MIB} MiB"
    code, _extra = extra_peak("inspect", heic, max_decode_bytes=budget // 2)
    assert code == "decode_too_large"


def test_the_reported_many_scan_jpeg_is_refused_before_decoding(tmp_path):
    bomb = write(tmp_path, "scans.jpg", many_scans_jpeg((4000, 3000), 2000))
    assert len(bomb.read_bytes()) < 130_000
    code, extra = extra_peak("inspect", bomb)
    assert code == "too_many_scans" and extra < 16 * MIB


@pytest.mark.parametrize("repeats", [0, DEFAULT_MAX_SCANS - 20])
def test_progressive_jpeg_within_the_scan_limit_passes(repeats):
    data = many_scans_jpeg((640, 480), repeats)
    info = inspect_image(io.BytesIO(data), max_bytes=1 << 25, max_pixels=DEFAULT_MAX_PIXELS)
    assert info.width == 640
    assert set(make_derivatives(data)) == {"screen", "thumb"}


def test_scan_limit_is_counted_from_the_markers():
    data = many_scans_jpeg((64, 48), 0)
    scans = data.count(b"\xff\xda")
    inspect_image(data, max_bytes=1 << 20, max_pixels=10**6, max_scans=scans)
    with pytest.raises(MediaError) as refused:
        inspect_image(data, max_bytes=1 << 20, max_pixels=10**6, max_scans=scans - 1)
    assert refused.value.code == "too_many_scans"


def test_progressive_jpeg_coefficients_count_against_the_decode_bound():
    """A progressive JPEG keeps every coefficient of the full image while it decodes, even
    when it is drafted down: 2 bytes x 64 per block, 4:2:0 -> 1.5 blocks per 64 pixels."""
    baseline_jpeg = encode(Image.new("RGB", (4000, 3000)), "JPEG")
    progressive = encode(Image.new("RGB", (4000, 3000)), "JPEG", progressive=True)
    coefficients = 4000 * 3000 * 3 // 2 * 2  # 36 MB
    limits = {"max_bytes": 1 << 25, "max_pixels": DEFAULT_MAX_PIXELS,
              "max_decode_bytes": coefficients}
    inspect_image(baseline_jpeg, **limits)
    with pytest.raises(MediaError) as refused:
        inspect_image(progressive, **limits)
    assert refused.value.code == "decode_too_large"
    inspect_image(progressive, **{**limits, "max_decode_bytes": coefficients + 8 * MIB})


def test_extraneous_bytes_between_jpeg_segments_are_skipped_as_libjpeg_does():
    data = encode(Image.new("RGB", (64, 48), "red"), "JPEG")
    after_app0 = 4 + int.from_bytes(data[4:6], "big")
    padded = data[:after_app0] + b"\x00\x00junk" + data[after_app0:]
    assert inspect_image(padded, max_bytes=1 << 20, max_pixels=10**6).width == 64
    with pytest.raises(MediaError) as refused:
        inspect_image(padded[:-2], max_bytes=1 << 20, max_pixels=10**6)
    assert refused.value.code == "corrupt_image"


def _png_chunk(kind: bytes, data: bytes = b"") -> bytes:
    body = kind + data
    return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")


def _many_parts(fmt: str) -> bytes:
    """Small files made of more parts than MAX_SEGMENTS: Pillow reads each in Python."""
    many = MAX_SEGMENTS + 1
    png = encode(Image.new("L", (16, 16)), "PNG")
    jpeg = encode(Image.new("RGB", (16, 16)), "JPEG")
    ihdr_end = 8 + 25
    return {
        "PNG chunks before the data": png[:ihdr_end] + _png_chunk(b"prVt") * many
        + png[ihdr_end:],
        "PNG chunks after the data": png[:-12] + _png_chunk(b"IDAT") * many + png[-12:],
        "JPEG comments": jpeg[:2] + b"\xff\xfe\x00\x02" * many + jpeg[2:],
        "HEIC boxes": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
        + b"\x00\x00\x00\x08free" * many,
    }[fmt]


@pytest.mark.parametrize("fmt", ["PNG chunks before the data", "PNG chunks after the data",
                                 "JPEG comments", "HEIC boxes"])
def test_files_of_countless_parts_are_refused_before_pillow_reads_them(fmt, monkeypatch):
    def no_pillow(*args, **kwargs):
        raise AssertionError("Pillow read a file of countless parts")

    monkeypatch.setattr(Image, "open", no_pillow)
    with pytest.raises(MediaError) as refused:
        inspect_image(_many_parts(fmt), max_bytes=1 << 25, max_pixels=10**6)
    assert refused.value.code == "too_many_segments"


@pytest.mark.parametrize("padding", [b"\xff", b"\x00"])
def test_megabytes_of_padding_between_jpeg_segments_are_refused(padding):
    data = encode(Image.new("RGB", (16, 16)), "JPEG")
    after_app0 = 4 + int.from_bytes(data[4:6], "big")
    padded = data[:after_app0] + padding * 2_000_000 + data[after_app0:]
    with pytest.raises(MediaError) as refused:
        inspect_image(padded, max_bytes=1 << 25, max_pixels=10**6)
    assert refused.value.code == "corrupt_image"
    fine = data[:after_app0] + padding * 100 + data[after_app0:]
    assert inspect_image(fine, max_bytes=1 << 25, max_pixels=10**6).width == 16
