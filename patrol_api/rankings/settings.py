"""Ranking settings with their defaults (config keys RANKING_*)."""
from flask import current_app

DEFAULTS = {
    "RANKING_WEIGHTS": {"on_time": 0.4, "speed": 0.25, "reopen": 0.15,
                        "verification": 0.1, "transfer": 0.1},
    "RANKING_MIN_VOLUME": 5,
    "RANKING_REOPEN_WINDOW_DAYS": 30,
    "RANKING_BACKLOG_DAYS": 30,
    "RANKING_AWARD_BEST": 1,
    "RANKING_AWARD_EXCELLENT": 5,
    "RANKING_AWARD_MIN_MONTHS": 6,
}
FORMULA_VERSION = "2026.1"


def get(name: str):
    """A ranking setting: the app's value when set, else the default."""
    value = current_app.config.get(name)
    return DEFAULTS[name] if value is None else value
