"""Nearby reports: open findings a new report at a point would likely join, public facts only.

The same search as the merge (merge.nearby: compatible categories — the category's group —,
grid cells and a bounding box, the category's merge radius, geodesic distance), without the
registered-site shortcut (a reporter gives a point). `would_merge` tells which of them a
report made now would join, by the category's merge window.
"""
from datetime import datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import merge
from patrol_api.models import Category, Finding

MAX_RESULTS = 50


def live_category(code: str, field: str = "category_code") -> Category:
    """A live category by code (422 `unknown_reference` naming the field otherwise)."""
    category = db.session.execute(sa.select(Category).where(
        Category.code == code, Category.deleted_at.is_(None))).scalar()
    if category is None:
        raise ApiError(422, "unknown_reference", "No live category has this code.", field)
    return category


def open_near(category: Category, lat: float, lon: float, at: datetime) -> list[dict]:
    """Open findings of the category's group within its merge radius of the point, nearest
    first, as public facts (no notes, people, photos or internal history)."""
    point = SimpleNamespace(lat=lat, lon=lon, site_id=None, recorded_at=at)
    radius = category.merge_radius_m
    window = timedelta(days=category.merge_window_days)
    found = []
    for finding in merge.nearby(point, category, True, []):
        distance = merge.distance_to(point, finding, radius)
        if distance is not None:
            found.append((distance, finding.id, finding))
    found.sort(key=lambda item: item[:2])
    return [_public(finding, distance, window, at)
            for distance, _, finding in found[:MAX_RESULTS]]


def _public(finding: Finding, distance: float, window: timedelta, at: datetime) -> dict:
    """What anyone about to report may know of an open finding."""
    department = finding.department
    return {
        "reference": finding.reference, "id": finding.id,
        "category_code": finding.category.code, "category_name_ko": finding.category.name_ko,
        "category_name_en": finding.category.name_en, "state": finding.state,
        "lat": finding.lat, "lon": finding.lon, "distance_m": round(distance, 1),
        "first_seen_at": finding.first_seen_at, "last_seen_at": finding.last_seen_at,
        "observation_count": finding.observation_count,
        "department_name_ko": department.name_ko if department else None,
        "resolve_due_at": finding.resolve_due_at,
        "would_merge": (finding.first_seen_at <= at + window
                        and finding.last_seen_at >= at - window),
    }
