"""Photo pipeline throughput against the JPEG decode limit: ``python -m bench media``."""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import ExifTags, Image

from media import derivatives
from media.derivatives import draft_size, encode_jpeg, fits_screen, make_derivatives, shrink
from media.inspect import inspect_image

SIZE = (4000, 3000)  # 12 MP, the common phone-camera default
LIMITS = {"max_bytes": 40 * 1024 * 1024, "max_pixels": 50_000_000}


def main(argv: list[str] | None = None) -> int:
    """Generate N photo-like 12 MP JPEGs, time the pipeline and the bare decode, print results."""
    args = _parse(argv)
    _configure(args)
    with tempfile.TemporaryDirectory(prefix="bench-media-") as tmp:
        paths = generate(Path(tmp), args.count)
        results = measure(paths, args.rounds)
    report(results, args)
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench media", description=__doc__)
    parser.add_argument("--count", type=int, default=20, help="photos to generate (default 20)")
    parser.add_argument("--rounds", type=int, default=5, help="timed passes; best is kept")
    parser.add_argument("--progressive", action="store_true", help="progressive, not baseline")
    parser.add_argument("--optimize", action="store_true", help="optimised Huffman tables")
    parser.add_argument("--screen-side", type=int, default=None, help="e.g. 1600 (old design)")
    parser.add_argument("--resample", choices=[r.name for r in Image.Resampling], default=None)
    return parser.parse_args(argv)


def _configure(args: argparse.Namespace) -> None:
    """Try alternatives without editing the pipeline (for comparisons only)."""
    derivatives.PROGRESSIVE = derivatives.PROGRESSIVE or args.progressive
    derivatives.OPTIMIZE = derivatives.OPTIMIZE or args.optimize
    if args.screen_side:
        derivatives.SCREEN_SIDE = args.screen_side
        derivatives.SCREEN_BOX = (args.screen_side, args.screen_side)
    if args.resample:
        derivatives.RESAMPLE = Image.Resampling[args.resample]


# Generating the photos, in worker processes so their memory is not counted as ours.


def generate(folder: Path, count: int) -> list[Path]:
    """Write ``count`` photo-like JPEGs with phone EXIF; half of them stored sideways."""
    paths = [folder / f"photo-{i:03}.jpg" for i in range(count)]
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
        list(pool.map(write_photo, paths, range(count)))
    return paths


def write_photo(path: Path, index: int) -> None:
    """One 12 MP picture of gradients, blotches and sensor-like grain, saved at quality 92."""
    path.write_bytes(_jpeg(_picture(index), _exif(index)))


