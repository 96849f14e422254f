"""Matching an observation to an open finding: same or compatible category, same registered
site, or within the category's radius (geodesic) and time window; the nearest wins.

Compatible categories share the category's `group`. Candidates are read through the grid
cell keys around the point (index on is_open, cell_key), so the cost per observation does not
grow with the number of open findings. Observations at two different registered sites never
merge, however close the sites are.
"""
import math
from datetime import timedelta

import sqlalchemy as sa
from geopy.distance import geodesic
from sqlalchemy.orm import lazyload

from patrol_api.extensions import db
from patrol_api.findings import grid
from patrol_api.models import Category, Finding, Observation


def compatible_category_ids(category: Category) -> list[int]:
    """The category and the live categories of its group."""
    ids = db.session.execute(sa.select(Category.id).where(
        Category.group == category.group, Category.deleted_at.is_(None))).scalars()
    return sorted(set(ids) | {category.id})


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance in metres."""
    return geodesic((lat1, lon1), (lat2, lon2)).meters


def _window(obs: Observation, days: int) -> list:
    """Conditions: the finding was seen within `days` of the observation's time."""
    span = timedelta(days=days)
    return [Finding.first_seen_at <= obs.recorded_at + span,
            Finding.last_seen_at >= obs.recorded_at - span]


def _query(conditions: list) -> list[Finding]:
    """Findings matching all conditions (their relationships load on use, if ever)."""
    return list(db.session.execute(sa.select(Finding).where(*conditions)
                                   .options(lazyload("*"))).scalars())


def bounding_box(lat: float, lon: float, radius_m: float) -> list:
    """Conditions: within a lat/lon box a little larger than the radius (cheap pre-filter)."""
    dlat = radius_m * 1.01 / grid.METRES_PER_DEG_LAT
    dlon = radius_m * 1.01 / (grid.METRES_PER_DEG_LAT * math.cos(math.radians(lat)))
    return [Finding.lat.between(lat - dlat, lat + dlat),
            Finding.lon.between(lon - dlon, lon + dlon)]


def nearby(obs: Observation, category: Category, open_: bool, extra: list) -> list[Finding]:
    """Findings of compatible categories in the cells around the point or at the same site."""
    base = [Finding.is_open.is_(open_),
            Finding.category_id.in_(compatible_category_ids(category)), *extra]
    radius = category.merge_radius_m
    keys = grid.keys_within(obs.lat, obs.lon, radius)
    near = [Finding.cell_key.in_(keys), *bounding_box(obs.lat, obs.lon, radius)]
    found = {f.id: f for f in _query([*base, *near])}
    if obs.site_id is not None:
        found.update({f.id: f for f in _query([*base, Finding.site_id == obs.site_id])})
    return list(found.values())


def distance_to(obs: Observation, finding: Finding, radius_m: float) -> float | None:
    """How far the finding is for matching purposes (same site: 0); None when out of reach."""
    if obs.site_id is not None and finding.site_id is not None:
        return 0.0 if obs.site_id == finding.site_id else None
    distance = metres(obs.lat, obs.lon, finding.lat, finding.lon)
    return distance if distance <= radius_m else None


def nearest(obs: Observation, findings: list[Finding], radius_m: float) -> Finding | None:
    """The closest finding within reach (earliest reference on a tie), or None."""
    scored = [(distance, f.id, f) for f in findings
              if (distance := distance_to(obs, f, radius_m)) is not None]
    return min(scored, key=lambda item: item[:2])[2] if scored else None


def find_open(obs: Observation) -> Finding | None:
    """The open finding this observation belongs to, or None."""
    category = obs.category
    candidates = nearby(obs, category, True, _window(obs, category.merge_window_days))
    return nearest(obs, candidates, category.merge_radius_m)
