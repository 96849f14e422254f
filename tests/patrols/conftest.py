"""Fixtures of the patrol tests: a small district with two areas, facility types and sites."""
from datetime import date

import pytest

from patrol_api.extensions import db
from patrol_api.models import Area, Category, Department, FacilityType, Site
from patrol_api.patrols import templates
from patrol_api.reference.geo import bounds_columns, parse_polygon


def _square(lon: float, lat: float) -> dict:
    """A square polygon of 0.03 degrees from a corner."""
    ring = [[lon, lat], [lon + .03, lat], [lon + .03, lat + .03], [lon, lat + .03], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _area(code: str, lon: float, lat: float) -> Area:
    geometry = _square(lon, lat)
    area = Area(code=code, name_ko=code, name_en=code, geometry=geometry,
                **bounds_columns(parse_polygon(geometry)))
    db.session.add(area)
    return area


class District:
    """The reference data of the patrol tests."""

    def __init__(self):
        self.owner = Department(code="parks", name_ko="공원녹지과", name_en="Parks",
                                kind="headquarters", email="parks@example.go.kr")
        db.session.add(self.owner)
        self.areas = {"yeoui": _area("yeoui", 126.91, 37.51),
                      "dangsan": _area("dangsan", 126.94, 37.51)}
        self.types = {code: FacilityType(code=code, name_ko=code, name_en=code)
                      for code in ("shelter", "toilet")}
        db.session.add_all(self.types.values())
        self.category = Category(code="safety", name_ko="안전", name_en="Safety",
                                 group="safety", default_department=self.owner)
        db.session.add(self.category)
        db.session.flush()
        self.sites = {}

    def site(self, code, kind="shelter", area="yeoui", offset=0.0, **extra) -> Site:
        """A site in an area, `offset` degrees east of its corner."""
        corner = self.areas[area]
        site = Site(code=code, name_ko=code, facility_type=self.types[kind], area=corner,
                    lat=corner.min_lat + .01, lon=corner.min_lon + .01 + offset,
                    owner_department=self.owner, **extra)
        db.session.add(site)
        db.session.flush()
        self.sites[code] = site
        return site


@pytest.fixture
def district(ctx):
    """Two areas, two facility types, a category, sites added by the test."""
    world = District()
    db.session.commit()
    return world


ITEMS = [
    {"key": "door", "label_ko": "출입문", "label_en": "Door", "type": "yes_no",
     "fail_answer": False, "fail_creates_category_code": "safety"},
    {"key": "state", "label_ko": "상태", "label_en": "State", "type": "choice",
     "choices": ["good", "worn", "broken"], "fail_choices": ["broken"]},
    {"key": "temp", "label_ko": "온도", "label_en": "Temperature", "type": "number",
     "min": 18, "max": 28, "required": False},
    {"key": "note", "label_ko": "메모", "label_en": "Note", "type": "text", "required": False},
    {"key": "look", "label_ko": "사진", "label_en": "Photo", "type": "photo",
     "required": False, "photo_required": True},
]


@pytest.fixture
def template(district):
    """A published checklist of every item type."""
    made = templates.create({"code": "shelter", "title_ko": "쉼터 점검",
                             "title_en": "Shelter check", "items": ITEMS})
    templates.publish(made)
    db.session.commit()
    return made


WINDOW = {"starts_on": date(2026, 7, 1), "ends_on": date(2026, 8, 31)}
