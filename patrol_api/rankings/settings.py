"""Ranking settings with their defaults (config keys RANKING_*)."""
from flask import current_app

DEFAULTS = {
    "RANKING_WEIGHTS": {"on_time": 0.4, "speed": 0.25, "reopen": 0.15,
                        "verification": 0.1, "transfer": 0.1, "rejection": 0.1},
    "RANKING_MIN_VOLUME": 1,
    "RANKING_CREDIBILITY_K": 10,
    "RANKING_HOLD_ALLOWANCE_HOURS": 0,
    "RANKING_REOPEN_WINDOW_DAYS": 30,
    "RANKING_BACKLOG_DAYS": 30,
    "RANKING_AWARD_BEST": 1,
    "RANKING_AWARD_EXCELLENT": 5,
    "RANKING_AWARD_MIN_MONTHS": 6,
}
# .2: open holds pause due dates; rejection rate; withdrawals. 2027.1: lateness stays with
# the holder, approved holds only, overdue items count every month, recurrences, credibility.
FORMULA_VERSION = "2027.1"


def get(name: str):
    """A ranking setting: the app's value when set, else the default."""
    value = current_app.config.get(name)
    if value is None:
        return DEFAULTS[name]
    return weights(value) if name == "RANKING_WEIGHTS" and isinstance(value, str) else value


def weights(text: str) -> dict:
    """Weights written as "on_time=0.4,speed=0.25"; unknown components are refused."""
    pairs = dict(item.split("=", 1) for item in text.split(",") if item.strip())
    parsed = {name.strip(): float(value) for name, value in pairs.items()}
    unknown = set(parsed) - set(DEFAULTS["RANKING_WEIGHTS"])
    if unknown:
        raise ValueError(f"RANKING_WEIGHTS: unknown components {sorted(unknown)}")
    return parsed
