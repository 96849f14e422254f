"""EXIF parsing of hostile and broken values: never an exception, never a wrong number."""

import io
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from media.exif import (
    ExifFacts,
    altitude,
    capture_time,
    coordinate,
    gps_position,
    orientation,
    parse_time,
    read_exif,
    text,
)
from media.inspect import inspect_image

SEOUL = (IFDRational(37, 1), IFDRational(33, 1), IFDRational(5940, 100))


def test_coordinate_applies_refs_and_refuses_impossible_values():
    assert coordinate(SEOUL, "N", "NS", 90) == pytest.approx(37.5665)
    assert coordinate(SEOUL, "S", "NS", 90) == pytest.approx(-37.5665)
    assert coordinate(SEOUL, b"s\x00", "NS", 90) == pytest.approx(-37.5665)
    assert coordinate(SEOUL, None, "NS", 90) is None  # no ref: no position
    assert coordinate(SEOUL, "", "NS", 90) is None
    assert coordinate(SEOUL, "NS", "NS", 90) is None
    assert coordinate(SEOUL, "E", "NS", 90) is None
    assert coordinate(SEOUL, "X", "NS", 90) is None
    assert coordinate((IFDRational(95, 1), 0, 0), "N", "NS", 90) is None
    assert coordinate((IFDRational(37, 0), 0, 0), "N", "NS", 90) is None  # zero denominator
    assert coordinate(("37", "33", "59"), "N", "NS", 90) is None
    assert coordinate((-37.0, 0.0, 0.0), "N", "NS", 90) is None
    assert coordinate(37.5665, "N", "NS", 90) is None  # a scalar is not the EXIF form
    assert coordinate(SEOUL[:2], "N", "NS", 90) is None  # two values
    assert coordinate((*SEOUL, IFDRational(1, 1)), "N", "NS", 90) is None  # four values
    assert coordinate((IFDRational(37, 1), IFDRational(75, 1), 0), "N", "NS", 90) is None
    assert coordinate((), "N", "NS", 90) is None


def test_zero_zero_is_no_fix_not_the_gulf_of_guinea():
    gps = {1: "N", 2: (0.0, 0.0, 0.0), 3: "E", 4: (0.0, 0.0, 0.0)}
    assert gps_position(gps)["latitude"] is None
    assert gps_position(gps)["longitude"] is None


def test_altitude_below_sea_level_in_every_ref_encoding():
    assert altitude(12.5, b"\x01") == -12.5
    assert altitude(12.5, 1) == -12.5
    assert altitude(12.5, b"\x00") == 12.5
    assert altitude(IFDRational(1, 0), 0) is None


def test_impossible_capture_times_keep_the_raw_string():
    when, raw = capture_time({0x9003: "0000:00:00 00:00:00"})
    assert when is None and raw == "0000:00:00 00:00:00"
    assert capture_time({}) == (None, None)
    assert parse_time("2025:02:30 10:00:00", None, None) is None
    assert parse_time("garbage", None, None) is None


def test_capture_time_variants():
    assert parse_time("2025-06-14 09:41:07", None, None) == datetime(2025, 6, 14, 9, 41, 7)
    assert parse_time("2025:06:14 09:41:07", "+25:00", None).tzinfo is None
    assert parse_time("2025:06:14 09:41:07", "-09:30", "5").utcoffset() == timedelta(hours=-9.5)
    assert parse_time("2025:06:14 09:41:07", None, "5").microsecond == 500000
    assert parse_time("2025:06:14 09:41:07", None, "1234567").microsecond == 123456


def test_text_is_cleaned_and_bounded():
    assert text("LG Electronics\x00\x00  ") == "LG Electronics"
    assert text(b"samsung\x00") == "samsung"
    assert len(text("x" * 10_000)) == 100
    assert text("\x00\x00") is None
    assert text(42) is None


def test_orientation_out_of_range_is_absent():
    for value, expected in ((6, 6), (9, None), (0, None), ("6", None), ((6, 6), None)):
        exif = Image.Exif()
        exif[0x0112] = value
        assert orientation(exif) == expected


def test_exif_that_breaks_pillow_gives_empty_facts():
    class Broken(Image.Exif):
        def get_ifd(self, tag):
            raise SyntaxError("bad IFD offset")

    assert read_exif(Broken()) == ExifFacts()


@given(
    st.dictionaries(
        st.sampled_from([1, 2, 3, 4, 5, 6, 7, 29, 31]),
        st.one_of(
            st.none(),
            st.integers(-(2**40), 2**40),
            st.floats(allow_nan=True, allow_infinity=True),
            st.text(max_size=20),
            st.binary(max_size=8),
            st.tuples(st.floats(), st.floats(), st.floats()),
            st.builds(IFDRational, st.integers(-(2**31), 2**31), st.integers(-5, 5)),
        ),
        max_size=9,
    )
)
def test_gps_parsing_never_raises_and_stays_in_range(gps):
    position = gps_position(gps)
    assert position["latitude"] is None or -90 <= position["latitude"] <= 90
    assert position["longitude"] is None or -180 <= position["longitude"] <= 180


