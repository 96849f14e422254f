"""Patrol settings with their defaults (config keys PATROL_*)."""
from flask import current_app

DEFAULTS = {
    "PATROL_FAR_FROM_SITE_M": 150,
    "PATROL_TRACK_TOLERANCE_M": 10,
    "PATROL_MAX_TRACK_POINTS": 20000,
    "PATROL_AUTO_CLOSE_HOURS": 12,
    "PATROL_SCHEDULE_AHEAD_DAYS": 30,
    "WARRANTY_WARN_DAYS": 90,
    "WARRANTY_INSPECTION_MONTHS": 6,
}


def setting(name: str):
    """A patrol setting from the app config, or its default when unset."""
    value = current_app.config.get(name)
    return DEFAULTS[name] if value is None else value
