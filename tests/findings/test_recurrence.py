"""Recurrence: a problem back at the spot of a verified finding reopens it or links a new one."""
import pytest

from patrol_api.auth.roles import Role
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, consistent, photo, take


@pytest.fixture
def closed(observe, make_user, world, clock, reporter):
    """A roads finding fixed and verified (by the patrol officer who reported it)."""
    staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0]
    patrol = reporter()
    finding = take(observe("roads", user=patrol))
    finding = act(staff, finding, "resolve",
                  evidence={"sha256": photo(), "lat": SPOT[0], "lon": SPOT[1]})
    clock.advance(hours=2)
    return act(patrol, finding, "verify", position={"lat": SPOT[0], "lon": SPOT[1]})


def test_soon_after_closing_the_finding_reopens(closed, observe, clock):
    clock.advance(days=5)
    again = take(observe("roads", offset(SPOT, 10)))
    assert again.id == closed.id
    assert (again.state, again.is_open, again.recurrence_count, again.observation_count) == (
        "reopened", True, 1, 2)
    assert again.resolve_due_at > clock.now and consistent(again)


def test_later_within_the_window_a_linked_finding_is_created(closed, observe, clock):
    clock.advance(days=30)  # past 14 days, within the 90-day recurrence window of roads
    again = take(observe("roads", offset(SPOT, 10)))
    assert again.id != closed.id and again.recurrence_of_id == closed.id
    from tests.findings.helpers import reload

    assert reload(closed).recurrence_count == 1 and reload(closed).state == "verified"
    assert consistent(closed) and consistent(again)


def test_after_the_window_it_is_a_new_problem(closed, observe, clock):
    clock.advance(days=120)
    again = take(observe("roads", offset(SPOT, 10)))
    assert again.recurrence_of_id is None and again.id != closed.id


def test_elsewhere_or_of_another_group_it_is_no_recurrence(closed, observe, clock):
    clock.advance(days=3)
    assert take(observe("roads", offset(SPOT, 100))).recurrence_of_id is None
    other = take(observe("cleaning", SPOT))
    assert other.id != closed.id and other.recurrence_of_id is None