def _picture(index: int) -> Image.Image:
    """Sky and light gradients, blotches, fine texture and grain: ~3.5 MB at quality 92."""
    w, h = SIZE
    sky = Image.linear_gradient("L").rotate(index * 37 % 360).resize(SIZE)
    light = Image.radial_gradient("L").resize(SIZE)
    blotches = Image.effect_noise((w // 16, h // 16), 50 + index % 20)
    texture = Image.effect_noise((w // 2, h // 2), 40)
    blotches = blotches.resize(SIZE, Image.Resampling.BICUBIC)
    texture = texture.resize(SIZE, Image.Resampling.BILINEAR)
    grain = Image.effect_noise(SIZE, 10 + index % 6)
    channels = []
    for i, base in enumerate((sky, light, sky.transpose(Image.Transpose.FLIP_TOP_BOTTOM))):
        mixed = Image.blend(Image.blend(base, blotches, 0.35 + 0.05 * i), texture, 0.4)
        channels.append(Image.blend(mixed, grain, 0.25))
    return Image.merge("RGB", channels)


def _exif(index: int) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = "samsung", "SM-S928N"
    exif[ExifTags.Base.Orientation] = 6 if index % 2 else 1
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: "2025:06:14 09:41:07"}
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (37.0, 33.0, 59.4), 3: "E", 4: (126.0, 58.0, 41.2)}
    return exif.tobytes()


def _jpeg(picture: Image.Image, exif: bytes) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


# Measuring.


def decode_only(path: Path) -> tuple[int, int]:
    """The decode limit: open, ask for the pipeline's draft scale, load; nothing else."""
    with Image.open(path) as im:
        im.draft("RGB", draft_size(im.size))
        im.load()
        return im.size


def derive_sizes(path: Path) -> dict[str, int]:
    """Run the pipeline on one photo; keep only the byte sizes of what it made."""
    return {name: len(data) for name, data in make_derivatives(path).items()}


def measure(paths: list[Path], rounds: int) -> dict:
    """Best-of-``rounds`` seconds per pass over all photos, per stage too, and output sizes."""
    passes: dict[str, Callable[[], object]] = {
        "decode": lambda: [decode_only(p) for p in paths],
        "derive": lambda: [derive_sizes(p) for p in paths],
        "inspect": lambda: [inspect_image(p, **LIMITS) for p in paths],
        "stages": lambda: _stages(paths),
    }
    timings: dict[str, list] = {name: [] for name in passes}
    for _ in range(rounds):  # interleaved, so changes in machine load hit every pass alike
        for name, work in passes.items():
            timings[name].append(_timed(work))
    stages = min((result for _, result in timings.pop("stages")), key=sum)
    best = {name: min(seconds for seconds, _ in runs) for name, runs in timings.items()}
    n = len(paths)
    outputs = [derive_sizes(p) for p in paths]
    return {
        **best,
        "resize_ms": 1000 * stages[0] / n,
        "encode_ms": 1000 * stages[1] / n,
        **_sizes(paths, outputs),
        "draft": "x".join(map(str, decode_only(paths[0]))),
    }


def _timed(work: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def _stages(paths: list[Path]) -> tuple[float, float]:
    """Seconds spent resizing and encoding, on images decoded exactly like the pipeline."""
    resize = encode = 0.0
    for path in paths:
        with Image.open(path) as im:
            im.draft("RGB", draft_size(im.size))
            im.load()
            start = time.perf_counter()
            screen = im if fits_screen(im.size) else shrink(im, derivatives.SCREEN_BOX)
            thumb = shrink(screen, derivatives.THUMB_BOX, derivatives.THUMB_RESAMPLE,
                           derivatives.THUMB_REDUCING_GAP)
            middle = time.perf_counter()
            encode_jpeg(screen), encode_jpeg(thumb)
            resize += middle - start
            encode += time.perf_counter() - middle
    return resize, encode


def _sizes(paths: list[Path], outputs: list[dict[str, int]]) -> dict[str, float]:
    return {
        "source_mb": sum(p.stat().st_size for p in paths) / len(paths) / 1e6,
        "screen_kb": sum(o["screen"] for o in outputs) / len(outputs) / 1e3,
        "thumb_kb": sum(o["thumb"] for o in outputs) / len(outputs) / 1e3,
    }


def peak_rss_mb() -> float:
    """This process's peak resident set size (ru_maxrss is kB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def report(r: dict, args: argparse.Namespace) -> None:
    """Print ``name: value unit`` lines."""
    n = args.count
    derive_rate, decode_rate = n / r["derive"], n / r["decode"]
    lines = [
        ("photos", f"{n}", "files"),
        ("photo_pixels", f"{SIZE[0] * SIZE[1] / 1e6:.1f}", "MP"),
        ("source_size_avg", f"{r['source_mb']:.2f}", "MB"),
        ("screen_side", f"{derivatives.SCREEN_SIDE}", "px"),
        ("thumb_side", f"{derivatives.THUMB_SIDE}", "px"),
        ("draft_decode", r["draft"], "px"),
        ("jpeg_encoding", "progressive" if derivatives.PROGRESSIVE else "baseline", "mode"),
        ("jpeg_optimize", "on" if derivatives.OPTIMIZE else "off", "mode"),
        ("jpeg_quality", f"{derivatives.JPEG_QUALITY}", "q"),
        ("thumb_resample", derivatives.THUMB_RESAMPLE.name, "filter"),
        ("derivatives_per_s", f"{derive_rate:.2f}", "photos/s"),
        ("decode_limit_per_s", f"{decode_rate:.2f}", "photos/s"),
        ("vs_decode_limit", f"{derive_rate / decode_rate:.2f}", "ratio"),
        ("inspect_per_s", f"{n / r['inspect']:.2f}", "photos/s"),
        ("decode_ms_per_photo", f"{1000 * r['decode'] / n:.1f}", "ms"),
        ("resize_ms_per_photo", f"{r['resize_ms']:.1f}", "ms"),
        ("encode_ms_per_photo", f"{r['encode_ms']:.1f}", "ms"),
        ("screen_size_avg", f"{r['screen_kb']:.0f}", "kB"),
        ("thumb_size_avg", f"{r['thumb_kb']:.1f}", "kB"),
        ("peak_rss_mb", f"{peak_rss_mb():.1f}", "MB"),
    ]
    for name, value, unit in lines:
        print(f"{name}: {value} {unit}")


if __name__ == "__main__":
    sys.exit(main())
