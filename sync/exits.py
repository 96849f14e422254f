"""Finding exits: who may have held a finding before a change took it out of their view.

Phones hold findings by rule (open in their patrol areas, open and assigned to their
department, or holding one of their own observations). When a change moves a finding out of
such a rule (closed, merged, transferred, moved to another area, deleted) or moves an
observation out of a finding (merge, split), the values the rule used *before* the change are
written here, numbered with the change seq the change itself got. The pull sends a tombstone
to each user an exit row matches and who cannot see the finding any more, so the delete sits
in the change stream at the change's own seq and is as gap-free as every other change.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from patrol_api.extensions import db
from patrol_api.models.base import UTCDateTime, utcnow
from patrol_api.models.findings import Finding
from patrol_api.models.observations import Observation

SCOPE_FIELDS = ("area_id", "department_id", "is_open", "deleted_at")


class FindingExit(db.Model):
    """The audience a finding had before change `seq`: its area, department, or a reporter."""

    __tablename__ = "sync_finding_exit"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, index=True)
    finding_id: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # a reporter whose observation left the finding (merge, split); else the area/department
    user_id: Mapped[int | None] = mapped_column(sa.Integer)
    area_id: Mapped[int | None] = mapped_column(sa.Integer)
    department_id: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


def _before(obj, name: str):
    """The value an attribute had before the pending flush."""
    history = sa.inspect(obj).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else getattr(obj, name)


def _changed(obj, names) -> bool:
    """True when the flush changes one of these attributes."""
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _finding_exit(finding: Finding, now: datetime) -> dict | None:
    """The exit row of a finding whose scope changes; None when it was not open before."""
    if not _changed(finding, SCOPE_FIELDS):
        return None
    if not _before(finding, "is_open") or _before(finding, "deleted_at") is not None:
        return None  # closed findings are held by their reporters only
    return {"seq": finding.change_seq, "finding_id": finding.id, "user_id": None,
            "area_id": _before(finding, "area_id"),
            "department_id": _before(finding, "department_id"), "created_at": now}


def _observation_exit(obs: Observation, now: datetime) -> dict | None:
    """The exit row of an observation leaving a finding (its author may lose the finding)."""
    if not _changed(obs, ("finding_id",)):
        return None
    old = _before(obs, "finding_id")
    if old is None or old == obs.finding_id:
        return None
    return {"seq": obs.change_seq, "finding_id": old, "user_id": obs.user_id,
            "area_id": None, "department_id": None, "created_at": now}


@event.listens_for(Session, "after_flush")
def _record_exits(session: Session, flush_context) -> None:
    """Write the exit rows of this flush (history still shows the values before it)."""
    now = utcnow()
    rows = []
    for obj in session.dirty:
        if isinstance(obj, Finding):
            rows.append(_finding_exit(obj, now))
        elif isinstance(obj, Observation):
            rows.append(_observation_exit(obj, now))
    rows = [row for row in rows if row is not None]
    if rows:
        session.connection().execute(sa.insert(FindingExit.__table__), rows)
