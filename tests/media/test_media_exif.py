"""EXIF parsing of hostile and broken values: never an exception, never a wrong number."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
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

SEOUL = (IFDRational(37, 1), IFDRational(33, 1), IFDRational(5940, 100))


def test_coordinate_applies_refs_and_refuses_impossible_values():
    assert coordinate(SEOUL, "N", "NS", 90) == pytest.approx(37.5665)
    assert coordinate(SEOUL, "S", "NS", 90) == pytest.approx(-37.5665)
    assert coordinate(SEOUL, b"s\x00", "NS", 90) == pytest.approx(-37.5665)
    assert coordinate(SEOUL, None, "NS", 90) == pytest.approx(37.5665)  # no ref: N/E
    assert coordinate(SEOUL, "X", "NS", 90) is None
    assert coordinate((IFDRational(95, 1), 0, 0), "N", "NS", 90) is None
    assert coordinate((IFDRational(37, 0), 0, 0), "N", "NS", 90) is None  # zero denominator
    assert coordinate(("37", "33", "59"), "N", "NS", 90) is None
    assert coordinate((-37.0, 0.0, 0.0), "N", "NS", 90) is None
    assert coordinate(37.5665, "N", "NS", 90) == pytest.approx(37.5665)  # one decimal value
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
