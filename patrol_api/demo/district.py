"""Demo district Yeongdeungpo-gu (영등포구) as plain data and deterministic generators."""

from __future__ import annotations

import random
from datetime import date, timedelta

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, shape
from shapely.geometry.polygon import orient

SEED = 11560
EMAIL_DOMAIN = "ydp.example.go.kr"
EFFECTIVE_FROM = "2026-01-01"

DISTRICT = {
    "code": "11560",
    "name_ko": "영등포구",
    "name_en": "Yeongdeungpo-gu",
    "center": (37.515, 126.91),
}

# 18 administrative dongs: (행정동 code, slug, name_ko, name_en, approx. centroid lat, lon).
_DONGS = (
    ("11560515", "yeongdeungpobon", "영등포본동", "Yeongdeungpobon-dong", 37.5135, 126.9055),
    ("11560535", "yeongdeungpo", "영등포동", "Yeongdeungpo-dong", 37.5200, 126.9110),
    ("11560540", "yeoui", "여의동", "Yeoui-dong", 37.5250, 126.9250),
    ("11560550", "dangsan1", "당산제1동", "Dangsan 1-dong", 37.5255, 126.8995),
    ("11560560", "dangsan2", "당산제2동", "Dangsan 2-dong", 37.5335, 126.9020),
    ("11560585", "dorim", "도림동", "Dorim-dong", 37.5085, 126.8985),
    ("11560605", "mullae", "문래동", "Mullae-dong", 37.5160, 126.8950),
    ("11560610", "yangpyeong1", "양평제1동", "Yangpyeong 1-dong", 37.5265, 126.8870),
    ("11560620", "yangpyeong2", "양평제2동", "Yangpyeong 2-dong", 37.5365, 126.8880),
    ("11560630", "singil1", "신길제1동", "Singil 1-dong", 37.5100, 126.9215),
    ("11560650", "singil3", "신길제3동", "Singil 3-dong", 37.5050, 126.9105),
    ("11560660", "singil4", "신길제4동", "Singil 4-dong", 37.5075, 126.9150),
    ("11560670", "singil5", "신길제5동", "Singil 5-dong", 37.4990, 126.9070),
    ("11560680", "singil6", "신길제6동", "Singil 6-dong", 37.4975, 126.9150),
    ("11560690", "singil7", "신길제7동", "Singil 7-dong", 37.5030, 126.9250),
    ("11560700", "daerim1", "대림제1동", "Daerim 1-dong", 37.4925, 126.9085),
    ("11560710", "daerim2", "대림제2동", "Daerim 2-dong", 37.4885, 126.9010),
    ("11560720", "daerim3", "대림제3동", "Daerim 3-dong", 37.4950, 126.8990),
)

# fmt: off
# Rough district outline (lon, lat), clockwise from the north-west bank of the Han river.
_BOUNDARY = (
    (126.8830, 37.5420), (126.8960, 37.5445), (126.9050, 37.5415), (126.9130, 37.5350),
    (126.9300, 37.5370), (126.9470, 37.5290), (126.9480, 37.5200), (126.9380, 37.5140),
    (126.9330, 37.5060), (126.9300, 37.4990), (126.9200, 37.4920), (126.9120, 37.4860),
    (126.9010, 37.4840), (126.8920, 37.4880), (126.8880, 37.4960), (126.8880, 37.5050),
    (126.8820, 37.5150), (126.8780, 37.5260), (126.8800, 37.5350),
)

# Main roads per dong, used for plausible site addresses.
_ROADS = {
    "11560515": ("영등포로", "영신로"), "11560535": ("영중로", "경인로"),
    "11560540": ("여의대로", "국제금융로", "여의공원로"), "11560550": ("당산로", "영등포로"),
    "11560560": ("당산로", "국회대로"), "11560585": ("도림로", "도신로"),
    "11560605": ("문래로", "도림로"), "11560610": ("양평로", "선유로"),
    "11560620": ("선유로", "노들로"), "11560630": ("신길로", "여의대방로"),
    "11560650": ("신길로", "가마산로"), "11560660": ("영등포로", "신길로"),
    "11560670": ("가마산로", "도신로"), "11560680": ("신풍로", "가마산로"),
    "11560690": ("여의대방로", "신풍로"), "11560700": ("대림로", "도림로"),
    "11560710": ("대림로", "디지털로"), "11560720": ("도림로", "대림로"),
}

