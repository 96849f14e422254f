"""A user's pull scope: what decides which findings and campaigns their phone holds.

The scope (role, department, team, patrol areas and, for citizen auditors, the campaigns of
the runs they are on) is fingerprinted into every pull cursor. If it changes, records that
were outside the old scope may lie behind the cursor and records the phone holds may no
longer be allowed, so a cursor issued under another scope is answered 410
full_resync_required and the phone downloads its view afresh.
"""
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Area, User
from patrol_api.models.patrols import PatrolRun, PatrolRunMember

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
    run_campaign_ids: tuple[int, ...] = ()

    @property
    def sees_all(self) -> bool:
        """Managers, admins and viewers hold every open finding and every live campaign."""
        return self.role in SEE_ALL

    @property
    def reporter_only(self) -> bool:
        """Citizen auditors hold only the findings of their own reports."""
        return self.role == Role.CITIZEN_AUDITOR


def run_campaigns(user: User) -> list[int]:
    """Campaigns of the (not deleted) runs a citizen auditor is on (none for other roles: officers
    hold campaigns by team, managers all of them)."""
    if user.role != Role.CITIZEN_AUDITOR:
        return []
    return sorted(set(db.session.execute(sa.select(PatrolRun.campaign_id).join(
        PatrolRunMember, PatrolRunMember.run_id == PatrolRun.id).where(
        PatrolRunMember.user_id == user.id, PatrolRun.campaign_id.isnot(None),
        PatrolRun.deleted_at.is_(None))).scalars()))


def of(user: User) -> Scope:
    """The current scope of a user."""
    codes = sorted(set(user.patrol_area_codes or []))
    ids = db.session.execute(sa.select(Area.id).where(Area.code.in_(codes))).scalars() \
        if codes else []
    ids = sorted(ids)
    campaigns = run_campaigns(user)
    facts = [user.role, user.department_id, user.team, codes, ids]
    if campaigns:  # absent otherwise, so that other users' cursors stay valid
        facts.append(campaigns)
    digest = hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()[:16]
    return Scope(user.id, Role(user.role), user.department_id, user.team,
                 tuple(ids), digest, tuple(campaigns))
