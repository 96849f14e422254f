"""A reporter's own reports: each observation's fate, its finding's public state and the
public trail of state changes — never internal notes, comments or who acted."""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.findings import lifecycle as lc
from patrol_api.models import Department, Finding, FindingEvent, Observation, User
from patrol_api.patrols import credit

STATE_LABELS = {
    lc.NEW: ("민원조정 대기", "Waiting for coordination"),
    lc.ASSIGNED: ("부서 배정", "Assigned to a department"),
    lc.ACKNOWLEDGED: ("부서 접수", "Acknowledged by the department"),
    lc.IN_PROGRESS: ("처리 중", "Being fixed"),
    lc.ON_HOLD: ("처리 보류", "On hold"),
    lc.RESOLVED: ("처리 완료 (확인 대기)", "Fixed, waiting for a check"),
    lc.VERIFIED: ("확인 완료", "Fixed and checked"),
    lc.REOPENED: ("재처리", "Reopened"),
    lc.REJECTED: ("처리 불가 (종결)", "Closed without action"),
    lc.MERGED: ("다른 건과 병합", "Merged into another finding"),
}
INTERNAL_KINDS = frozenset({"comment", "overdue", "escalated", "reminder",
                            "request_exception", "approve_exception"})


def select_reports(user: User, args: dict):
    """The user's own live observations, newest first (a select for pagination)."""
    stmt = credit.with_finding(sa.select(Observation)).where(
        Observation.user_id == user.id, *credit.counted())
    if args.get("credit"):
        stmt = stmt.where(credit.credit_of() == args["credit"])
    if args.get("fate"):
        stmt = stmt.where(Observation.fate == args["fate"])
    return stmt.order_by(Observation.recorded_at.desc(), Observation.id.desc())


def records(observations: list[Observation]) -> list[dict]:
    """The page's reports as the reporter sees them (findings and trails read in bulk)."""
    finding_ids = {obs.finding_id for obs in observations if obs.finding_id is not None}
    findings = {f.id: f for f in db.session.execute(sa.select(Finding).where(
        Finding.id.in_(finding_ids))).scalars()} if finding_ids else {}
    trails: dict = {}
    if finding_ids:
        for event in db.session.execute(sa.select(FindingEvent).where(
                FindingEvent.finding_id.in_(finding_ids)).order_by(
                FindingEvent.finding_id, FindingEvent.seq)).scalars():
            if _public(event):
                trails.setdefault(event.finding_id, []).append(event)
    departments = _departments(findings.values(), trails.values())
    return [_record(obs, findings.get(obs.finding_id), trails.get(obs.finding_id, []),
                    departments) for obs in observations]


def _public(event: FindingEvent) -> bool:
    """State changes and transfers are public; comments, reminders and notes are not."""
    return event.kind not in INTERNAL_KINDS and (
        event.to_state is not None or event.kind == "transfer")


def _departments(findings, trails) -> dict:
    """id -> Department of the findings and their trail events."""
    ids = {f.department_id for f in findings} | {
        e.department_id for trail in trails for e in trail}
    ids.discard(None)
    if not ids:
        return {}
    return {d.id: d for d in db.session.execute(
        sa.select(Department).where(Department.id.in_(ids))).scalars()}


def _department(departments: dict, department_id: int | None) -> dict | None:
    """The public face of a department."""
    department = departments.get(department_id)
    if department is None:
        return None
    return {"code": department.code, "name_ko": department.name_ko,
            "name_en": department.name_en}


def credit_value(obs: Observation, finding: Finding | None) -> str:
    """The credit of one report, by the same rule as credit.credit_of()."""
    if obs.fate == "rejected" or (finding is not None and finding.state == lc.REJECTED):
        return "rejected"
    if finding is not None and finding.state in credit.ACCEPTED_STATES:
        return "accepted"
    return "pending"


def _record(obs: Observation, finding: Finding | None, trail: list, departments: dict) -> dict:
    """One report with its finding's public state."""
    value = credit_value(obs, finding)
    return {
        "id": obs.id, "client_id": obs.client_id, "recorded_at": obs.recorded_at,
        "received_at": obs.received_at, "category_code": obs.category.code,
        "category_name_ko": obs.category.name_ko, "category_name_en": obs.category.name_en,
        "site_code": obs.site.code if obs.site else None,
        "area_code": obs.area.code if obs.area else None, "lat": obs.lat, "lon": obs.lon,
        "note": obs.note, "complete": obs.complete, "fate": obs.fate,
        "fate_reason": obs.fate_reason, "credit": value,
        "credit_label_ko": credit.CREDIT_LABELS[value][0],
        "credit_label_en": credit.CREDIT_LABELS[value][1],
        "finding": _finding(finding, trail, departments) if finding else None,
    }


def _finding(finding: Finding, trail: list, departments: dict) -> dict:
    """The finding's public state and trail."""
    labels = STATE_LABELS.get(finding.state, (finding.state, finding.state))
    return {
        "reference": finding.reference, "state": finding.state, "state_label_ko": labels[0],
        "state_label_en": labels[1], "is_open": finding.is_open,
        "department": _department(departments, finding.department_id),
        "in_coordination": finding.in_coordination, "resolve_due_at": finding.resolve_due_at,
        "resolved_at": finding.resolved_at, "closed_at": finding.closed_at,
        "updates": [_update(event, departments) for event in trail],
    }


def _update(event: FindingEvent, departments: dict) -> dict:
    """One public step: when, what, to which state, the fixed-list reason (never the note)."""
    reason = lc.REASONS.get(event.kind, {}).get(event.reason) if event.reason else None
    return {"at": event.at, "kind": event.kind, "to_state": event.to_state,
            "department": _department(departments, event.department_id),
            "reason": event.reason, "reason_label_ko": reason[0] if reason else None,
            "reason_label_en": reason[1] if reason else None}
