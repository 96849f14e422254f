"""Site checks: "inspected, no problem" (or "problem") per site, so coverage is measurable."""
from patrol_api.extensions import db
from patrol_api.models import Site, User
from patrol_api.models.patrols import SiteCheck
from patrol_api.patrols import device_times, presence


def record(user: User, client_id: str, site: Site, data: dict, clock=None) -> SiteCheck:
    """Store a site check with the phone's distance to the site (data: result, checked_at,
    position, run_id); with a push's `clock`, checked_at is a device time."""
    measured = presence.measure(site, data.get("position"))
    position = data.get("position") or {}
    when = device_times.stamp(data["checked_at"], clock)
    check = SiteCheck(client_id=client_id, user_id=user.id, site_id=site.id,
                      run_id=data.get("run_id"), result=data["result"],
                      checked_at=when.at, checked_at_device=when.device,
                      clock_offset_ms=when.offset_ms, time_flags=when.flags,
                      lat=position.get("lat"),
                      lon=position.get("lon"), distance_m=measured["distance_m"],
                      far_from_site=measured["far_from_site"])
    db.session.add(check)
    db.session.flush()
    return check
