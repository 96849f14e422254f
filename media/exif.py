"""Read orientation, capture time, position and camera from EXIF, tolerating hostile values."""

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import ExifTags, Image

MAX_TEXT = 100
# Orientations 5-8 store the picture on its side: width and height swap when shown.
SWAPS_AXES = frozenset({5, 6, 7, 8})
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_DATETIME = re.compile(r"(\d{4})[:-](\d\d)[:-](\d\d)[ T](\d\d):(\d\d):(\d\d)")
_OFFSET = re.compile(r"([+-])(\d\d):(\d\d)")
_DATE = re.compile(r"(\d{4})[:-](\d\d)[:-](\d\d)")
T = ExifTags.Base
G = ExifTags.GPS


@dataclass(frozen=True)
class ExifFacts:
    """What a photo says about itself; every field is None when absent or implausible."""

    orientation: int | None = None
    captured_at: datetime | None = None
    captured_at_raw: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    altitude_m: float | None = None
    gps_accuracy_m: float | None = None
    gps_time: datetime | None = None
    camera_make: str | None = None
    camera_model: str | None = None


def exif_of(im: Image.Image) -> Image.Exif:
    """The image's EXIF, empty when Pillow cannot parse it; load the image first (PNG would)."""
    try:
        return im.getexif()
    except Exception:  # Pillow raises (or, under -W error, warns) on hostile EXIF
        return Image.Exif()


def read_exif(exif: Image.Exif) -> ExifFacts:
    """Extract ExifFacts; broken EXIF gives empty facts, never an exception."""
    try:
        main, gps = exif.get_ifd(ExifTags.IFD.Exif), exif.get_ifd(ExifTags.IFD.GPSInfo)
        captured_at, raw = capture_time(main)
        return ExifFacts(
            orientation=orientation(exif),
            captured_at=captured_at,
            captured_at_raw=raw,
            **gps_position(gps),
            camera_make=text(exif.get(T.Make)),
            camera_model=text(exif.get(T.Model)),
        )
    except Exception:  # a hostile EXIF block must not cost us the photo
        return ExifFacts()


def orientation(exif: Image.Exif) -> int | None:
    """The EXIF (or XMP) orientation 1-8 as stored, None when absent or out of range."""
    value = integer(exif.get(T.Orientation))
    return value if value in range(1, 9) else None


def capture_time(main: dict[int, Any]) -> tuple[datetime | None, str | None]:
    """DateTimeOriginal (else DateTimeDigitized) as stored: aware when an offset was written."""
    for when, offset, subsec in (
        (T.DateTimeOriginal, T.OffsetTimeOriginal, T.SubsecTimeOriginal),
        (T.DateTimeDigitized, T.OffsetTimeDigitized, T.SubsecTimeDigitized),
    ):
        if raw := text(main.get(when)):
            return parse_time(raw, text(main.get(offset)), text(main.get(subsec))), raw
    return None, None


def parse_time(raw: str, offset: str | None, subsec: str | None) -> datetime | None:
    """Parse "YYYY:MM:DD HH:MM:SS" plus optional sub-seconds and "+09:00"; None if impossible."""
    match = _DATETIME.match(raw)
    if not match:
        return None
    try:
        parsed = datetime(*map(int, match.groups()), microsecond=_micros(subsec))
    except ValueError:  # "0000:00:00 00:00:00" from cameras whose clock was never set
        return None
    return parsed.replace(tzinfo=_zone(offset))


