"""Sending a finding to a department: by the routing rules, or by a person; deadlines start.

The deadlines of a department run from the moment it receives the finding; a finding in the
coordination queue has none until a manager assigns it. A warranty defect goes to the site's
owning department before any rule is asked (see `defects`).
"""
from datetime import datetime

from patrol_api.findings import deadlines, defects, journal, routing
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


def due_data(finding: Finding, start: datetime, paused_ack: float = 0.0,
             paused_resolve: float = 0.0, priority: str | None = None) -> dict:
    """Due dates of work received at `start` (at the finding's or the given priority), pushed
    back by time already spent on hold, the resolve date capped by a running warranty; with
    `due_reason`."""
    dues = deadlines.due_dates(finding.category, priority or finding.priority, start,
                              finding.channel)
    dues["ack_due_at"] = deadlines.pushed_back(dues["ack_due_at"], paused_ack)
    dues["resolve_due_at"] = deadlines.pushed_back(dues["resolve_due_at"], paused_resolve)
    return defects.capped(finding, dues, start)


def assignment_data(finding: Finding, at: datetime) -> dict:
    """What an assignment sets: out of coordination, received now, fresh due dates."""
    return {"in_coordination": False, "assigned_at": at, **due_data(finding, at)}


def route(finding: Finding, at: datetime, actor=None):
    """Route a warranty defect to the site's owner, else apply the routing rules: assign to
    the decided department or queue for coordination."""
    owner_id = site_owner_id(finding)
    site = defects.warranty_site(finding) if owner_id is not None else None
    if site is not None:
        return journal.append(finding, "routed", actor=actor, to_state=lc.ASSIGNED, at=at,
                              department_id=owner_id,
                              data={**defects.routing_facts(site),
                                    **assignment_data(finding, at)})
    decision = routing.decide(finding.category_id, finding.area_id, owner_id,
                              at.astimezone(SEOUL).date())
    data = {"routing_rule_id": decision.rule_id, "routing_outcome": decision.outcome}
    if decision.to_coordination:
        data.update(in_coordination=True, tied_rule_ids=list(decision.tied_rule_ids))
        return journal.append(finding, "routed", actor=actor, to_state=lc.NEW, data=data,
                              department_id=None, at=at)
    return journal.append(finding, "routed", actor=actor, to_state=lc.ASSIGNED, at=at,
                          department_id=decision.department_id,
                          data={**data, **assignment_data(finding, at)})
