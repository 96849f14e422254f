"""What the simulated district looks like: where patrols go, what they report, in what words."""
import math
import random
from dataclasses import dataclass

from shapely.geometry import Point, shape

from patrol_api.demo import district

# Dongs the patrols visit most (their dong offices get enough cleaning work to be ranked).
BUSY_DONGS = ("11560540", "11560550", "11560605", "11560535")

# category: (weight, facility types its reports are made at (None: anywhere))
CATEGORY_MIX = {
    "roads": (20, None),
    "traffic": (14, ("bicycle_rack", "school_zone", None)),
    "cleaning": (26, (None, None, "public_toilet")),
    "water": (12, ("storm_drain", "river_facility")),
    "parks": (10, ("park",)),
    "street_order": (10, None),
    "safety": (3, ("construction_site", "cooling_shelter")),
    "public_facilities": (2, ("public_facility",)),
    "environment": (2, None),
    "buildings": (1, None),
    "other": (4, None),
}

NOTES = {
    "roads": ("보도블록 파손, 보행자 걸려 넘어질 위험", "도로 포트홀 발생 (지름 약 40cm)",
              "맨홀 뚜껑 단차", "차도 균열 및 침하"),
    "traffic": ("신호등 고장 (보행 신호 미점등)", "교통 표지판 훼손",
                "어린이보호구역 노면표시 지워짐", "자전거보관대 방치 자전거 다수"),
    "cleaning": ("무단투기 쓰레기 적치", "재활용품 수거 누락", "공중화장실 청소 불량",
                 "가로변 쓰레기통 넘침"),
    "water": ("빗물받이 막힘 (낙엽·토사)", "빗물받이 덮개 파손", "하천 산책로 물고임", "배수 불량"),
    "parks": ("공원 벤치 파손", "놀이시설 나사 풀림", "가로수 가지 부러짐", "공원 조명 고장"),
    "street_order": ("불법 노점 보도 점용", "불법 현수막 게시", "보도 적치물 통행 방해",
                     "입간판 보도 점용"),
    "safety": ("공사장 안전펜스 쓰러짐", "무더위쉼터 출입문 잠김", "추락 위험 구간 난간 없음",
               "공사장 야간 경광등 미작동"),
    "public_facilities": ("경로당 출입구 경사로 파손", "도서관 외벽 타일 탈락",
                          "공영주차장 차단기 고장", "주민센터 안내판 훼손"),
    "environment": ("음식점 악취 민원", "공사장 비산먼지", "불법 소각 연기", "차량 공회전"),
    "buildings": ("빈집 외벽 균열", "불법 증축 의심", "옥외 계단 부식", "노후 축대 배부름"),
    "other": ("관할 불분명 시설물 파손", "방치 차량 장기 주차", "주인 없는 적치물",
              "기타 불편 사항"),
}

PATROL_KIND_LABELS = {
    "routine": ("상시순찰", "Routine patrol"),
    "campaign": ("기획순찰", "Themed campaign"),
    "senior_day": ("간부 주간순찰", "Senior staff daytime patrol"),
    "senior_night": ("야간합동순찰", "Senior staff night joint patrol"),
    "dong_police": ("동장·지구대장 합동순찰", "Dong chief and police joint patrol"),
    "residents_walk": ("함께하는 동네한바퀴", "Residents' neighbourhood walk"),
    "early_morning": ("조기순찰", "Early morning patrol"),
    "night": ("야간순찰", "Night patrol"),
}


@dataclass(frozen=True)
class Place:
    """A registered site as the simulation sees it."""

    code: str
    facility_type: str
    lat: float
    lon: float
    area_code: str


class Map:
    """The district's dongs and sites, for choosing where patrols walk and what they see."""

    def __init__(self):
        self.shapes = {area["code"]: shape(area["geometry"]) for area in district.areas()}
        self.places = [Place(row["code"], row["facility_type"], row["lat"], row["lon"],
                             row["area_code"]) for row in district.sites()]
        self.by_area: dict[str, list[Place]] = {}
        for place in self.places:
            self.by_area.setdefault(place.area_code, []).append(place)

    def dong(self, rng: random.Random) -> str:
        """A dong to patrol: the busy ones more often."""
        draw = rng.random()
        if draw < 0.45:
            return BUSY_DONGS[0]
        if draw < 0.7:
            return rng.choice(BUSY_DONGS[1:])
        return rng.choice(sorted(self.shapes))

    def point_in(self, rng: random.Random, area_code: str) -> tuple[float, float]:
        """A random (lat, lon) inside a dong."""
        polygon = self.shapes[area_code]
        min_lon, min_lat, max_lon, max_lat = polygon.bounds
        while True:
            lon, lat = rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)
            if polygon.contains(Point(lon, lat)):
                return round(lat, 6), round(lon, 6)

    def route(self, rng: random.Random, area_code: str, stops: int,
              facility_type: str | None = None) -> list[Place]:
        """Sites to walk past in a dong (only of one type, if given), nearest first."""
        pool = [p for p in self.by_area.get(area_code, [])
                if facility_type in (None, p.facility_type)]
        rng.shuffle(pool)
        chosen = pool[:stops]
        if not chosen:
            return []
        ordered = [chosen.pop(0)]
        while chosen:
            last = ordered[-1]
            chosen.sort(key=lambda p: (p.lat - last.lat) ** 2 + (p.lon - last.lon) ** 2)
            ordered.append(chosen.pop(0))
        return ordered

    def site_of(self, rng: random.Random, area_code: str, types: tuple) -> Place | None:
        """A site of one of the facility types in the dong, if it has one."""
        wanted = [p for p in self.by_area.get(area_code, []) if p.facility_type in types]
        return rng.choice(wanted) if wanted else None


def category(rng: random.Random) -> str:
    """A category code, following the usual mix of reports."""
    codes = list(CATEGORY_MIX)
    return rng.choices(codes, weights=[CATEGORY_MIX[c][0] for c in codes])[0]


def offset(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    """A point exactly `metres` from (lat, lon), in a random direction."""
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = metres * math.cos(bearing) / 111_320
    dlon = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def nudge(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    """A point at most `metres` from (lat, lon), in a random direction."""
    return offset(rng, lat, lon, rng.uniform(0, metres))


def walk(rng: random.Random, stops: list[tuple[float, float]], start_s: int,
         end_s: int) -> list[list]:
    """GPS points [lat, lon, unix seconds] about every 60 s along the stops, with jitter."""
    if len(stops) == 1:
        stops = stops * 2
    count = max(2, (end_s - start_s) // 60)
    legs = len(stops) - 1
    points = []
    for i in range(count + 1):
        where = i * legs / count
        leg = min(int(where), legs - 1)
        share = where - leg
        (lat1, lon1), (lat2, lon2) = stops[leg], stops[leg + 1]
        lat, lon = nudge(rng, lat1 + (lat2 - lat1) * share, lon1 + (lon2 - lon1) * share, 6)
        points.append([lat, lon, start_s + (end_s - start_s) * i // count])
    return points