# Generated GPS IFDs: only the well-formed EXIF form is a position.

G = ExifTags.GPS


def _rational(value: float) -> IFDRational:
    return IFDRational(round(value * 1000), 1000)


@st.composite
def well_formed_gps(draw) -> tuple[dict, float, float]:
    """A GPS IFD as cameras write it, and the position it states."""
    def dms(limit: int) -> tuple[tuple, float]:
        degrees = draw(st.integers(0, limit - 1))
        minutes = draw(st.integers(0, 59))
        seconds = draw(st.integers(0, 59_999)) / 1000
        return ((_rational(degrees), _rational(minutes), _rational(seconds)),
                degrees + minutes / 60 + seconds / 3600)

    (lat, lat_value), (lon, lon_value) = dms(90), dms(180)
    lat_ref, lon_ref = draw(st.sampled_from("NS")), draw(st.sampled_from("EW"))
    gps = {G.GPSLatitudeRef: lat_ref, G.GPSLatitude: lat, G.GPSLongitudeRef: lon_ref,
           G.GPSLongitude: lon}
    return (gps, -lat_value if lat_ref == "S" else lat_value,
            -lon_value if lon_ref == "W" else lon_value)


MALFORMED = {
    "two-value latitude": lambda gps, draw: {**gps, G.GPSLatitude: gps[G.GPSLatitude][:2]},
    "one-value longitude": lambda gps, draw: {**gps, G.GPSLongitude: gps[G.GPSLongitude][:1]},
    "four values": lambda gps, draw: {**gps, G.GPSLatitude: (*gps[G.GPSLatitude],
                                                             _rational(1))},
    "scalar longitude": lambda gps, draw: {**gps, G.GPSLongitude: _rational(
        draw(st.floats(0, 180)))},
    "scalar longitude without ref": lambda gps, draw: {
        **{k: v for k, v in gps.items() if k != G.GPSLongitudeRef},
        G.GPSLongitude: _rational(draw(st.floats(0, 180)))},
    "no latitude ref": lambda gps, draw: {k: v for k, v in gps.items()
                                          if k != G.GPSLatitudeRef},
    "no longitude ref": lambda gps, draw: {k: v for k, v in gps.items()
                                           if k != G.GPSLongitudeRef},
    "wrong ref": lambda gps, draw: {**gps, draw(st.sampled_from(
        [G.GPSLatitudeRef, G.GPSLongitudeRef])): draw(st.sampled_from(
            ["X", "", " ", "NE", "0", "Q"]))},
    "latitude ref for longitude": lambda gps, draw: {**gps, G.GPSLongitudeRef: "N"},
    "latitude out of range": lambda gps, draw: {**gps, G.GPSLatitude: (
        _rational(draw(st.integers(91, 10**6))), _rational(0), _rational(0))},
    "longitude out of range": lambda gps, draw: {**gps, G.GPSLongitude: (
        _rational(draw(st.integers(181, 10**6))), _rational(0), _rational(0))},
    "minutes of 60 or more": lambda gps, draw: {**gps, G.GPSLatitude: (
        _rational(10), _rational(draw(st.integers(60, 10**4))), _rational(0))},
    "negative part": lambda gps, draw: {**gps, G.GPSLongitude: (
        _rational(10), _rational(-draw(st.integers(1, 59))), _rational(0))},
    "zero denominator": lambda gps, draw: {**gps, G.GPSLatitude: (
        IFDRational(37, 0), _rational(0), _rational(0))},
    "text coordinates": lambda gps, draw: {**gps, G.GPSLatitude: ("37", "33", "59")},
    "void fix": lambda gps, draw: {**gps, G.GPSStatus: "V"},
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_gps_ifds_give_a_position_only_when_well_formed(data):
    gps, lat, lon = data.draw(well_formed_gps())
    position = gps_position(gps)
    if (lat, lon) == (0, 0):
        assert position["latitude"] is None  # "no fix"
    else:
        assert position["latitude"] == pytest.approx(lat, abs=1e-6)
        assert position["longitude"] == pytest.approx(lon, abs=1e-6)
    damage = data.draw(st.sampled_from(sorted(MALFORMED)), label="damage")
    broken = MALFORMED[damage](gps, data.draw)
    assert gps_position(broken)["latitude"] is None, damage
    assert gps_position(broken)["longitude"] is None, damage


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_malformed_gps_written_into_a_jpeg_is_no_position(data):
    """The same through real EXIF bytes: what Pillow writes and reads back."""
    gps, _lat, _lon = data.draw(well_formed_gps())
    # Pillow cannot write these as EXIF types: a zero denominator, text or a negative RATIONAL
    unwritable = {"zero denominator", "text coordinates", "negative part"}
    damage = data.draw(st.sampled_from(sorted(set(MALFORMED) - unwritable)))
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = MALFORMED[damage](gps, data.draw)
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, "JPEG", exif=exif.tobytes())
    info = inspect_image(out.getvalue(), max_bytes=1 << 20, max_pixels=10**6)
    assert (info.latitude, info.longitude) == (None, None), damage
