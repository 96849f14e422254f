"""A fixed spatial grid: cell keys for open findings, and the cells to search around a point.

Cells are about 250 m on a side (in latitude; longitude cells shrink with cos(lat) but are
sized at the district's latitude). A finding stores the key of its cell; matching an
observation reads only the cells within the merge radius, so the cost per observation stays
flat however many findings are open.
"""
import math

CELL_M = 250.0
METRES_PER_DEG_LAT = 111_320.0
_LON_SCALE_LAT = 37.5  # Seoul; lon cells stay at least CELL_M wide north of here to ~45°
_OFFSET = 1 << 20      # keeps x and y non-negative


def _steps() -> tuple[float, float]:
    """Cell size in degrees of latitude and longitude."""
    lat_step = CELL_M / METRES_PER_DEG_LAT
    lon_step = CELL_M / (METRES_PER_DEG_LAT * math.cos(math.radians(_LON_SCALE_LAT)))
    return lat_step, lon_step


LAT_STEP, LON_STEP = _steps()


def cell_xy(lat: float, lon: float) -> tuple[int, int]:
    """Grid coordinates of a point."""
    return math.floor(lon / LON_STEP) + _OFFSET, math.floor(lat / LAT_STEP) + _OFFSET


def key(x: int, y: int) -> int:
    """One integer key for a cell."""
    return (x << 22) | y


def cell_key(lat: float, lon: float) -> int:
    """The key of the cell containing a point."""
    return key(*cell_xy(lat, lon))


def keys_within(lat: float, lon: float, radius_m: float) -> list[int]:
    """Keys of every cell that may hold a point within radius_m of (lat, lon)."""
    x, y = cell_xy(lat, lon)
    lon_cell_m = LON_STEP * METRES_PER_DEG_LAT * math.cos(math.radians(lat))
    reach_x = max(1, math.ceil(radius_m / lon_cell_m))
    reach_y = max(1, math.ceil(radius_m / CELL_M))
    return [key(x + dx, y + dy) for dx in range(-reach_x, reach_x + 1)
            for dy in range(-reach_y, reach_y + 1)]
