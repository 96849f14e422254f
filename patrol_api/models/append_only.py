"""Finding events are append-only: the ORM refuses to change or delete a stored one.

Guarded: the unit of work (changing an attribute of a loaded FindingEvent and flushing, or
`session.delete(event)`) and ORM bulk statements (`update(FindingEvent)`,
`delete(FindingEvent)`). Not guarded: Core statements on the bare table and raw SQL, which
only the test suite's table truncation uses; a database trigger would close that too.
"""
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from patrol_api.models.findings import FindingEvent


class AppendOnlyError(RuntimeError):
    """A stored finding event was about to be changed or deleted."""


def _changed_columns(target: FindingEvent) -> list[str]:
    """Names of the event's column attributes with pending changes."""
    state = inspect(target)
    return [attr.key for attr in state.mapper.column_attrs
            if state.attrs[attr.key].history.has_changes()]


@event.listens_for(FindingEvent, "before_update")
def _refuse_update(mapper, connection, target: FindingEvent) -> None:
    """Refuse to flush changes to a stored event."""
    changed = _changed_columns(target)
    if changed:
        raise AppendOnlyError(f"finding_event {target.id} is append-only; refused to change "
                              f"{', '.join(changed)}")


@event.listens_for(FindingEvent, "before_delete")
def _refuse_delete(mapper, connection, target: FindingEvent) -> None:
    """Refuse to delete a stored event."""
    raise AppendOnlyError(f"finding_event {target.id} is append-only; refused to delete it")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state: ORMExecuteState) -> None:
    """Refuse ORM bulk UPDATE or DELETE statements on FindingEvent."""
    if not (state.is_update or state.is_delete) or not state.is_orm_statement:
        return
    if any(mapper.class_ is FindingEvent for mapper in state.all_mappers):
        raise AppendOnlyError("finding_event is append-only; refused a bulk "
                              f"{'UPDATE' if state.is_update else 'DELETE'}")
