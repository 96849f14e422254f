"""Sending a finding to a department: by the routing rules, or by a person; deadlines start.

The deadlines of a department run from the moment it receives the finding; a finding in the
coordination queue has none until a manager assigns it.
"""
from datetime import datetime

from patrol_api.findings import deadlines, journal, routing
from patrol_api.findings import lifecycle as lc
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Finding


def site_owner_id(finding: Finding) -> int | None:
    """The department owning the finding's registered site (its own or its type's)."""
    site = finding.site
    if site is None:
        return None
    if site.owner_department_id is not None:
        return site.owner_department_id
    return site.facility_type.owner_department_id if site.facility_type else None


def assignment_data(finding: Finding, at: datetime) -> dict:
    """What an assignment sets: out of coordination, received now, fresh due dates."""
    dues = deadlines.due_dates(finding.category, finding.priority, at)
    return {"in_coordination": False, "assigned_at": at, **dues}


def route(finding: Finding, at: datetime, actor=None):
    """Apply the routing rules: assign to the decided department or queue for coordination."""
    decision = routing.decide(finding.category_id, finding.area_id, site_owner_id(finding),
                              at.astimezone(SEOUL).date())
    data = {"routing_rule_id": decision.rule_id, "routing_outcome": decision.outcome}
    if decision.to_coordination:
        data.update(in_coordination=True, tied_rule_ids=list(decision.tied_rule_ids))
        return journal.append(finding, "routed", actor=actor, to_state=lc.NEW, data=data,
                              department_id=None, at=at)
    return journal.append(finding, "routed", actor=actor, to_state=lc.ASSIGNED, at=at,
                          department_id=decision.department_id,
                          data={**data, **assignment_data(finding, at)})
