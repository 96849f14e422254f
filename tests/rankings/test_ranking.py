"""Composite scores, minimum volume, separate tables, ties, snapshots and awards."""
import pytest
from scenario import build, kst

from patrol_api.extensions import db
from patrol_api.models import RankingSnapshot
from patrol_api.rankings import awards, metrics, refresh, scoring, snapshots


@pytest.fixture
def october(ctx, monkeypatch):
    """The crafted month with a minimum volume of 2."""
    monkeypatch.setitem(ctx.config, "RANKING_MIN_VOLUME", 2)
    build()
    refresh.refresh()
    return scoring.tables(metrics.month_metrics("2026-10", as_of=kst(11, 22, 12)))


def test_scores_by_hand(october):
    """docs/rankings.md, "The composite score": k = 10, pooled means of the table."""
    hq = october["headquarters"]
    assert [(r["department_code"], r["rank"], r["score"]) for r in hq] == [
        ("clean", 1, 45.78), ("road", 2, 44.57)]
    road = hq[1]
    # on time: road 2/7, clean 1/5, pooled 3/12; z = 7/17 -> 7/17 × 2/7 + 10/17 × 1/4
    assert road["on_time_component"] == pytest.approx(7 / 17 * 2 / 7 + 10 / 17 / 4)
    assert road["credibility"] == pytest.approx(7 / 17)
    assert road["score_exact"] == pytest.approx(44.56649, abs=1e-5)  # rounded only for display
    assert road["score_low"] < road["score"] < road["score_high"]


def test_dong_offices_apart_and_ranked_with_small_volume(october):
    dong = october["dong_office"]
    assert [(r["department_code"], r["rank"], r["score"]) for r in dong] == [
        ("dong1", 1, 88.98)]


def _row(code, score):
    return {"department_code": code, "score": score}


def test_ties_share_a_rank_and_the_next_rank_skips():
    rows = [_row("b", 80.0), _row("a", 80.0), _row("c", 90.0), _row("d", 70.0)]
    scoring.competition_ranks(rows)
    assert [(r["department_code"], r["rank"], r["tied"]) for r in rows] == [
        ("c", 1, False), ("a", 2, True), ("b", 2, True), ("d", 4, False)]


def test_missing_component_rescales_weights():
    row = {"on_time": 1, "due": 2, "relative_time": None, "reopened": 0, "resolved": 0,
           "verified": 0, "failed": 0, "transferred": 0, "received": 0}
    assert scoring.score(row, {"on_time": 0.4, "speed": 0.6}) == 50.0


def test_recomputation_is_a_new_version(ctx, monkeypatch):
    build()
    first = snapshots.compute("2026-10")
    db.session.commit()
    second = snapshots.compute("2026-10")
    db.session.commit()
    assert (first.version, second.version) == (1, 2)
    assert first.formula_version == second.formula_version
    assert first.data_version == second.data_version
    assert db.session.query(RankingSnapshot).count() == 2


def _snapshot(month, rows):
    db.session.add(RankingSnapshot(month=month, version=1, data_version=0, formula_version="x",
                                   params={}, tables={"headquarters": rows, "dong_office": []}))


def _ranked(code, score):
    return {"department_id": ord(code), "department_code": code, "department_name": code,
            "ranked": True, "score": score}


def test_awards_best_and_excellent_with_minimum_months(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "RANKING_AWARD_EXCELLENT", 2)
    monkeypatch.setitem(ctx.config, "RANKING_AWARD_MIN_MONTHS", 2)
    _snapshot("2026-01", [_ranked("a", 90), _ranked("b", 80), _ranked("c", 70),
                          _ranked("d", 60), _ranked("e", 99)])
    _snapshot("2026-02", [_ranked("a", 70), _ranked("b", 80), _ranked("c", 70),
                          _ranked("d", 50)])
    db.session.commit()
    table = awards.awards(2026)["tables"]["headquarters"]
    assert [(r["department_code"], r["rank"], r["score"], r["award"]) for r in table] == [
        ("a", 1, 80.0, "최우수"), ("b", 1, 80.0, "최우수"), ("c", 3, 70.0, "우수"),
        ("d", 4, 55.0, None)]


def test_weights_from_text(ctx, monkeypatch):
    from patrol_api.rankings import settings
    monkeypatch.setitem(ctx.config, "RANKING_WEIGHTS", "on_time=0.5, speed=0.5")
    assert settings.get("RANKING_WEIGHTS") == {"on_time": 0.5, "speed": 0.5}
    with pytest.raises(ValueError):
        settings.weights("fastness=1")
