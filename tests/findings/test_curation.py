"""Managers merge findings and split observations off, with a reason; both undo from history."""
import pytest
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import curation
from patrol_api.models import FindingEvent, Observation
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, consistent, reload, take


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER)[0]


@pytest.fixture
def pair(observe):
    """Two open roads findings 60 m apart, the first with two observations."""
    first = take(observe("roads", SPOT))
    take(observe("roads", offset(SPOT, 5)))
    second = take(observe("roads", offset(SPOT, 60)))
    return reload(first), second


def event_of(finding, kind):
    return db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.finding_id == finding.id, FindingEvent.kind == kind)).scalars().all()[-1]


def test_merge_and_undo(pair, manager):
    first, second = pair
    target = curation.merge(manager, second.id, first.id, "same_problem", "같은 포트홀")
    db.session.commit()
    first, second = reload(first), reload(second)
    assert (second.state, second.merged_into_id, second.is_open) == ("merged", first.id, False)
    assert first.observation_count == 3 and target.id == first.id
    moved = db.session.execute(sa.select(Observation).where(
        Observation.finding_id == first.id)).scalars().all()
    assert len(moved) == 3
    merge_event = event_of(second, "merge")
    assert (merge_event.reason, merge_event.note) == ("same_problem", "같은 포트홀")
    curation.undo(manager, second.id, merge_event.id, "잘못 병합")
    db.session.commit()
    first, second = reload(first), reload(second)
    assert (second.state, second.merged_into_id, second.observation_count) == (
        "assigned", None, 1)
    assert first.observation_count == 2
    assert consistent(first) and consistent(second)
    with pytest.raises(ApiError):
        curation.undo(manager, second.id, merge_event.id, None)


def test_split_and_undo(pair, manager):
    first, _ = pair
    leaving = db.session.execute(sa.select(Observation.id).where(
        Observation.finding_id == first.id).order_by(Observation.id.desc())).scalars().first()
    new = curation.split(manager, first.id, [leaving], "different_problem", None)
    db.session.commit()
    first, new = reload(first), reload(new)
    assert (first.observation_count, new.observation_count) == (1, 1)
    assert new.state == "assigned" and new.department.code == "roads"
    created = event_of(new, "created")
    assert created.data["split_from_id"] == first.id
    curation.undo(manager, first.id, event_of(first, "split").id, None)
    db.session.commit()
    first, new = reload(first), reload(new)
    assert (first.observation_count, new.state, new.merged_into_id) == (2, "merged", first.id)
    assert consistent(first) and consistent(new)


def test_split_needs_some_not_all_and_a_reason(pair, manager):
    first, second = pair
    own = db.session.execute(sa.select(Observation.id).where(
        Observation.finding_id == first.id)).scalars().all()
    for ids, reason in ((own, "different_problem"), ([], "different_problem"),
                        ([own[0]], "whim"), ([999], "different_problem")):
        with pytest.raises(ApiError) as caught:
            curation.split(manager, first.id, ids, reason, None)
        assert caught.value.status == 422
        db.session.rollback()


def test_only_managers_merge_and_split(pair, make_user, world):
    first, second = pair
    staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0]
    with pytest.raises(ApiError) as caught:
        curation.merge(staff, second.id, first.id, "same_problem", None)
    assert caught.value.status == 403
    db.session.rollback()
    with pytest.raises(ApiError) as caught:
        curation.split(staff, first.id, [1], "different_problem", None)
    assert caught.value.status == 403


def test_merge_into_itself_or_a_closed_finding_is_refused(pair, manager):
    first, second = pair
    with pytest.raises(ApiError) as caught:
        curation.merge(manager, first.id, first.id, "same_problem", None)
    assert caught.value.status == 409


def refused_undo(manager, finding, event) -> ApiError:
    """The error an undo of the event gets."""
    with pytest.raises(ApiError) as caught:
        curation.undo(manager, finding.id, event.id, None)
    db.session.rollback()
    return caught.value


def _reject(make_user, world, finding) -> None:
    """The roads department rejects the finding (closed)."""
    staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0]
    act(staff, finding, "reject", reason="not_found")


def test_no_unmerge_once_the_merged_into_finding_is_closed(pair, manager, make_user, world):
    first, second = pair
    curation.merge(manager, second.id, first.id, "same_problem", None)
    db.session.commit()
    _reject(make_user, world, reload(first))
    problem = refused_undo(manager, second, event_of(second, "merge"))
    assert (problem.status, problem.code) == (409, "merge_target_closed")
    assert (problem.extra["finding_id"], problem.extra["state"]) == (first.id, "rejected")
    assert reload(second).state == "merged" and reload(first).observation_count == 3


def _split(manager, first):
    """Split the newest observation off the first finding; the new finding."""
    leaving = db.session.execute(sa.select(Observation.id).where(
        Observation.finding_id == first.id).order_by(Observation.id.desc())).scalars().first()
    new = curation.split(manager, first.id, [leaving], "different_problem", None)
    db.session.commit()
    return reload(new)


def test_no_unsplit_once_the_split_off_finding_is_closed(pair, manager, make_user, world):
    first, _ = pair
    new = _split(manager, first)
    _reject(make_user, world, new)
    problem = refused_undo(manager, first, event_of(first, "split"))
    assert (problem.status, problem.code, problem.extra["state"]) == (
        409, "split_finding_closed", "rejected")
    assert reload(first).observation_count == 1


def test_no_unsplit_into_a_closed_original(pair, manager, make_user, world):
    first, _ = pair
    new = _split(manager, first)
    _reject(make_user, world, reload(first))
    problem = refused_undo(manager, first, event_of(first, "split"))
    assert (problem.status, problem.code, problem.extra["finding_id"]) == (
        409, "finding_closed", first.id)
    assert reload(new).state == "assigned"


def test_an_unsplit_twice_is_already_undone(pair, manager):
    first, _ = pair
    _split(manager, first)
    split = event_of(first, "split")
    curation.undo(manager, first.id, split.id, None)
    db.session.commit()
    assert refused_undo(manager, first, split).code == "already_undone"
