"""A user's pull scope: what decides which findings and campaigns their phone holds.

The scope (role, department, team, patrol areas) is fingerprinted into every pull cursor. If
it changes, records that were outside the old scope may lie behind the cursor and records
the phone holds may no longer be allowed, so a cursor issued under another scope is answered
410 full_resync_required and the phone downloads its view afresh.
"""
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Area, User

SEE_ALL = frozenset({Role.ADMIN, Role.MANAGER, Role.VIEWER})


@dataclass(frozen=True)
class Scope:
    """Who is pulling and the rules their view follows."""

    user_id: int
    role: Role
    department_id: int | None
    team: str | None
    area_ids: tuple[int, ...]
    fingerprint: str

    @property
    def sees_all(self) -> bool:
        """Managers, admins and viewers hold every open finding and every live campaign."""
        return self.role in SEE_ALL

    @property
    def reporter_only(self) -> bool:
        """Citizen auditors hold only the findings of their own reports."""
        return self.role == Role.CITIZEN_AUDITOR


def of(user: User) -> Scope:
    """The current scope of a user."""
    codes = sorted(set(user.patrol_area_codes or []))
    ids = db.session.execute(sa.select(Area.id).where(Area.code.in_(codes))).scalars() \
        if codes else []
    ids = sorted(ids)
    facts = [user.role, user.department_id, user.team, codes, ids]
    digest = hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()[:16]
    return Scope(user.id, Role(user.role), user.department_id, user.team,
                 tuple(ids), digest)
