"""Read-side questions: the fate of one observation, the conflicts managers review."""
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Observation, SyncConflict, User

OVERSEERS = (Role.MANAGER, Role.ADMIN)


def observation_for(user: User, client_id: str) -> Observation | None:
    """An observation its author (or a manager or admin) may see, tombstones included."""
    obs = db.session.execute(sa.select(Observation).where(
        Observation.client_id == client_id)).scalar()
    if obs is None or (obs.user_id != user.id and user.role not in OVERSEERS):
        return None
    return obs


def conflicts_select(resolved: bool | None = None, entity_id: str | None = None,
                     user_id: int | None = None):
    """Conflicts, newest first, filtered by resolution, entity and author."""
    stmt = sa.select(SyncConflict).order_by(SyncConflict.id.desc())
    if resolved is not None:
        column = SyncConflict.resolved_at
        stmt = stmt.where(column.is_not(None) if resolved else column.is_(None))
    if entity_id is not None:
        stmt = stmt.where(SyncConflict.entity_id == entity_id)
    if user_id is not None:
        stmt = stmt.where(SyncConflict.user_id == user_id)
    return stmt
