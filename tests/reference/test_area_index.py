"""AreaIndex.containing_many answers what area_containing answers, point by point."""
import random

from patrol_api.extensions import db
from patrol_api.models.reference import Area
from patrol_api.reference.geo import AreaIndex, area_containing


def test_many_points_at_once_equal_one_by_one(demo):
    index = AreaIndex(db.session)
    rng = random.Random(7)
    lats = min(r.min_lat for r in index.rows), max(r.max_lat for r in index.rows)
    lons = min(r.min_lon for r in index.rows), max(r.max_lon for r in index.rows)
    points = [(rng.uniform(*lats), rng.uniform(*lons)) for _ in range(400)]
    corner = db.session.query(Area).order_by(Area.id).first().geometry["coordinates"][0][0]
    points += [(corner[1], corner[0]), (0.0, 0.0)]  # a polygon vertex, and far outside
    expected = [_id_code(area_containing(lat, lon)) for lat, lon in points]
    assert index.containing_many(points) == expected
    assert sum(area is not None for area in expected) > 200  # most of the box is dongs
    assert expected[-2] is not None and expected[-1] is None


def test_no_points(demo):
    assert AreaIndex(db.session).containing_many([]) == []


def _id_code(area):
    """(id, code) of an area, or None."""
    return (area.id, area.code) if area is not None else None
