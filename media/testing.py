"""Photo factories for tests here and in other layers: real images, EXIF as phones write it."""

import io
import struct
import zlib

from PIL import ExifTags, Image

RED = (220, 20, 20)
BLUE = (20, 40, 200)

# Camera layouts: what different phones and cameras put in EXIF.
IPHONE = {
    "make": "Apple",
    "model": "iPhone 15 Pro",
    "orientation": 6,
    "taken": "2025:06:14 09:41:07",
    "offset": "+09:00",
    "subsec": "482",
    "gps": {
        "lat": ("N", (37, 33, 59.4)),
        "lon": ("E", (126, 58, 41.2)),
        "alt": (0, 38.2),
        "acc": 4.7,
    },
}
GALAXY = {
    "make": "samsung",
    "model": "SM-S928N",
    "orientation": 1,
    "taken": "2025:03:02 18:05:59",
    "gps": {"lat": ("N", (35, 9, 28.0)), "lon": ("E", (129, 3, 36.0)), "alt": (1, 2.5)},
}
PIXEL_RIO = {
    "make": "Google",
    "model": "Pixel 8",
    "orientation": 3,
    "taken": "2024:12:31 23:59:58",
    "offset": "-03:00",
    "gps": {"lat": ("S", (22, 54, 30.0)), "lon": ("W", (43, 10, 21.0))},
}
OLD_COMPACT = {"make": "Canon", "model": "Canon PowerShot G7 X", "orientation": 8}
DIGITIZED_ONLY = {
    "make": "NIKON CORPORATION",
    "model": "NIKON D750",
    "digitized": "2023:08:01 07:00:00",
}


def exif_bytes(layout: dict) -> bytes:
    """EXIF as a camera with this layout writes it (IFD0, Exif IFD, GPS IFD)."""
    exif = Image.Exif()
    for tag, field in ((ExifTags.Base.Make, "make"), (ExifTags.Base.Model, "model")):
        if field in layout:
            exif[tag] = layout[field]
    if "orientation" in layout:
        exif[ExifTags.Base.Orientation] = layout["orientation"]
    exif[ExifTags.Base.DateTime] = "2030:01:01 00:00:00"  # modification time: never the capture
    if main := _exif_ifd(layout):
        exif[ExifTags.IFD.Exif] = main
    if "gps" in layout:
        exif[ExifTags.IFD.GPSInfo] = _gps_ifd(layout["gps"])
    return exif.tobytes()


def _exif_ifd(layout: dict) -> dict:
    """DateTimeOriginal with its offset and sub-seconds, or DateTimeDigitized alone."""
    main = {}
    if "taken" in layout:
        main[ExifTags.Base.DateTimeOriginal] = layout["taken"]
    if "offset" in layout:
        main[ExifTags.Base.OffsetTimeOriginal] = layout["offset"]
    if "subsec" in layout:
        main[ExifTags.Base.SubsecTimeOriginal] = layout["subsec"]
    if "digitized" in layout:
        main[ExifTags.Base.DateTimeDigitized] = layout["digitized"]
    return main


def _gps_ifd(gps: dict) -> dict:
    """The GPS IFD: refs, degree/minute/second rationals, altitude and accuracy."""
    G = ExifTags.GPS
    ifd = {
        G.GPSLatitudeRef: gps["lat"][0],
        G.GPSLatitude: tuple(float(x) for x in gps["lat"][1]),
        G.GPSLongitudeRef: gps["lon"][0],
        G.GPSLongitude: tuple(float(x) for x in gps["lon"][1]),
    }
    if "alt" in gps:
        ifd[G.GPSAltitudeRef] = gps["alt"][0]
        ifd[G.GPSAltitude] = gps["alt"][1]
    if "acc" in gps:
        ifd[G.GPSHPositioningError] = gps["acc"]
    if "stamp" in gps:
        ifd[G.GPSDateStamp], ifd[G.GPSTimeStamp] = gps["stamp"]
    return ifd


def quadrant_picture(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Blue picture with a red top-left quarter (as stored), to see where rotation put it."""
    im = Image.new("RGB", size, BLUE)
    im.paste(RED, (0, 0, size[0] // 2, size[1] // 2))
    return im if mode == "RGB" else im.convert(mode)


def encode(im: Image.Image, fmt: str, **params) -> bytes:
    """Pillow-encoded bytes of ``im``."""
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


# Image bombs: small files that declare a lot of work. Generated row by row, never whole.
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples per pixel


def png_bomb(width: int, height: int, *, colour_type: int = 6, bit_depth: int = 8) -> bytes:
    """A valid all-zero PNG of any size (colour type 3 gets a one-colour palette), compressed
    a row at a time so that making it takes no more memory than the file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = bytes(1 + -(-width * PNG_CHANNELS[colour_type] * bit_depth // 8))  # filter 0, zeros
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    palette = chunk(b"PLTE", bytes(3)) if colour_type == 3 else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + palette + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def many_scans_jpeg(size: tuple[int, int], repeats: int) -> bytes:
    """A progressive JPEG whose last scan is repeated ``repeats`` more times: libjpeg decodes
    every repetition over the whole image, so a 120 kB file costs a decoder seconds."""
    data = encode(Image.new("RGB", size, (120, 130, 140)), "JPEG", progressive=True)
    last_scan = data[data.rindex(b"\xff\xda") : -2]  # SOS header and its data, before EOI
    return data[:-2] + last_scan * repeats + b"\xff\xd9"
