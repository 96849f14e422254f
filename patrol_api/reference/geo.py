"""Area polygons: validation of GeoJSON geometry and the area that contains a point."""
import numpy as np
import shapely
import sqlalchemy as sa
from shapely.geometry import Point, shape
from shapely.prepared import prep

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models.reference import Area

POLYGON_TYPES = ("Polygon", "MultiPolygon")


def parse_polygon(geometry: dict):
    """A valid shapely (Multi)Polygon from GeoJSON, or a 422 naming the geometry field."""
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGON_TYPES:
        raise ApiError(422, "invalid_geometry", "geometry must be a GeoJSON Polygon or "
                       "MultiPolygon.", "geometry")
    try:
        polygon = shape(geometry)
    except Exception as error:  # noqa: BLE001 - shapely raises many types on bad input
        raise ApiError(422, "invalid_geometry", f"geometry is malformed: {error}",
                       "geometry") from error
    _check_polygon(polygon)
    return polygon


def _check_polygon(polygon) -> None:
    """Refuse empty, invalid or out-of-range polygons."""
    if polygon.is_empty or not polygon.is_valid:
        raise ApiError(422, "invalid_geometry", "geometry is empty or self-intersecting.",
                       "geometry")
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ApiError(422, "invalid_geometry", "coordinates must be WGS84 lon/lat.",
                       "geometry")


def bounds_columns(polygon) -> dict:
    """The bounding-box columns stored beside an area's geometry."""
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    return {"min_lat": min_lat, "min_lon": min_lon, "max_lat": max_lat, "max_lon": max_lon}


_PREPARED: dict = {}  # (area id, version, created_at) -> prepared polygon
_PREPARED_MAX = 4096


def prepared(area_id: int, version: int, created_at, geometry):
    """A prepared polygon, cached per area version; `geometry` is GeoJSON or a callable
    returning it (read only on a cache miss). The creation time is in the key because ids
    can come again after a restore (or a test) empties the table."""
    key = (area_id, version, created_at)
    polygon = _PREPARED.get(key)
    if polygon is None:
        if len(_PREPARED) >= _PREPARED_MAX:
            _PREPARED.clear()
        polygon = _PREPARED[key] = prep(shape(geometry() if callable(geometry) else geometry))
    return polygon


def area_containing(lat: float, lon: float) -> Area | None:
    """The live area whose polygon contains the point (bounding boxes narrow the search)."""
    candidates = db.session.execute(sa.select(Area).where(
        Area.deleted_at.is_(None), Area.min_lat <= lat, Area.max_lat >= lat,
        Area.min_lon <= lon, Area.max_lon >= lon).order_by(Area.id)).scalars()
    point = Point(lon, lat)
    for area in candidates:
        if prepared(area.id, area.version, area.created_at,
                    lambda area=area: area.geometry).covers(point):
            return area
    return None


class AreaIndex:
    """The live areas of one request, for many point lookups without a query each."""

    def __init__(self, session):
        rows = session.execute(sa.select(
            Area.id, Area.code, Area.version, Area.created_at, Area.min_lat, Area.max_lat,
            Area.min_lon, Area.max_lon).where(Area.deleted_at.is_(None)).order_by(Area.id)).all()
        self.session, self.rows = session, rows

    def _geometry(self, area_id: int):
        return self.session.execute(sa.select(Area.geometry).where(Area.id == area_id)).scalar()

    def containing_many(self, points: list[tuple[float, float]]) -> list:
        """(id, code) of the first live area (by id) whose polygon covers each (lat, lon) point,
        or None, with one vectorised test per area (as area_containing, point by point)."""
        found: list = [None] * len(points)
        lats = np.array([lat for lat, _ in points], dtype=float)
        lons = np.array([lon for _, lon in points], dtype=float)
        pending = np.arange(len(points))
        for row in self.rows:
            if not len(pending):
                break
            inside_box = ((lats[pending] >= row.min_lat) & (lats[pending] <= row.max_lat)
                          & (lons[pending] >= row.min_lon) & (lons[pending] <= row.max_lon))
            candidates = pending[inside_box]
            if not len(candidates):
                continue
            polygon = prepared(row.id, row.version, row.created_at,
                               lambda area_id=row.id: self._geometry(area_id)).context
            # for a point, intersecting a polygon is being covered by it (boundary included)
            hits = candidates[shapely.intersects_xy(polygon, lons[candidates], lats[candidates])]
            for index in hits:
                found[index] = (row.id, row.code)
            pending = np.setdiff1d(pending, hits, assume_unique=True)
        return found
