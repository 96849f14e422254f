"""Routing rules: priority, specificity, effective dates, ties and the coordination queue."""
from datetime import date

from patrol_api.extensions import db
from patrol_api.findings import routing
from patrol_api.models.reference import Area, Category, Department, RoutingRule
from patrol_api.reference.service import by_code
from tests.conftest import make_department

DAY = date(2026, 11, 23)


def _category(code="roads") -> Category:
    category = Category(code=code, name_ko="도로", name_en="Roads", group="street")
    db.session.add(category)
    return category


def _area(code="11560540") -> Area:
    area = Area(code=code, name_ko="여의동", name_en="Yeoui-dong", geometry={},
                min_lat=0, min_lon=0, max_lat=1, max_lon=1)
    db.session.add(area)
    return area


def _rule(target, category=None, area=None, owner=None, priority=10, start=date(2026, 1, 1),
          end=None) -> RoutingRule:
    rule = RoutingRule(target_department=target, category=category, area=area,
                       owner_department=owner, priority=priority, effective_from=start,
                       effective_to=end)
    db.session.add(rule)
    db.session.flush()
    return rule


def test_default_rule_routes(ctx):
    roads, dept = _category(), make_department()
    rule = _rule(dept, roads)
    decision = routing.decide(roads.id, None, None, DAY)
    assert (decision.department_id, decision.rule_id, decision.outcome) == (
        dept.id, rule.id, "rule")


def test_higher_priority_wins(ctx):
    roads, area = _category(), _area()
    hq, dong = make_department(), make_department("dong_office")
    _rule(hq, roads, priority=10)
    local = _rule(dong, roads, area, priority=20)
    decision = routing.decide(roads.id, area.id, None, DAY)
    assert decision.department_id == dong.id and decision.rule_id == local.id
    elsewhere = routing.decide(roads.id, None, None, DAY)
    assert elsewhere.department_id == hq.id


def test_more_specific_wins_at_equal_priority(ctx):
    roads, owner = _category(), make_department()
    general, specific = make_department(), make_department()
    _rule(general, roads, priority=10)
    chosen = _rule(specific, roads, owner=owner, priority=10)
    assert routing.decide(roads.id, None, owner.id, DAY).rule_id == chosen.id


def test_tie_goes_to_coordination(ctx):
    roads, area = _category(), _area()
    first = _rule(make_department(), roads, priority=10)
    second = _rule(make_department(), None, area, priority=10)
    # one sets the category, the other the area: equal priority, equal specificity
    decision = routing.decide(roads.id, area.id, None, DAY)
    assert decision.to_coordination and decision.outcome == "tie"
    assert set(decision.tied_rule_ids) == {first.id, second.id}


def test_no_rule_goes_to_coordination(ctx):
    welfare = _category("welfare")
    decision = routing.decide(welfare.id, None, None, DAY)
    assert decision.to_coordination and decision.outcome == "no_rule"


def test_effective_dates_and_retired_rules(ctx):
    roads = _category()
    old, new = make_department(), make_department()
    _rule(old, roads, start=date(2025, 1, 1), end=date(2026, 6, 30))
    _rule(new, roads, start=date(2026, 7, 1))
    assert routing.decide(roads.id, None, None, date(2026, 3, 1)).department_id == old.id
    assert routing.decide(roads.id, None, None, date(2026, 7, 1)).department_id == new.id
    retired = _rule(make_department(), roads, priority=99)
    retired.deleted_at = retired.created_at
    db.session.flush()
    assert routing.decide(roads.id, None, None, DAY).department_id == new.id


def test_demo_rules_route_cleaning_to_the_dong_office(ctx, demo):
    cleaning, other = by_code(Category, "cleaning"), by_code(Category, "other")
    yeoui = by_code(Area, "11560540")
    decision = routing.decide(cleaning.id, yeoui.id, None, DAY)
    assert db.session.get(Department, decision.department_id).code == "dong-yeoui"
    assert routing.decide(other.id, yeoui.id, None, DAY).to_coordination