# Headquarters departments: (code, name_ko, name_en).
_HQ_DEPARTMENTS = (
    ("audit", "감사담당관", "Audit and Civil Complaints Office"),
    ("planning-budget", "기획예산과", "Planning and Budget Division"),
    ("general-affairs", "총무과", "General Affairs Division"),
    ("autonomy-admin", "자치행정과", "Autonomous Administration Division"),
    ("civil-service", "민원여권과", "Civil Service and Passport Division"),
    ("finance", "재무과", "Finance Division"),
    ("culture-sports", "문화체육과", "Culture and Sports Division"),
    ("education", "교육지원과", "Education Support Division"),
    ("jobs-economy", "일자리경제과", "Jobs and Economy Division"),
    ("welfare-policy", "복지정책과", "Welfare Policy Division"),
    ("senior-welfare", "어르신복지과", "Senior Welfare Division"),
    ("health-admin", "보건행정과", "Public Health Administration Division (Health Center)"),
    ("sanitation", "위생과", "Sanitation Division"),
    ("environment", "환경과", "Environment Division"),
    ("cleaning", "청소과", "Cleaning Division"),
    ("recycling", "자원순환과", "Resource Recycling Division"),
    ("parks", "공원녹지과", "Parks and Greenery Division"),
    ("urban-planning", "도시계획과", "Urban Planning Division"),
    ("architecture", "건축과", "Architecture Division"),
    ("housing", "주택과", "Housing Division"),
    ("construction", "건설과", "Construction Division"),
    ("roads", "도로과", "Roads Division"),
    ("flood-control", "치수과", "Flood Control Division"),
    ("street-order", "가로정비과", "Street Order Division"),
    ("traffic-admin", "교통행정과", "Traffic Administration Division"),
    ("parking", "주차관리과", "Parking Management Division"),
    ("safety", "안전총괄과", "Safety Management Division"),
)

_CATEGORY_FIELDS = (
    "code", "name_ko", "name_en", "group", "default_priority", "ack_hours", "resolve_days",
    "merge_radius_m", "merge_window_days", "recurrence_window_days", "default_department_code",
)
_CATEGORIES = (
    ("traffic", "교통", "Traffic", "traffic", "normal", 3, 3, 30, 7, 30, "traffic-admin"),
    ("street_order", "가로정비", "Street order", "street", "normal", 8, 5, 30, 14, 60,
     "street-order"),
    ("cleaning", "청소", "Cleaning", "sanitation", "normal", 4, 2, 20, 7, 30, "cleaning"),
    ("roads", "도로", "Roads", "street", "high", 3, 3, 30, 14, 90, "roads"),
    ("water", "치수", "Water and flood control", "water", "high", 2, 3, 100, 7, 60,
     "flood-control"),
    ("parks", "공원·녹지", "Parks and greenery", "green", "normal", 8, 7, 50, 14, 90, "parks"),
    ("buildings", "건축·주택", "Buildings and housing", "facility", "normal", 8, 10, 20, 30, 180,
     "architecture"),
    ("public_facilities", "공공시설", "Public facilities", "facility", "normal", 8, 10, 20, 30, 180,
     "general-affairs"),
    ("environment", "환경", "Environment", "sanitation", "normal", 8, 7, 50, 14, 60,
     "environment"),
    ("safety", "안전", "Safety", "safety", "urgent", 1, 1, 30, 3, 30, "safety"),
    ("welfare", "복지", "Welfare", "welfare", "high", 4, 5, 10, 30, 90, "welfare-policy"),
    ("other", "기타", "Other", "other", "low", 16, 14, 30, 14, 60, "audit"),
)
# No routing rule on purpose: these findings land in the coordination queue.
_UNROUTED_CATEGORIES = ("other",)

