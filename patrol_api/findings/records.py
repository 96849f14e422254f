"""Findings as phones see them in the pull stream (no internal notes, no actors)."""
from patrol_api.auth.roles import FIELD_ROLES, Role
from patrol_api.findings import visibility
from patrol_api.models import Finding, User


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _code(record) -> str | None:
    return record.code if record is not None else None


def finding_record(finding: Finding) -> dict:
    """The public state of a finding: where, what, who holds it, due dates, outcome."""
    department = finding.department
    return {
        "id": finding.id, "reference": finding.reference, "version": finding.version,
        "change_seq": finding.change_seq, "state": finding.state, "is_open": finding.is_open,
        "category_code": _code(finding.category), "site_code": _code(finding.site),
        "area_code": _code(finding.area), "lat": finding.lat, "lon": finding.lon,
        "department_code": _code(department),
        "department_name_ko": department.name_ko if department else None,
        "in_coordination": finding.in_coordination,
        "observation_count": finding.observation_count,
        "first_seen_at": _iso(finding.first_seen_at),
        "last_seen_at": _iso(finding.last_seen_at),
        "ack_due_at": _iso(finding.ack_due_at), "resolve_due_at": _iso(finding.resolve_due_at),
        "resolved_at": _iso(finding.resolved_at), "closed_at": _iso(finding.closed_at),
        "recurrence_of_id": finding.recurrence_of_id,
        "merged_into_id": finding.merged_into_id,
    }


def pull_conditions(user: User) -> list:
    """Which findings a user's phone holds: field roles the findings of their observations."""
    if Role(user.role) in FIELD_ROLES:
        return [visibility.reported_by(user)]
    return visibility.conditions(user)
