"""Distances and Douglas-Peucker track simplification."""
from hypothesis import given
from hypothesis import strategies as st

from patrol_api.patrols import geo


def test_distance_of_a_known_pair():
    assert 1100 < geo.distance_m(37.5, 126.9, 37.51, 126.9) < 1120


def test_simplify_drops_points_on_a_straight_line():
    line = [[37.5 + i * 1e-4, 126.9, i] for i in range(50)]
    assert geo.simplify(line, 5) == [line[0], line[-1]]


def test_simplify_keeps_a_corner():
    corner = [[37.5, 126.9, 0], [37.5, 126.91, 1], [37.51, 126.91, 2]]
    assert geo.simplify(corner, 5) == corner


@given(st.lists(st.tuples(st.floats(37.4, 37.6), st.floats(126.8, 127.0)), max_size=40))
def test_simplify_keeps_ends_and_order(points):
    track = [[lat, lon, t] for t, (lat, lon) in enumerate(points)]
    simple = geo.simplify(track, 10)
    assert simple[:1] == track[:1] and simple[-1:] == track[-1:]
    assert [p[2] for p in simple] == sorted(p[2] for p in simple)
    assert all(p in track for p in simple)
