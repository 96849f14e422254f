"""Demo photos: small real JPEGs with EXIF GPS and capture time, uploaded through the pipeline."""
import hashlib
import random
import tempfile
from datetime import datetime
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw

from patrol_api.findings.calendar import SEOUL
from patrol_api.photos import ingest

SIZE = (320, 240)
GPS_IFD, EXIF_IFD = 0x8825, 0x8769
# EXIF tags: GPS latitude ref/value, longitude ref/value; original time and its UTC offset
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011


def _dms(value: float) -> tuple[float, float, float]:
    """Degrees, minutes and seconds of a positive coordinate."""
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4)


def jpeg(rng: random.Random, lat: float, lon: float, taken_at: datetime, role: str) -> bytes:
    """A JPEG of a street scene (a fixed spot reads green, a problem red) with EXIF facts."""
    image = Image.new("RGB", SIZE, (rng.randint(150, 200),) * 3)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, SIZE[0], SIZE[1]), fill=(70, 70, 75))  # the road
    colour = (40, 160, 60) if role == "after" else (200, 50, 40)
    x, y = rng.randint(20, 220), rng.randint(60, 150)
    draw.ellipse((x, y, x + rng.randint(30, 80), y + rng.randint(20, 60)), fill=colour)
    for _ in range(40):  # texture, so that no two photos share a digest
        px, py = rng.randrange(SIZE[0]), rng.randrange(SIZE[1])
        draw.point((px, py), fill=tuple(rng.randrange(256) for _ in range(3)))
    exif = Image.Exif()
    gps = exif.get_ifd(GPS_IFD)
    gps.update({GPS_LAT_REF: "N", GPS_LAT: _dms(lat), GPS_LON_REF: "E", GPS_LON: _dms(lon)})
    local = taken_at.astimezone(SEOUL)
    exif.get_ifd(EXIF_IFD).update({DATETIME_ORIGINAL: local.strftime("%Y:%m:%d %H:%M:%S"),
                                   OFFSET_TIME_ORIGINAL: "+09:00"})
    out = BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


def upload(data: bytes, user_id: int, device_id: int | None) -> str:
    """Verify, store and record the photo as the single-request upload does; its SHA-256."""
    announced = hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory(prefix="patrol-demo-photo-") as folder:
        path = Path(folder) / "photo.jpg"
        path.write_bytes(data)
        sha256, _created = ingest.ingest(path, announced, user_id, device_id)
    return sha256
