"""The server change sequence: every write to a pulled record gets a gap-free, ordered number.

Numbers are taken from one counter row with `UPDATE ... RETURNING`, which locks that row
until the transaction commits. A later writer therefore waits for the earlier one to commit,
so sequence order equals commit order and a reader never sees number n+1 before n.
"""
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from patrol_api.models.base import SequenceCounter, Versioned

FEED = "changes"


def allocate(session: Session, count: int, name: str = FEED) -> int:
    """Reserve `count` numbers and return the first; the counter row stays locked to commit."""
    table = SequenceCounter.__table__
    stmt = (sa.update(table).where(table.c.name == name)
            .values(value=table.c.value + count).returning(table.c.value))
    last = session.execute(stmt).scalar()
    if last is None:
        session.execute(sa.insert(table).values(name=name, value=count))
        last = count
    return last - count + 1


def current(session: Session, name: str = FEED) -> int:
    """The highest number handed out and committed so far."""
    value = session.execute(
        sa.select(SequenceCounter.value).where(SequenceCounter.name == name)).scalar()
    return value or 0


def _changed(session: Session) -> list:
    """Versioned objects this flush will insert or update."""
    rows = [obj for obj in session.new if isinstance(obj, Versioned)]
    rows += [obj for obj in session.dirty
             if isinstance(obj, Versioned) and session.is_modified(obj, include_collections=False)]
    return rows


@event.listens_for(Session, "before_flush")
def _stamp_changes(session: Session, flush_context, instances) -> None:
    """Give every changed Versioned record the next change sequence number."""
    rows = _changed(session)
    if not rows:
        return
    first = allocate(session, len(rows))
    for offset, obj in enumerate(rows):
        obj.change_seq = first + offset
