"""The composite score and the ranked tables (headquarters and dong offices apart).

Each component is a share in [0, 1], higher is better; a component without data (e.g. no
verification in the month) is left out and the other weights are rescaled. Speed compares
each resolution with its category's target, so departments of different work compare fairly.
"""
from patrol_api.rankings import settings

KINDS = ("headquarters", "dong_office")


def components(row: dict) -> dict:
    """The score components of a metrics row (None when there is nothing to measure)."""
    def inverse(rate):
        return None if rate is None else 1 - rate
    relative = row.get("relative_time")
    return {"on_time": row["on_time_rate"],
            "speed": None if relative is None else 1 - min(relative, 2.0) / 2,
            "reopen": inverse(row["reopen_rate"]),
            "verification": row["verification_pass_rate"],
            "transfer": inverse(row["transfer_rate"]),
            "rejection": inverse(row.get("rejection_rate"))}


def score(row: dict, weights: dict) -> float | None:
    """The weighted mean of the available components, 0-100, two decimals."""
    parts = [(weights.get(name, 0), value) for name, value in components(row).items()
             if value is not None and weights.get(name, 0) > 0]
    total = sum(weight for weight, _ in parts)
    if not total:
        return None
    return round(100 * sum(weight * value for weight, value in parts) / total, 2)


def competition_ranks(scored: list[dict], key: str = "score") -> None:
    """Rank by score, highest first; equal scores share a rank, the next rank skips (1,1,3)."""
    scored.sort(key=lambda row: (-row[key], row["department_code"]))
    for position, row in enumerate(scored, start=1):
        same = position > 1 and scored[position - 2][key] == row[key]
        row["rank"] = scored[position - 2]["rank"] if same else position
        row["tied"] = False
    for earlier, later in zip(scored, scored[1:], strict=False):
        if earlier["rank"] == later["rank"]:
            earlier["tied"] = later["tied"] = True


def table(rows: list[dict], weights: dict, min_volume: int) -> list[dict]:
    """Rows of one kind ranked; those below the minimum volume listed after, unranked."""
    for row in rows:
        row["score"] = score(row, weights)
        row["volume"] = row["due"]
        row["ranked"] = row["volume"] >= min_volume and row["score"] is not None
    ranked = [row for row in rows if row["ranked"]]
    competition_ranks(ranked)
    others = sorted((row for row in rows if not row["ranked"]),
                    key=lambda row: row["department_code"])
    for row in others:
        row.update(rank=None, tied=False, note="below_min_volume")
    return ranked + others


def tables(rows: list[dict]) -> dict:
    """{kind: ranked table} with the configured weights and minimum volume."""
    weights, minimum = settings.get("RANKING_WEIGHTS"), settings.get("RANKING_MIN_VOLUME")
    return {kind: table([r for r in rows if r["department_kind"] == kind], weights, minimum)
            for kind in KINDS}