# Facility types: (code, name_ko, name_en, owner department).
_FACILITY_TYPES = (
    ("cooling_shelter", "무더위쉼터", "Cooling shelter", "safety"),
    ("storm_drain", "빗물받이", "Storm drain", "flood-control"),
    ("snow_box", "제설함", "Snow-removal box", "roads"),
    ("public_toilet", "공중화장실", "Public toilet", "cleaning"),
    ("bicycle_rack", "자전거보관대", "Bicycle rack", "traffic-admin"),
    ("park", "공원", "Park", "parks"),
    ("construction_site", "관급공사장", "Public construction site", "construction"),
    ("public_facility", "공공시설물", "Public facility under warranty", "general-affairs"),
    ("school_zone", "어린이보호구역", "Children's protection zone", "traffic-admin"),
    ("river_facility", "하천시설", "River facility", "flood-control"),
)

# How many sites of each type make up a sample of 300.
_SITE_MIX = (
    ("storm_drain", 85), ("snow_box", 65), ("cooling_shelter", 30), ("bicycle_rack", 24),
    ("school_zone", 20), ("park", 20), ("public_facility", 18), ("public_toilet", 14),
    ("construction_site", 12), ("river_facility", 12),
)

# Sub-kinds with their own owner: (name_ko, name_en, owner department).
_SUBKINDS = {
    "park": (
        ("근린공원", "Neighbourhood Park", "parks"),
        ("어린이공원", "Children's Park", "parks"),
        ("소공원", "Pocket Park", "parks"),
    ),
    "construction_site": (
        ("하수관로 정비공사", "Sewer Pipe Works", "flood-control"),
        ("보도 정비공사", "Sidewalk Works", "roads"),
        ("도로 재포장공사", "Road Resurfacing", "roads"),
        ("빗물펌프장 증설공사", "Pumping Station Works", "flood-control"),
        ("공원 조성공사", "Park Works", "parks"),
        ("복합청사 신축공사", "Civic Complex Construction", "construction"),
    ),
    "public_facility": (
        ("구립도서관", "District Library", "education"),
        ("경로당", "Senior Centre", "senior-welfare"),
        ("구민체육센터", "Sports Centre", "culture-sports"),
        ("공영주차장", "Public Car Park", "parking"),
        ("주민센터 청사", "Community Centre Building", "general-affairs"),
    ),
    "river_facility": (
        ("하천 산책로", "Riverside Walkway", "flood-control"),
        ("수문", "Floodgate", "flood-control"),
        ("둔치 진출입로", "Riverbank Access", "flood-control"),
    ),
}

_RIVERSIDE_AREAS = (
    "11560620", "11560560", "11560540", "11560610", "11560585", "11560720", "11560535",
)

_CONTRACTORS = (
    "가온종합건설(주)", "누리토건(주)", "한빛이앤씨(주)", "새솔건설(주)", "다온산업개발(주)",
    "푸른하천엔지니어링(주)",
)
_WARRANTY_START = date(2026, 1, 1)
_WARRANTY_END = date(2028, 12, 31)

# Categories whose findings follow the site owner: (category, owner departments).
_OWNER_RULES = (
    ("public_facilities",
     ("education", "senior-welfare", "culture-sports", "parking", "general-affairs")),
    ("safety", ("construction", "roads", "flood-control", "parks")),
)
# fmt: on

ROLES = ("admin", "manager", "patrol_officer", "citizen_auditor", "department_staff", "viewer")

# Demo users: (username, display_name, role, department_code).
_USERS = (
    ("admin", "김민준", "admin", None),
    ("manager.audit", "이서연", "manager", "audit"),
    ("patrol.kim", "김도현", "patrol_officer", None),
    ("patrol.lee", "이준호", "patrol_officer", None),
    ("patrol.park", "박지훈", "patrol_officer", None),
    ("auditor.choi", "최수빈", "citizen_auditor", None),
    ("auditor.jung", "정하은", "citizen_auditor", None),
    ("staff.traffic", "강민서", "department_staff", "traffic-admin"),
    ("staff.roads", "조현우", "department_staff", "roads"),
    ("staff.cleaning", "윤지아", "department_staff", "cleaning"),
    ("staff.water", "장서준", "department_staff", "flood-control"),
    ("staff.parks", "임유진", "department_staff", "parks"),
    ("staff.yeoui", "한지민", "department_staff", "dong-yeoui"),
    ("viewer", "오세훈", "viewer", None),
)


def dong_office_code(area_code: str) -> str:
    """Return the department code of the community service centre of a dong."""
    slug = next(row[1] for row in _DONGS if row[0] == area_code)
    return f"dong-{slug}"


