"""Every lifecycle action: allowed sources, targets and roles."""
import pytest

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.findings import lifecycle as lc

ALL = [r.value for r in Role]


@pytest.mark.parametrize("name", sorted(lc.ACTIONS))
def test_each_action_refuses_every_other_state(name):
    action = lc.ACTIONS[name]
    role = sorted(action.roles)[0]
    for state in lc.STATES:
        if state in action.sources:
            assert lc.check(name, state, role) is action
        else:
            with pytest.raises(ApiError) as error:
                lc.check(name, state, role)
            assert error.value.status == 409 and error.value.code == "invalid_transition"


@pytest.mark.parametrize("name", sorted(lc.ACTIONS))
def test_each_action_refuses_other_roles(name):
    action = lc.ACTIONS[name]
    state = sorted(action.sources)[0]
    for role in ALL:
        if Role(role) in action.roles:
            assert lc.check(name, state, role) is action
        else:
            with pytest.raises(ApiError) as error:
                lc.check(name, state, role)
            assert error.value.status == 403


def test_only_field_roles_verify_on_a_visit():
    assert lc.ACTIONS["verify"].roles == {Role.PATROL_OFFICER, Role.CITIZEN_AUDITOR}
    assert Role.DEPARTMENT_STAFF not in lc.ACTIONS["verify"].roles  # no self-verification
    assert Role.MANAGER in lc.ACTIONS["reopen"].roles  # a manager disagreeing reopens


def test_closed_states_accept_only_reopen():
    for state in lc.CLOSED_STATES:
        allowed = {name for name, a in lc.ACTIONS.items() if state in a.sources}
        assert allowed <= {"reopen"}


def test_unknown_action():
    with pytest.raises(ApiError) as error:
        lc.check("teleport", lc.NEW, "admin")
    assert error.value.status == 422 and error.value.field == "action"


def test_reason_lists_carry_korean_and_english():
    for reasons in (lc.HOLD_REASONS, lc.REJECT_REASONS):
        assert all(ko and en for ko, en in reasons.values())
