"""Who sees which findings, and who may act on which.

Managers, admins and viewers see every finding; department staff those of their department;
patrol officers and citizen auditors those that hold one of their own observations, and
patrol officers also every resolved finding waiting for a check on a later visit.
"""
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import lifecycle as lc
from patrol_api.models import Finding, Observation, User

SEE_ALL = frozenset({Role.ADMIN, Role.MANAGER, Role.VIEWER})


def reported_by(user: User):
    """Condition: the finding holds one of the user's observations."""
    return Finding.id.in_(sa.select(Observation.finding_id).where(
        Observation.user_id == user.id, Observation.finding_id.is_not(None)))


def conditions(user: User) -> list:
    """WHERE clauses limiting findings to those the user may see."""
    role = Role(user.role)
    if role in SEE_ALL:
        return []
    if role == Role.DEPARTMENT_STAFF:
        return [Finding.department_id == user.department_id]
    if role == Role.PATROL_OFFICER:
        return [sa.or_(reported_by(user), Finding.state == lc.RESOLVED)]
    return [reported_by(user)]


def get(user: User, finding_id: int) -> Finding:
    """A finding the user may see; 404 otherwise."""
    finding = db.session.execute(sa.select(Finding).where(
        Finding.id == finding_id, *conditions(user))).scalar()
    if finding is None:
        raise ApiError(404, "not_found", "No such finding.")
    return finding


def for_action(user: User, finding_id: int) -> Finding:
    """A finding the user acts on: staff get 403 on another department's finding."""
    if Role(user.role) != Role.DEPARTMENT_STAFF:
        return get(user, finding_id)
    finding = db.session.get(Finding, finding_id)
    if finding is None:
        raise ApiError(404, "not_found", "No such finding.")
    if finding.department_id is None or finding.department_id != user.department_id:
        raise ApiError(403, "not_your_department", "This finding is assigned to another "
                       "department (or waits in the coordination queue).")
    return finding


def is_internal_reader(user: User) -> bool:
    """True when the user may read internal notes and comments (not citizen auditors)."""
    return Role(user.role) != Role.CITIZEN_AUDITOR
