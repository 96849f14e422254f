"""Speed is normalised by category: a crafted October of two categories with different
targets and a priority cap, computed by hand in docs/rankings.md ("Worked example: two
categories").

Department works handles 도로 (3 business days = 86,400 s) and 건축 (10 days = 288,000 s):
G1 도로 in 12 h (0.5), G2 건축 in 48 h (0.6), G3 건축 of priority high (capped to 3 days)
in 16 h (0.6667; 0.2 against the uncapped target). Department fast handles only 도로:
H1 in 24 h (1.0). All received Mon 10-12 09:00 and resolved on time.
"""
import pytest
import sqlalchemy as sa
from scenario import department, finding, kst

from patrol_api.extensions import db
from patrol_api.models import Category, Finding, RankingFact
from patrol_api.rankings import metrics, refresh, scoring

START = kst(10, 12, 9)


def _category(code: str, name: str, days: int) -> Category:
    cat = Category(code=code, name_ko=name, name_en=code, group="street", ack_hours=8,
                   resolve_days=days)
    db.session.add(cat)
    db.session.flush()
    return cat


def _resolved(cat, number, dept, due, resolved, **columns):
    finding(cat, number, [("routed", dept, START, "assigned", {"resolve_due_at": due}),
                          ("resolve", dept, resolved, "resolved", None)], **columns)


@pytest.fixture
def two_categories(ctx):
    """The crafted findings; October metrics rows by department code, and the categories."""
    road, building = _category("road", "도로", 3), _category("building", "건축", 10)
    works, fast = department("works"), department("fast")
    _resolved(road, 1, works, kst(10, 15, 18), kst(10, 13, 14))                 # 12 h
    _resolved(building, 2, works, kst(10, 26, 18), kst(10, 19, 18))             # 48 h
    _resolved(building, 3, works, kst(10, 15, 18), kst(10, 13, 18), priority="high")  # 16 h
    _resolved(road, 4, fast, kst(10, 15, 18), kst(10, 14, 18))                  # 24 h
    db.session.commit()
    refresh.refresh()
    rows = metrics.month_metrics("2026-10", as_of=kst(11, 22, 12))
    return {row["department_code"]: row for row in rows}, {"road": road, "building": building}


def test_expected_resolve_time_follows_category_and_priority_cap(two_categories):
    expected = db.session.execute(sa.select(RankingFact.expected_resolve_s).order_by(
        RankingFact.finding_id)).scalars().all()
    assert expected == [86_400, 288_000, 86_400, 86_400]  # G3: priority high caps 10 → 3 days


def test_relative_time_and_speed_by_hand(two_categories):
    rows, _ = two_categories
    works, fast = rows["works"], rows["fast"]
    assert works["resolve_p50_s"] == 57_600  # raw hours: 12, 16, 48 → median 16 h
    assert works["relative_time"] == pytest.approx((0.5 + 0.6 + 57_600 / 86_400) / 3)  # 0.5889
    assert scoring.components(works)["speed"] == pytest.approx(1 - 0.588889 / 2, abs=1e-6)
    assert fast["relative_time"] == pytest.approx(1.0)
    assert scoring.components(fast)["speed"] == pytest.approx(0.5)


def test_the_faster_department_on_raw_hours_is_slower_against_targets(two_categories):
    rows, _ = two_categories
    weights = {"on_time": 0.4, "speed": 0.25, "reopen": 0.15, "verification": 0.1,
               "transfer": 0.1, "rejection": 0.1}
    assert scoring.score(rows["works"], weights) == 92.64  # 100 × (0.4 + 0.1764 + 0.35)
    assert scoring.score(rows["fast"], weights) == 87.5    # 100 × (0.4 + 0.125 + 0.35)


def test_without_the_priority_cap_the_target_is_longer(two_categories, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "FINDING_PRIORITY_CAPS", {})
    refresh.rebuild(list(db.session.execute(sa.select(Finding.id)).scalars()))  # re-cut
    works = next(row for row in metrics.month_metrics("2026-10", as_of=kst(11, 22, 12))
                 if row["department_code"] == "works")
    assert works["relative_time"] == pytest.approx((0.5 + 0.6 + 0.2) / 3)  # 0.4333


def test_category_filter_normalises_within_the_category(two_categories):
    _, cats = two_categories
    rows = metrics.month_metrics("2026-10", metrics.Filters(category_ids=(cats["building"].id,)),
                                 as_of=kst(11, 22, 12))
    assert [(row["department_code"], round(row["relative_time"], 4)) for row in rows] == [
        ("works", 0.6333)]  # (0.6 + 0.6667) / 2
