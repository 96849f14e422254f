"""Distances on the ground and track simplification (Douglas-Peucker)."""
import math

EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _offset_m(point, start, end) -> float:
    """Distance in metres from point to the segment start-end (local flat projection)."""
    scale = math.cos(math.radians(start[0]))
    def xy(p):
        return ((p[1] - start[1]) * scale * 111_320.0, (p[0] - start[0]) * 110_540.0)
    (px, py), (ex, ey) = xy(point), xy(end)
    length2 = ex * ex + ey * ey
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, (px * ex + py * ey) / length2))
    return math.hypot(px - t * ex, py - t * ey)


def simplify(points: list, tolerance_m: float) -> list:
    """Douglas-Peucker: keep the points that deviate more than tolerance_m from the line."""
    if len(points) < 3:
        return list(points)
    offsets = [_offset_m(p, points[0], points[-1]) for p in points[1:-1]]
    worst = max(range(len(offsets)), key=offsets.__getitem__)
    if offsets[worst] <= tolerance_m:
        return [points[0], points[-1]]
    split = worst + 1
    return simplify(points[:split + 1], tolerance_m)[:-1] + simplify(points[split:], tolerance_m)
