"""The composite score and the ranked tables (headquarters and dong offices apart).

Each component is a share in [0, 1], higher is better, computed from the counts (never from
rounded rates); a component without data (e.g. no verification in the month) is left out and
the other weights are rescaled. Speed compares each item with its category's target, so
departments of different work compare fairly. Small volumes are not cut off: each component
is shrunk toward its table's pooled mean with the credibility z = n / (n + k) (Bühlmann),
so a department with a handful of items ranks near the middle, not at the top, and carries
a wider uncertainty interval (score_low .. score_high, ±1.96 standard errors).
"""
from patrol_api.rankings import settings

KINDS = ("headquarters", "dong_office")


def inputs(row: dict) -> dict:
    """{component: (value, n)} from a metrics row's counts (unrounded; None without data)."""
    def share(numerator, denominator, inverse=False):
        if not denominator:
            return None, 0
        value = numerator / denominator
        return (1 - value if inverse else value), denominator
    relative = row.get("relative_time")
    speed = (None, 0) if relative is None or not row["due"] else (
        1 - min(relative, 2.0) / 2, row["due"])
    return {"on_time": share(row["on_time"], row["due"]),
            "speed": speed,
            "reopen": share(row["reopened"], row["resolved"], inverse=True),
            "verification": share(row["verified"], row["verified"] + row["failed"]),
            "transfer": share(row["transferred"], row["received"], inverse=True),
            "rejection": share(row.get("rejected", 0), row["received"], inverse=True)}


def components(row: dict) -> dict:
    """The raw score components of a metrics row (None when there is nothing to measure)."""
    return {name: value for name, (value, _) in inputs(row).items()}


def group_means(rows: list[dict]) -> dict:
    """Each component's mean over a table, weighted by its counts (the pooled rate)."""
    sums: dict = {}
    for row in rows:
        for name, (value, n) in inputs(row).items():
            if value is not None:
                total = sums.setdefault(name, [0.0, 0])
                total[0] += value * n
                total[1] += n
    return {name: total / n for name, (total, n) in sums.items() if n}


def credible(row: dict, weights: dict, means: dict, k: float) -> dict:
    """The credibility-weighted score of a row: each component shrunk toward its group's
    mean with weight z = n / (n + k), its uncertainty, and every input, unrounded."""
    parts, shown = [], {}
    for name, (value, n) in inputs(row).items():
        weight = weights.get(name, 0)
        if value is None or weight <= 0:
            shown[f"{name}_component"] = None
            continue
        z = n / (n + k) if k else 1.0
        shrunk = z * value + (1 - z) * means.get(name, value)
        # the variance of a share of n items, at the shrunk estimate (never 0 for 5 of 5)
        parts.append((weight, shrunk, z * z * shrunk * (1 - shrunk) / n))
        shown[f"{name}_component"] = shrunk
    total = sum(weight for weight, _, _ in parts)
    if not total:
        return {**shown, "score_exact": None, "score": None, "score_low": None,
                "score_high": None, "credibility": None}
    exact = 100 * sum(weight * value for weight, value, _ in parts) / total
    error = 100 * sum((weight / total) ** 2 * var for weight, _, var in parts) ** 0.5
    due = row["due"]
    return {**shown, "score_exact": exact, "score": round(exact, 2),
            "score_low": round(max(0.0, exact - 1.96 * error), 2),
            "score_high": round(min(100.0, exact + 1.96 * error), 2),
            "credibility": due / (due + k) if k else 1.0}


def score(row: dict, weights: dict) -> float | None:
    """The weighted mean of the raw components, 0-100, two decimals (no shrinking)."""
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


def table(rows: list[dict], weights: dict, min_volume: int, k: float = 0) -> list[dict]:
    """Rows of one kind ranked by their credibility-weighted score; those with nothing due
    (or below the minimum volume) listed after, unranked."""
    means = group_means(rows)
    for row in rows:
        row.update(credible(row, weights, means, k))
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
    k = settings.get("RANKING_CREDIBILITY_K")
    return {kind: table([r for r in rows if r["department_kind"] == kind], weights, minimum, k)
            for kind in KINDS}
