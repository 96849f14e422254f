"""Shared helpers for the benchmarks: realistic field records, timing, reporting."""

from __future__ import annotations

import contextlib
import hashlib
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from orjson import loads as decode_json  # noqa: F401 - the clients of this server and Kinto alike

# Yeongdeungpo-gu, Seoul: the box the generated findings fall into.
LAT_RANGE = (37.49, 37.55)
LON_RANGE = (126.88, 126.95)
TEXT_CHARS = 230  # ~200-odd Korean characters per note: records come to ~900 bytes of JSON
KST = timezone(timedelta(hours=9), "KST")

CATEGORIES = (
    "road_damage",
    "illegal_dumping",
    "illegal_parking",
    "streetlight_out",
    "broken_sidewalk",
    "graffiti",
    "fallen_tree",
    "blocked_drain",
    "illegal_banner",
    "construction_hazard",
)

_PLACES = (
    "영등포역 3번 출구 앞",
    "여의도공원 남쪽 산책로",
    "당산역 고가 아래",
    "문래동 창작촌 골목",
    "대림시장 입구 맞은편",
    "신길동 주민센터 옆 이면도로",
    "양평동 공영주차장 진입로",
    "도림천 자전거길 교량 밑",
    "영등포시장 사거리 횡단보도",
    "선유도역 버스정류장 뒤편",
)
_PROBLEMS = (
    "보도블록 여러 장이 들떠 있어 보행자가 걸려 넘어질 위험이 있습니다.",
    "대형 폐기물과 생활쓰레기가 무단으로 쌓여 악취가 심하게 납니다.",
    "가로등 두 개가 저녁부터 꺼져 있어 골목이 매우 어둡습니다.",
    "차도 가장자리에 지름 약 40센티미터의 포트홀이 생겼습니다.",
    "빗물받이가 낙엽과 흙으로 막혀 비가 오면 물이 고입니다.",
    "불법 현수막 세 개가 신호등 기둥에 묶여 시야를 가립니다.",
    "공사장 안전펜스가 넘어져 인도 절반을 막고 있습니다.",
    "담벼락에 낙서가 새로 생겼고 범위가 점점 넓어지고 있습니다.",
    "가로수 가지가 부러져 전선 가까이에 걸려 있습니다.",
    "소화전 앞에 차량이 장시간 불법 주차되어 있습니다.",
)
_DETAILS = (
    "오전 순찰 때 처음 확인했고 오후에 다시 가 보니 상태가 더 나빠졌습니다.",
    "인근 상인 말로는 일주일 넘게 방치되었다고 합니다.",
    "어린이 통학로라서 등하교 시간에 특히 위험해 보입니다.",
    "지난달 같은 위치에서 신고된 건과 비슷한 내용입니다.",
    "사진은 정면과 측면에서 한 장씩 촬영했습니다.",
    "주변에 임시로 안전 고깔을 세워 두었습니다.",
)
_REQUESTS = (
    "담당 부서의 빠른 현장 확인과 조치를 요청합니다.",
    "도로관리과에 이관하여 보수 일정을 잡아 주시기 바랍니다.",
    "청소행정과에 수거를 요청해 주시기 바랍니다.",
    "조치 후 재확인 순찰이 필요합니다.",
)


def korean_text(rng: random.Random, length: int = TEXT_CHARS) -> str:
    """A field note of exactly ``length`` characters made of realistic Korean sentences."""
    parts = [rng.choice(_PLACES) + "에서", rng.choice(_PROBLEMS)]
    while sum(len(part) + 1 for part in parts) < length:
        parts.append(rng.choice(_DETAILS + _REQUESTS + _PROBLEMS))
    return " ".join(parts)[:length].rstrip()


def finding_records(n: int, seed: int = 0) -> list[dict]:
    """``n`` deterministic field findings of about 900 bytes of JSON each (UTF-8).

    Keys: id (UUID4 string), category, lat, lon, note (~230 Korean characters),
    observed_at (ISO 8601 with offset, +09:00), photos (two SHA-256 hex digests).
    """
    rng = random.Random(seed)
    start = datetime(2025, 5, 12, 8, 30, tzinfo=KST)
    records = []
    for _ in range(n):
        seen = start + timedelta(seconds=rng.randrange(0, 30 * 24 * 3600))
        records.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "category": rng.choice(CATEGORIES),
                "lat": round(rng.uniform(*LAT_RANGE), 6),
                "lon": round(rng.uniform(*LON_RANGE), 6),
                "note": korean_text(rng),
                "observed_at": seen.isoformat(timespec="seconds"),
                "photos": [
                    hashlib.sha256(rng.randbytes(32)).hexdigest(),
                    hashlib.sha256(rng.randbytes(32)).hexdigest(),
                ],
            }
        )
    return records


def format_value(value: float) -> str:
    """Integers as is; |x| >= 10 with one decimal; smaller values with 3 significant digits."""
    if isinstance(value, int):
        return str(value)
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def report(name: str, value: float, unit: str) -> str:
    """Print (and return) one result line, exactly ``name: value unit``."""
    line = f"{name}: {format_value(value)} {unit}"
    print(line, flush=True)
    return line


class Timer:
    """Elapsed wall-clock seconds of a ``with timed() as t:`` block (``t.seconds``)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.seconds = 0.0

    def elapsed(self) -> float:
        """Seconds since the block started (final once the block has ended)."""
        return self.seconds or time.perf_counter() - self.start


@contextlib.contextmanager
def timed() -> Iterator[Timer]:
    """Time a block: ``with timed() as t: ...`` then read ``t.seconds``."""
    timer = Timer()
    try:
        yield timer
    finally:
        timer.seconds = time.perf_counter() - timer.start


def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    if not values:
        raise ValueError("median of no values")
    return statistics.median(values)


def database_urls(db: str, name: str, sizes):
    """Yield (size, URL of a fresh database) per size: temporary SQLite files, or databases
    of one throwaway PostgreSQL server started for the run."""
    if db == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
        for size in sizes:
            yield size, f"sqlite:///{folder / f'{name}-{size}.db'}"
        return
    from devtools.servers import PostgresServer

    with PostgresServer() as server:
        for size in sizes:
            yield size, server.create_database(f"{name}_{size}")
