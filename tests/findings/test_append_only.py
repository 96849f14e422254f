"""Finding events are append-only: the ORM refuses to change or delete a stored one."""
import pytest
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.findings import projection
from patrol_api.models import FindingEvent
from patrol_api.models.append_only import AppendOnlyError
from tests.findings.helpers import consistent, take


@pytest.fixture
def stored(observe) -> FindingEvent:
    """The routed event of a new finding, as stored."""
    finding = take(observe("roads"))
    return db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.finding_id == finding.id, FindingEvent.kind == "routed")).scalar_one()


def refused(change) -> str:
    """The message of the refusal of a change flushed or executed; the session rolled back."""
    with pytest.raises(AppendOnlyError) as caught:
        change()
        db.session.flush()
    db.session.rollback()
    return str(caught.value)


def test_changing_a_stored_event_is_refused(stored):
    def edit():
        stored.to_state = "verified"
    assert "refused to change to_state" in refused(edit)
    assert db.session.get(FindingEvent, stored.id).to_state == "assigned"


def test_deleting_a_stored_event_is_refused(stored):
    assert "refused to delete" in refused(lambda: db.session.delete(stored))
    assert db.session.get(FindingEvent, stored.id) is not None


def test_bulk_update_and_delete_are_refused(stored):
    assert "bulk UPDATE" in refused(lambda: db.session.execute(
        sa.update(FindingEvent).where(FindingEvent.id == stored.id).values(note="x")))
    assert "bulk DELETE" in refused(lambda: db.session.execute(
        sa.delete(FindingEvent).where(FindingEvent.id == stored.id)))


def test_appending_and_rebuilding_still_work(stored, observe):
    finding = take(observe("roads"))  # joins the same finding: one more event appended
    projection.rebuild(finding.id, write=True)
    db.session.commit()
    assert consistent(finding) and finding.event_count == 3