def gps_position(gps: dict[int, Any]) -> dict[str, Any]:
    """Latitude/longitude in signed decimal degrees, altitude, accuracy and GPS (UTC) time.

    A position is read only when both coordinates are well formed and the receiver did not
    mark the fix void (GPSStatus "V"); 0,0 is "no fix" on many phones."""
    lat = coordinate(gps.get(G.GPSLatitude), gps.get(G.GPSLatitudeRef), "NS", 90)
    lon = coordinate(gps.get(G.GPSLongitude), gps.get(G.GPSLongitudeRef), "EW", 180)
    void = (text(gps.get(G.GPSStatus)) or "A").upper() == "V"
    if lat is None or lon is None or void or (lat == 0 and lon == 0):
        lat = lon = None
    return {
        "latitude": lat,
        "longitude": lon,
        "altitude_m": altitude(gps.get(G.GPSAltitude), gps.get(G.GPSAltitudeRef)),
        "gps_accuracy_m": _bounded(number(gps.get(G.GPSHPositioningError)), 0, 1e6),
        "gps_time": gps_time(gps.get(G.GPSDateStamp), gps.get(G.GPSTimeStamp)),
    }


def coordinate(value: Any, ref: Any, refs: str, limit: float) -> float | None:
    """Signed degrees from the EXIF form only: three numbers (degrees, minutes < 60,
    seconds < 60, none negative) and a hemisphere ref, one of ``refs`` ("NS" or "EW").
    Anything else (two values, a scalar, no ref, out of range) is no position at all."""
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    numbers = [number(part) for part in value]
    if None in numbers or any(n < 0 for n in numbers) or max(numbers[1:]) >= 60:
        return None
    degrees = numbers[0] + numbers[1] / 60 + numbers[2] / 3600
    hemisphere = (text(ref) or "").upper()
    if degrees > limit or len(hemisphere) != 1 or hemisphere not in refs:
        return None
    return -degrees if hemisphere == refs[1] else degrees


def altitude(value: Any, ref: Any) -> float | None:
    """Metres above sea level; ref 1 means below."""
    metres = _bounded(number(value), 0, 100_000)
    if metres is None:
        return None
    return -metres if integer(ref) == 1 else metres


def gps_time(date: Any, time: Any) -> datetime | None:
    """GPSDateStamp + GPSTimeStamp as aware UTC: the satellites' clock, not the phone's."""
    match = _DATE.fullmatch(text(date) or "")
    hms = [number(part) for part in time] if isinstance(time, tuple) and len(time) == 3 else []
    if not match or not hms or None in hms or not _is_time_of_day(*hms):
        return None
    try:
        day = datetime(*map(int, match.groups()), tzinfo=UTC)
    except ValueError:
        return None
    return day + timedelta(hours=hms[0], minutes=hms[1], seconds=hms[2])


def _is_time_of_day(hours: float, minutes: float, seconds: float) -> bool:
    """True for 0 <= h < 24, 0 <= m < 60, 0 <= s < 61 (leap second)."""
    return 0 <= hours < 24 and 0 <= minutes < 60 and 0 <= seconds < 61


def text(value: Any) -> str | None:
    """An EXIF ASCII value as a clean, bounded str; None for empty or non-text values."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    cleaned = value.replace("\x00", " ").strip()
    return cleaned[:MAX_TEXT] or None


def number(value: Any) -> float | None:
    """A finite float from an int, float or EXIF rational (a zero denominator gives None)."""
    if isinstance(value, bool | str | bytes):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def integer(value: Any) -> int | None:
    """An EXIF SHORT/BYTE value as int; None for anything that is not a whole number."""
    if isinstance(value, bytes):
        return value[0] if len(value) == 1 else None
    result = number(value)
    return int(result) if result is not None and result.is_integer() else None


def _micros(subsec: str | None) -> int:
    """SubSecTime digits ("123" = 0.123 s) as microseconds."""
    digits = subsec if subsec and subsec.isdigit() else "0"
    return int(digits[:6].ljust(6, "0"))


def _zone(offset: str | None) -> timezone | None:
    """A "+09:00" OffsetTime as a timezone, None when absent or invalid."""
    match = _OFFSET.fullmatch(offset or "")
    if not match or int(match[2]) > 14 or int(match[3]) > 59:
        return None
    delta = timedelta(hours=int(match[2]), minutes=int(match[3]))
    return timezone(-delta if match[1] == "-" else delta)


def _bounded(value: float | None, low: float, high: float) -> float | None:
    """The value when it lies within [low, high], else None."""
    return value if value is not None and low <= value <= high else None
