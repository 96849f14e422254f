"""December awards (최우수 1, 우수 5 by default) from the year's monthly snapshots.

A department's annual score is the mean of its scores in the months it was ranked; it must
have been ranked in at least RANKING_AWARD_MIN_MONTHS months. Ties at a boundary are all
awarded (two equal best departments are both 최우수, the 우수 places then start after them).
The answer names the months of the year without a snapshot (`months_missing`) and then
carries a `warning`, since the annual scores are means over the other months only.
"""
from patrol_api.rankings import months, scoring, settings, snapshots


def _annual(snaps, kind: str) -> list[dict]:
    """Per department of a kind: months ranked and mean score."""
    seen: dict[int, dict] = {}
    for snap in snaps:
        for row in snap.tables.get(kind, []):
            if row.get("ranked"):
                entry = seen.setdefault(row["department_id"], {
                    "department_id": row["department_id"], "department_code":
                    row["department_code"], "department_name": row["department_name"],
                    "department_kind": kind, "scores": []})
                entry["scores"].append(row["score"])
    return list(seen.values())


def _summary(entry: dict) -> dict:
    """A department's annual row: months ranked and mean score."""
    scores = entry["scores"]
    row = {key: value for key, value in entry.items() if key != "scores"}
    return {**row, "months_ranked": len(scores), "score": round(sum(scores) / len(scores), 2)}


def _award(row: dict, best: int, excellent: int) -> str | None:
    """The award a rank earns."""
    if row["rank"] <= best:
        return "최우수"
    return "우수" if row["rank"] <= best + excellent else None


def kind_awards(snaps, kind: str) -> list[dict]:
    """The annual table of one kind, with awards."""
    minimum = settings.get("RANKING_AWARD_MIN_MONTHS")
    rows = [_summary(entry) for entry in _annual(snaps, kind)
            if len(entry["scores"]) >= minimum]
    scoring.competition_ranks(rows)
    best, excellent = settings.get("RANKING_AWARD_BEST"), settings.get("RANKING_AWARD_EXCELLENT")
    for row in rows:
        row["award"] = _award(row, best, excellent)
    return rows


def missing_months(year: int, snaps) -> list[str]:
    """The months of the year without a snapshot."""
    present = {snap.month for snap in snaps}
    return [month for month in months.span(f"{year:04d}-01", f"{year:04d}-12")
            if month not in present]


def warning(missing: list[str]) -> str | None:
    """The incompleteness warning, Korean and English; None when every month is there."""
    if not missing:
        return None
    listed = ", ".join(missing)
    return (f"월별 평가 스냅샷 없음: {listed} — 연간 점수는 나머지 달의 평균입니다. "
            f"(No snapshot for {listed}: annual scores are means over the other months.)")


def awards(year: int) -> dict:
    """The year's awards per department kind, which snapshots they came from, which are missing."""
    snaps = snapshots.latest_of_year(year)
    missing = missing_months(year, snaps)
    return {"year": year, "snapshots": [{"id": s.id, "month": s.month, "version": s.version,
                                         "data_version": s.data_version,
                                         "formula_version": s.formula_version,
                                         "reason": s.reason} for s in snaps],
            "months_missing": missing, "warning": warning(missing),
            "tables": {kind: kind_awards(snaps, kind) for kind in scoring.KINDS}}
