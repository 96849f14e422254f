"""Presence at a site: distances of the phone and of the photo from it, and the far flag."""
from patrol_api.models import Site
from patrol_api.patrols import geo
from patrol_api.patrols.settings import setting


def _distance(site: Site, lat, lon) -> float | None:
    """Metres from the site to a position, or None without a position."""
    if lat is None or lon is None:
        return None
    return round(geo.distance_m(site.lat, site.lon, lat, lon), 1)


def measure(site: Site, position: dict | None, photo_position: dict | None = None) -> dict:
    """distance_m, photo_distance_m and far_from_site for a check or an inspection."""
    position, photo_position = position or {}, photo_position or {}
    phone = _distance(site, position.get("lat"), position.get("lon"))
    photo = _distance(site, photo_position.get("lat"), photo_position.get("lon"))
    limit = setting("PATROL_FAR_FROM_SITE_M")
    far = any(d is not None and d > limit for d in (phone, photo))
    return {"distance_m": phone, "photo_distance_m": photo, "far_from_site": far}


def far_reason(record) -> str | None:
    """Whose distance made a check or an inspection far from its site: phone, photo or both
    (None when it is not far); tells no position and no distance, so every reader sees it."""
    if not record.far_from_site:
        return None
    phone, photo = record.distance_m, getattr(record, "photo_distance_m", None)
    limit = setting("PATROL_FAR_FROM_SITE_M")
    beyond = [name for name, d in (("phone", phone), ("photo", photo))
              if d is not None and d > limit]
    if not beyond:  # the limit was raised since: the farther one raised the flag
        beyond = ["photo" if (photo or 0) > (phone or 0) else "phone"]
    return "both" if len(beyond) == 2 else beyond[0]
