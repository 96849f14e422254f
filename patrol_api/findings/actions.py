"""Lifecycle actions: each one checked (state, role, reason, department) and recorded as an
event; the Finding row follows in the same transaction. The caller commits.
"""
from dataclasses import dataclass
from datetime import datetime

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import (
    deadlines,
    dispatch,
    evidence,
    exif_privacy,
    fates,
    journal,
    locks,
    visibility,
    visits,
)
from patrol_api.findings import lifecycle as lc
from patrol_api.findings.projection import DUE_FIELDS
from patrol_api.models import Department, Finding, User
from patrol_api.preconditions import NONE, Precondition
from patrol_api.reference.service import by_code


@dataclass
class Act:
    """One action being taken: what, on which finding, by whom, with what, when."""

    name: str
    finding: Finding
    user: User
    payload: dict
    at: datetime

    def record(self, to_state: str | None, data: dict | None = None,
               department_id=journal.KEEP):
        """Append this action's event."""
        return journal.append(self.finding, self.name, actor=self.user, to_state=to_state,
                              reason=self.payload.get("reason"), note=self.payload.get("note"),
                              data=data, department_id=department_id, at=self.at)


def load(user: User, finding_id: int, precondition: Precondition = NONE) -> Finding:
    """Lock out other writers, then the finding the user may act on (412 on a stale version)."""
    locks.queue_behind_writers()
    finding = visibility.for_action(user, finding_id)
    precondition.check(finding)
    return finding


def perform(user: User, finding_id: int, name: str, payload: dict,
            precondition: Precondition = NONE) -> Finding:
    """Take one lifecycle action on a finding."""
    finding = load(user, finding_id, precondition)
    take(Act(name, finding, user, payload, journal.now()))
    return finding


def take(act: Act) -> None:
    """Check and apply an action on a loaded finding."""
    lc.check(act.name, act.finding.state, act.user.role)
    lc.check_reason(act.name, act.payload.get("reason"))
    if act.name == "merge":
        raise ApiError(422, "use_merge_endpoint", "Merge findings with POST "
                       "/findings/<id>/merge.", "action")
    HANDLERS[act.name](act)
    label = lc.REJECT_REASONS[act.payload["reason"]][0] if act.name == "reject" else None
    fates.refresh(act.finding, label)


def department(payload: dict) -> Department:
    """The department named by department_code; 422 when missing or unknown."""
    code = payload.get("department_code")
    found = by_code(Department, code) if code else None
    if found is None or found.deleted_at is not None:
        raise ApiError(422, "unknown_department", "Name a live department_code.",
                       "department_code")
    return found


def _simple(act: Act):
    return act.record(lc.ACTIONS[act.name].target)


def _assign(act: Act):
    target = department(act.payload)
    return act.record(lc.ASSIGNED, dispatch.assignment_data(act.finding, act.at),
                      department_id=target.id)


def _resume(act: Act):
    finding = act.finding
    data = {name: deadlines.extended(getattr(finding, name), finding.held_since, act.at)
            for name in DUE_FIELDS}
    if finding.due_reason == "warranty_end":  # the warranty does not pause: keep its date
        data["resolve_due_at"] = finding.resolve_due_at
    return act.record(finding.held_from_state or lc.ASSIGNED, data)


def _resolve(act: Act):
    with exif_privacy.refusals_for(act.user.role):
        facts = evidence.for_resolve(act.finding, act.payload.get("evidence"))
    return act.record(lc.RESOLVED, {"evidence": facts})


def _verify(act: Act):
    with exif_privacy.refusals_for(act.user.role):
        data = visits.for_verify(act.finding, act.payload.get("evidence"),
                                 act.payload.get("position"), act.at)
    return act.record(lc.VERIFIED, data)


def _reopen(act: Act):
    finding = act.finding
    data = dispatch.assignment_data(finding, act.at) if finding.department_id else {}
    return act.record(lc.REOPENED, data)


def _transfer(act: Act):
    finding, target = act.finding, department(act.payload)
    if target.id == finding.department_id:
        raise ApiError(422, "same_department", "Transfer to another department.",
                       "department_code")
    data = {"requested_department_id": target.id}
    if finding.transfer_count >= 1:  # the second transfer: ping-pong, a manager decides
        data.update(in_coordination=True, ack_due_at=None, resolve_due_at=None,
                    due_reason=None)
        return act.record(lc.NEW, data, department_id=None)
    dues = deadlines.due_dates(finding.category, finding.priority, act.at, finding.channel)
    data.update(in_coordination=False, assigned_at=act.at, ack_due_at=dues["ack_due_at"])
    return act.record(lc.ASSIGNED, data, department_id=target.id)


def _request_exception(act: Act):
    return act.record(None)


def _approve_exception(act: Act):
    if act.finding.exception_status != "requested":
        raise ApiError(409, "no_exception_requested", "No resolve exception is waiting for "
                       "approval.", "action")
    return act.record(None)


HANDLERS = {
    "assign": _assign, "acknowledge": _simple, "start": _simple, "hold": _simple,
    "resume": _resume, "resolve": _resolve, "verify": _verify, "fail_verification": _reopen,
    "reopen": _reopen, "transfer": _transfer, "reject": _simple,
    "request_exception": _request_exception, "approve_exception": _approve_exception,
}


def acknowledge_many(user: User, finding_ids: list[int]) -> list[dict]:
    """Acknowledge several findings; one result each, a refusal never blocks the others."""
    locks.queue_behind_writers()
    return [_acknowledge_one(user, finding_id) for finding_id in finding_ids]


def _acknowledge_one(user: User, finding_id: int) -> dict:
    """Acknowledge one finding in a savepoint; the result or the error."""
    try:
        with db.session.begin_nested():
            perform(user, finding_id, "acknowledge", {})
    except ApiError as error:
        return {"id": finding_id, "status": "refused", "error": error.payload()}
    return {"id": finding_id, "status": "acknowledged"}
