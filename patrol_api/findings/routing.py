"""Routing: which department a finding goes to, by rules on category x area x site owner.

The highest priority among matching rules wins; at equal priority the rule with more
conditions wins; if rules still disagree, or none matches, the finding goes to the
coordination queue (민원조정) instead of to a guessed department.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from patrol_api.extensions import db
from patrol_api.models.reference import RoutingRule

DECIDED, NO_RULE, TIE = "rule", "no_rule", "tie"


@dataclass(frozen=True)
class RoutingDecision:
    """The outcome: a department and the rule that chose it, or the coordination queue."""

    department_id: int | None
    rule_id: int | None
    outcome: str
    tied_rule_ids: tuple = field(default_factory=tuple)

    @property
    def to_coordination(self) -> bool:
        """True when a manager must assign the finding."""
        return self.department_id is None


def _matches(column, value):
    """A rule condition: empty matches anything, otherwise it must equal the value."""
    return sa.or_(column.is_(None), column == value) if value is not None else column.is_(None)


def matching_rules(category_id: int, area_id: int | None, owner_department_id: int | None,
                   on: date) -> list[RoutingRule]:
    """Live rules in force on the date whose conditions all hold."""
    stmt = sa.select(RoutingRule).where(
        RoutingRule.deleted_at.is_(None),
        RoutingRule.effective_from <= on,
        sa.or_(RoutingRule.effective_to.is_(None), RoutingRule.effective_to >= on),
        _matches(RoutingRule.category_id, category_id),
        _matches(RoutingRule.area_id, area_id),
        _matches(RoutingRule.owner_department_id, owner_department_id),
    ).order_by(RoutingRule.id).options(lazyload("*"))  # ids are enough: no eager loads
    return list(db.session.execute(stmt).scalars())


def _rank(rule: RoutingRule) -> tuple[int, int]:
    """Priority first, then specificity (how many conditions the rule sets)."""
    conditions = sum(value is not None for value in
                     (rule.category_id, rule.area_id, rule.owner_department_id))
    return rule.priority, conditions


def decide(category_id: int, area_id: int | None, owner_department_id: int | None,
           on: date) -> RoutingDecision:
    """Route a finding; see the module docstring for the rule."""
    rules = matching_rules(category_id, area_id, owner_department_id, on)
    if not rules:
        return RoutingDecision(None, None, NO_RULE)
    best = max(_rank(rule) for rule in rules)
    top = [rule for rule in rules if _rank(rule) == best]
    targets = {rule.target_department_id for rule in top}
    if len(targets) > 1:
        return RoutingDecision(None, None, TIE, tuple(rule.id for rule in top))
    return RoutingDecision(top[0].target_department_id, top[0].id, DECIDED)