def areas() -> list[dict]:
    """Return the 18 administrative dongs with GeoJSON polygons (lon, lat)."""
    cells = _dong_polygons()
    return [
        {"code": code, "name_ko": ko, "name_en": en, "geometry": _geojson(cells[code])}
        for code, _slug, ko, en, _lat, _lon in _DONGS
    ]


def _dong_polygons() -> dict[str, Polygon]:
    """Map each area code to its Voronoi cell clipped to the district outline."""
    outline = Polygon(_BOUNDARY)
    points = [Point(lon, lat) for *_, lat, lon in _DONGS]
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=outline).geoms
    result = {}
    for row, point in zip(_DONGS, points, strict=True):
        cell = next(c for c in cells if c.contains(point))
        result[row[0]] = orient(shapely.set_precision(cell.intersection(outline), 1e-6))
    return result


def _geojson(polygon: Polygon) -> dict:
    """Return a GeoJSON Polygon dict with coordinates rounded to 6 decimals."""
    ring = [[round(x, 6), round(y, 6)] for x, y in polygon.exterior.coords]
    return {"type": "Polygon", "coordinates": [ring]}


def departments() -> list[dict]:
    """Return headquarters departments followed by one dong office per area."""
    hq = [_department(code, ko, en, "headquarters", None) for code, ko, en in _HQ_DEPARTMENTS]
    dong = [
        _department(
            f"dong-{slug}", f"{ko}주민센터", f"{en} Community Service Center", "dong_office", code
        )
        for code, slug, ko, en, _lat, _lon in _DONGS
    ]
    return hq + dong


def _department(code: str, name_ko: str, name_en: str, kind: str, area_code: str | None) -> dict:
    """Build one department dict with its demo e-mail address."""
    return {
        "code": code,
        "name_ko": name_ko,
        "name_en": name_en,
        "kind": kind,
        "area_code": area_code,
        "email": f"{code}@{EMAIL_DOMAIN}",
    }


def categories() -> list[dict]:
    """Return the 12 finding categories with deadlines and merge settings."""
    return [dict(zip(_CATEGORY_FIELDS, row, strict=True)) for row in _CATEGORIES]


def facility_types() -> list[dict]:
    """Return the facility types with the department owning such sites."""
    return [
        {"code": code, "name_ko": ko, "name_en": en, "owner_department_code": owner}
        for code, ko, en, owner in _FACILITY_TYPES
    ]


def sites(n: int = 300) -> list[dict]:
    """Return n demo sites, each point strictly inside the polygon of its dong."""
    rng = random.Random(SEED)
    shapes = {area["code"]: shape(area["geometry"]) for area in areas()}
    return [
        _site(rng, shapes, seq, ftype, k) for seq, (ftype, k) in enumerate(_site_types(n), start=1)
    ]


