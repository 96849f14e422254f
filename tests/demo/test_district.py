"""Consistency tests of the Yeongdeungpo-gu demo district data."""

import itertools
import re
from collections import Counter
from datetime import date

import pytest
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from patrol_api.demo import district

HANGUL = re.compile("[\uac00-\ud7a3]")
PRIORITIES = {"low", "normal", "high", "urgent"}


@pytest.fixture(scope="module")
def areas():
    return district.areas()


@pytest.fixture(scope="module")
def polygons(areas):
    return {area["code"]: shape(area["geometry"]) for area in areas}


@pytest.fixture(scope="module")
def sites():
    return district.sites()


def codes(rows, key="code"):
    return {row[key] for row in rows}


def test_eighteen_real_dongs(areas):
    assert len(areas) == 18
    assert all(re.fullmatch(r"11560\d{3}", area["code"]) for area in areas)
    names = {area["name_ko"] for area in areas}
    assert {"여의동", "영등포본동", "당산제2동", "신길제7동", "대림제3동"} <= names
    assert "신길제2동" not in names


def test_polygons_are_valid_geojson(areas, polygons):
    for area in areas:
        ring = area["geometry"]["coordinates"][0]
        assert area["geometry"]["type"] == "Polygon"
        assert ring[0] == ring[-1]
        assert all(126.87 < lon < 126.96 and 37.48 < lat < 37.55 for lon, lat in ring)
        assert all(round(v, 6) == v for point in ring for v in point)
        assert polygons[area["code"]].is_valid


def test_polygons_do_not_overlap(polygons):
    for a, b in itertools.combinations(polygons.values(), 2):
        assert a.intersection(b).area < 1e-10


def test_polygons_tile_the_district(polygons):
    union = unary_union(list(polygons.values()))
    assert union.geom_type == "Polygon"
    assert not union.interiors
    lat, lon = district.DISTRICT["center"]
    assert union.contains(Point(lon, lat))


def test_each_polygon_contains_its_centroid(polygons):
    for code, _slug, _ko, _en, lat, lon in district._DONGS:
        assert polygons[code].contains(Point(lon, lat))
    assert polygons["11560540"].contains(Point(126.925, 37.525))


def test_codes_unique_per_kind(sites):
    for rows, key in [
        (district.areas(), "code"),
        (district.departments(), "code"),
        (district.categories(), "code"),
        (district.facility_types(), "code"),
        (sites, "code"),
        (district.users(), "username"),
    ]:
        values = [row[key] for row in rows]
        assert len(values) == len(set(values))


def test_departments(areas):
    departments = district.departments()
    kinds = Counter(d["kind"] for d in departments)
    assert 22 <= kinds["headquarters"] <= 30
    assert kinds["dong_office"] == 18
    assert {d["area_code"] for d in departments if d["kind"] == "dong_office"} == codes(areas)
    assert all(d["area_code"] is None for d in departments if d["kind"] == "headquarters")
    assert all(d["code"].isascii() and d["email"].startswith(d["code"] + "@") for d in departments)
    assert "audit" in codes(departments)


def test_categories_reference_existing_departments():
    categories = district.categories()
    assert len(categories) == 12
    department_codes = codes(district.departments())
    for category in categories:
        assert category["default_department_code"] in department_codes
        assert category["default_priority"] in PRIORITIES
        assert category["code"].isascii() and category["group"].isascii()
        assert category["merge_radius_m"] % 10 == 0
        assert min(category["ack_hours"], category["resolve_days"]) > 0
    groups = Counter(c["group"] for c in categories)
    assert groups["street"] == 2


def test_facility_types():
    types = district.facility_types()
    assert len(types) == 10
    assert codes(district.departments()) >= codes(types, "owner_department_code")


def test_sites_lie_inside_their_area(sites, polygons):
    assert len(sites) == 300
    for site in sites:
        assert polygons[site["area_code"]].contains(Point(site["lon"], site["lat"]))
        assert round(site["lat"], 6) == site["lat"] and round(site["lon"], 6) == site["lon"]


def test_sites_reference_existing_codes(sites):
    department_codes = codes(district.departments())
    type_codes = codes(district.facility_types())
    for site in sites:
        assert site["facility_type"] in type_codes
        assert site["owner_department_code"] in department_codes
        assert re.fullmatch(r"SD-\d{4}", site["code"])


def test_site_mix_is_realistic(sites):
    counts = Counter(site["facility_type"] for site in sites)
    assert counts.most_common(2) == [("storm_drain", 85), ("snow_box", 65)]
    assert counts["public_toilet"] < counts["cooling_shelter"]
    assert 10 <= counts["construction_site"] <= 14


def test_warranties(sites):
    warranted = [site for site in sites if site["warranty_end"]]
    assert 15 <= len(warranted) <= 25
    assert {s["facility_type"] for s in warranted} == {"public_facility", "construction_site"}
    for site in sites:
        assert (site["contractor"] is None) == (site["warranty_end"] is None)
    ends = [date.fromisoformat(site["warranty_end"]) for site in warranted]
    assert date(2026, 1, 1) <= min(ends) and max(ends) <= date(2028, 12, 31)


@pytest.mark.parametrize("n", [1, 10, 57])
def test_sites_count_follows_n(n):
    assert len(district.sites(n)) == n


def test_routing_rules_reference_existing_codes(areas):
    department_codes = codes(district.departments())
    category_codes = codes(district.categories())
    for rule in district.routing_rules():
        assert rule["category_code"] in category_codes
        assert rule["area_code"] in codes(areas) | {None}
        assert rule["owner_department_code"] in department_codes | {None}
        assert rule["target_department_code"] in department_codes
        date.fromisoformat(rule["effective_from"])
        assert rule["effective_to"] is None


def test_routing_rules_shape():
    rules = district.routing_rules()
    routed = codes(rules, "category_code")
    assert codes(district.categories()) - routed
    by_priority = Counter(rule["priority"] for rule in rules)
    assert by_priority[20] == 18 and by_priority[30] >= 2
    for rule in rules:
        if rule["area_code"]:
            assert rule["target_department_code"] == district.dong_office_code(rule["area_code"])


def test_owner_rules_match_real_site_owners(sites):
    owners = codes(sites, "owner_department_code")
    rule_owners = {r["owner_department_code"] for r in district.routing_rules()} - {None}
    assert rule_owners <= owners


def test_users_cover_every_role():
    users = district.users()
    assert {user["role"] for user in users} == set(district.ROLES)
    department_codes = codes(district.departments())
    for user in users:
        assert user["password"] == district.DEMO_PASSWORD
        if user["role"] == "department_staff":
            assert user["department_code"] in department_codes
    staff_kinds = {
        d["kind"]
        for d in district.departments()
        if d["code"] in {u["department_code"] for u in users}
    }
    assert staff_kinds == {"headquarters", "dong_office"}


def test_korean_names_contain_hangul(sites):
    rows = [
        district.DISTRICT,
        *district.areas(),
        *district.departments(),
        *district.categories(),
        *district.facility_types(),
        *sites,
    ]
    for row in rows:
        assert HANGUL.search(row["name_ko"]), row
        assert row["name_en"].isascii() and row["name_en"]
    assert all(HANGUL.search(site["address_ko"]) for site in sites)
    assert all(HANGUL.search(user["display_name"]) for user in district.users())


def test_deterministic():
    for generate in (
        district.areas,
        district.departments,
        district.categories,
        district.facility_types,
        district.sites,
        district.routing_rules,
        district.users,
    ):
        assert generate() == generate()
