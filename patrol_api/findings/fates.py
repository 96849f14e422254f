"""What the reporters' phones learn: each observation's fate follows its finding.

Open findings: "routed" (to the department), "merged" (joined an existing finding) or
"coordination" (waiting in the 민원조정 queue); then "resolved", "verified" or "rejected".
Observations are Versioned, so a changed fate moves their change_seq and phones pull it.
"""
from patrol_api.extensions import db
from patrol_api.findings import lifecycle as lc
from patrol_api.findings import members
from patrol_api.models import Department, Finding, Observation

FINAL = {lc.RESOLVED: "resolved", lc.VERIFIED: "verified", lc.REJECTED: "rejected"}


def _where(finding: Finding) -> str:
    """The finding's reference and who holds it."""
    department = db.session.get(Department, finding.department_id or 0)
    holder = department.name_ko if department else "민원조정 (coordination)"
    return f"{finding.reference} · {holder}"


def fate_of(finding: Finding, obs: Observation, merged: bool = False,
            reason: str | None = None) -> tuple[str, str]:
    """(fate, fate_reason) of an observation of the finding; `reason` replaces the text."""
    if finding.state in FINAL:
        return FINAL[finding.state], reason or _where(finding)
    if merged or obs.fate == "merged":
        return "merged", _where(finding)
    if finding.department_id is None:
        return "coordination", _where(finding)
    return "routed", _where(finding)


def set_fate(finding: Finding, obs: Observation, merged: bool = False,
             reason: str | None = None) -> None:
    """Update one observation's fate when it changed."""
    fate, text = fate_of(finding, obs, merged, reason)
    if (obs.fate, obs.fate_reason) != (fate, text[:300]):
        obs.fate, obs.fate_reason = fate, text[:300]


def refresh(finding: Finding, reason: str | None = None) -> None:
    """Bring every observation of the finding in line with it."""
    for obs in members.observations_of(finding.id):
        set_fate(finding, obs, reason=reason)
