"""Who reads which inspections and site checks (lists and the site coverage view).

Managers, admins and viewers read all of them. Patrol officers read their own, those made on
runs they were on, and their team's: made on a run of their team or by a user of their team.
Citizen auditors read only their own. Department staff read none (the endpoints refuse them).
"""
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.models import User
from patrol_api.models.patrols import PatrolRun, PatrolRunMember

SEE_ALL = frozenset({Role.ADMIN, Role.MANAGER, Role.VIEWER})
READERS = (Role.ADMIN, Role.MANAGER, Role.VIEWER, Role.PATROL_OFFICER, Role.CITIZEN_AUDITOR)


def conditions(user: User, model) -> list:
    """WHERE clauses limiting `model` (Inspection or SiteCheck) to what the user may read."""
    role = Role(user.role)
    if role in SEE_ALL:
        return []
    own = model.user_id == user.id
    if role == Role.CITIZEN_AUDITOR:
        return [own]
    if role != Role.PATROL_OFFICER:
        return [sa.false()]
    theirs = [own, model.run_id.in_(sa.select(PatrolRunMember.run_id).where(
        PatrolRunMember.user_id == user.id))]
    if user.team:
        theirs += [model.run_id.in_(sa.select(PatrolRun.id).where(PatrolRun.team == user.team)),
                   model.user_id.in_(sa.select(User.id).where(User.team == user.team))]
    return [sa.or_(*theirs)]
