"""The merge grid finds every point within the radius by reading a few cells only."""
import random

from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from patrol_api.findings import grid

SEOUL_LAT = st.floats(37.40, 37.70)
SEOUL_LON = st.floats(126.75, 127.20)


def _offset(lat, lon, metres, bearing):
    """A point at a distance and bearing."""
    point = geodesic(meters=metres).destination((lat, lon), bearing)
    return point.latitude, point.longitude


@settings(max_examples=300, deadline=None)
@given(SEOUL_LAT, SEOUL_LON, st.floats(0, 200), st.floats(0, 360),
       st.sampled_from([15, 30, 100, 200]))
def test_neighbour_within_radius_is_in_searched_cells(lat, lon, distance, bearing, radius):
    other = _offset(lat, lon, min(distance, radius), bearing)
    assert grid.cell_key(*other) in grid.keys_within(lat, lon, radius)


def test_small_radius_reads_nine_cells():
    assert len(grid.keys_within(37.52, 126.92, 30)) == 9


def test_keys_are_distinct_for_distinct_cells():
    rng = random.Random(1)
    points = [(rng.uniform(37.4, 37.7), rng.uniform(126.7, 127.2)) for _ in range(2000)]
    keys = {grid.cell_key(*p): grid.cell_xy(*p) for p in points}
    assert len(set(keys.values())) == len(keys)
