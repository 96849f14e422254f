"""Who reads which patrol runs, inspections and site checks (lists and the site coverage view).

Runs carry residents' names and GPS tracks: managers, admins and viewers read all of them,
everyone else only the runs they are on (leader, officer, citizen auditor) and patrol officers
also their own team's. The HTTP API and the sync layer (runs a push names) use the same rule.

Managers, admins and viewers read all of them. Patrol officers read their own, those made on
runs they were on, and their team's: made on a run of their team or by a user of their team.
Citizen auditors read only their own. Department staff read those at the sites their
department owns (the facilities it maintains, warranty checks included), and the coverage
view shows them those sites only.
"""
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Site, User
from patrol_api.models.patrols import PatrolRun, PatrolRunMember

SEE_ALL = frozenset({Role.ADMIN, Role.MANAGER, Role.VIEWER})
READERS = (Role.ADMIN, Role.MANAGER, Role.VIEWER, Role.PATROL_OFFICER, Role.CITIZEN_AUDITOR,
           Role.DEPARTMENT_STAFF)


def run_conditions(user: User) -> list:
    """WHERE clauses limiting PatrolRun to the runs the user may read."""
    if Role(user.role) in SEE_ALL:
        return []
    theirs = [PatrolRun.leader_id == user.id, PatrolRun.id.in_(
        sa.select(PatrolRunMember.run_id).where(PatrolRunMember.user_id == user.id))]
    if Role(user.role) == Role.PATROL_OFFICER and user.team:
        theirs.append(PatrolRun.team == user.team)
    return [sa.or_(*theirs)]


def may_read_run(user: User, run: PatrolRun) -> bool:
    """True when the user may read this run (the rule of run_conditions, for one run)."""
    where = run_conditions(user)
    return not where or db.session.execute(sa.select(sa.exists().where(
        PatrolRun.id == run.id, *where))).scalar()


def conditions(user: User, model) -> list:
    """WHERE clauses limiting `model` (Inspection or SiteCheck) to what the user may read."""
    role = Role(user.role)
    if role in SEE_ALL:
        return []
    own = model.user_id == user.id
    if role == Role.CITIZEN_AUDITOR:
        return [own]
    if role == Role.DEPARTMENT_STAFF:
        return [model.site_id.in_(sa.select(Site.id).where(*site_conditions(user)))]
    if role != Role.PATROL_OFFICER:
        return [sa.false()]
    theirs = [own, model.run_id.in_(sa.select(PatrolRunMember.run_id).where(
        PatrolRunMember.user_id == user.id))]
    if user.team:
        theirs += [model.run_id.in_(sa.select(PatrolRun.id).where(PatrolRun.team == user.team)),
                   model.user_id.in_(sa.select(User.id).where(User.team == user.team))]
    return [sa.or_(*theirs)]


def site_conditions(user: User) -> list:
    """WHERE clauses limiting sites to those whose records the user reads in full: all of
    them, except for department staff, who read their own department's."""
    if Role(user.role) != Role.DEPARTMENT_STAFF:
        return []
    if user.department_id is None:
        return [sa.false()]
    return [Site.owner_department_id == user.department_id]