def _site_types(n: int) -> list[tuple[str, int]]:
    """Return (facility type, ordinal within the type) pairs following the site mix."""
    total = sum(count for _, count in _SITE_MIX)
    counts = [count * n // total for _, count in _SITE_MIX]
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    return [
        (ftype, k)
        for (ftype, _), count in zip(_SITE_MIX, counts, strict=True)
        for k in range(1, count + 1)
    ]


def _site(rng: random.Random, shapes: dict, seq: int, ftype: str, k: int) -> dict:
    """Generate one site of a facility type in a random suitable dong."""
    area_code = rng.choice(_RIVERSIDE_AREAS if ftype == "river_facility" else list(shapes))
    lat, lon = _random_point(rng, shapes[area_code])
    kind_ko, kind_en, owner = _site_kind(rng, ftype)
    warranty_end = _warranty_end(rng, ftype, k)
    _code, _slug, dong_ko, dong_en, _lat, _lon = next(r for r in _DONGS if r[0] == area_code)
    return {
        "code": f"SD-{seq:04d}",
        "name_ko": f"{dong_ko} {kind_ko} {k}호",
        "name_en": f"{dong_en} {kind_en} No. {k}",
        "facility_type": ftype,
        "lat": lat,
        "lon": lon,
        "area_code": area_code,
        "owner_department_code": owner,
        "address_ko": _address(rng, area_code, dong_ko),
        "warranty_end": warranty_end,
        "contractor": rng.choice(_CONTRACTORS) if warranty_end else None,
    }


def _address(rng: random.Random, area_code: str, dong_ko: str) -> str:
    """Return a plausible road address near a site."""
    road = rng.choice(_ROADS[area_code])
    return f"서울특별시 영등포구 {road} {rng.randint(1, 199)} 인근 ({dong_ko})"


def _random_point(rng: random.Random, polygon: Polygon) -> tuple[float, float]:
    """Rejection-sample a (lat, lon) rounded to 6 decimals strictly inside the polygon."""
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    while True:
        lon = round(rng.uniform(min_lon, max_lon), 6)
        lat = round(rng.uniform(min_lat, max_lat), 6)
        if polygon.contains(Point(lon, lat)):
            return lat, lon


def _site_kind(rng: random.Random, ftype: str) -> tuple[str, str, str]:
    """Pick the sub-kind of a site; types without sub-kinds use the type itself."""
    if ftype in _SUBKINDS:
        return rng.choice(_SUBKINDS[ftype])
    _code, ko, en, owner = next(row for row in _FACILITY_TYPES if row[0] == ftype)
    return ko, en, owner


def _warranty_end(rng: random.Random, ftype: str, k: int) -> str | None:
    """Return a defect-warranty end date for warranted sites, else None."""
    warranted = ftype == "public_facility" or (ftype == "construction_site" and k % 3 == 1)
    if not warranted:
        return None
    span = (_WARRANTY_END - _WARRANTY_START).days
    return (_WARRANTY_START + timedelta(days=rng.randint(0, span))).isoformat()


def routing_rules() -> list[dict]:
    """Return default, per-dong and site-owner routing rules; 'other' has none."""
    return _default_rules() + _dong_cleaning_rules() + _owner_rules()


def _rule(
    category: str,
    target: str,
    priority: int,
    note: str,
    area: str | None = None,
    owner: str | None = None,
) -> dict:
    """Build one routing rule dict."""
    return {
        "category_code": category,
        "area_code": area,
        "owner_department_code": owner,
        "target_department_code": target,
        "priority": priority,
        "effective_from": EFFECTIVE_FROM,
        "effective_to": None,
        "note": note,
    }


def _default_rules() -> list[dict]:
    """Send each category to its default department, except the unrouted ones."""
    return [
        _rule(row[0], row[-1], 10, f"기본 처리부서 — default department for {row[2].lower()}")
        for row in _CATEGORIES
        if row[0] not in _UNROUTED_CATEGORIES
    ]


def _dong_cleaning_rules() -> list[dict]:
    """Send cleaning findings in each dong to that dong's office."""
    return [
        _rule("cleaning", f"dong-{slug}", 20, f"{ko} 청소 민원은 동주민센터 처리", area=code)
        for code, slug, ko, _en, _lat, _lon in _DONGS
    ]


def _owner_rules() -> list[dict]:
    """Let the site owner handle findings at its own sites for some categories."""
    return [
        _rule(category, owner, 30, "시설 소관부서 처리 — the site owner handles it", owner=owner)
        for category, owners in _OWNER_RULES
        for owner in owners
    ]


# Patrol teams and patrolled dongs of the field users: (team, area codes).
_PATROL = {
    "patrol.kim": ("환경순찰 1조", ["11560540", "11560535"]),  # 여의동, 영등포동
    "patrol.lee": ("환경순찰 1조", ["11560515", "11560535"]),  # 영등포본동, 영등포동
    "patrol.park": ("환경순찰 2조", ["11560550", "11560560", "11560605"]),  # 당산1·2, 문래
    "auditor.choi": (None, ["11560540"]),  # 여의동 살피미
    "auditor.jung": (None, ["11560650", "11560660"]),  # 신길3·4동 구민감사관
}


# every demo user's password (a password containing the username is refused, NIST SP 800-63B)
DEMO_PASSWORD = "yeongdeungpo-demo"  # noqa: S105 - public, printed at start


def users() -> list[dict]:
    """Return demo users of every role; each one's password is DEMO_PASSWORD."""
    return [
        {
            "username": username,
            "display_name": name,
            "role": role,
            "department_code": department,
            "password": DEMO_PASSWORD,
            "team": _PATROL.get(username, (None, []))[0],
            "patrol_area_codes": list(_PATROL.get(username, (None, []))[1]),
        }
        for username, name, role, department in _USERS
    ]
