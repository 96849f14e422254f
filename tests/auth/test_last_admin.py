"""Somebody always administers users: generated sequences of demotions and deactivations by
admins never leave the system without an active admin."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol_api.auth import tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import User

CHANGES = [{"role": "manager"}, {"role": "viewer"}, {"active": False}, {"role": "admin"},
           {"active": True}, {"role": "manager", "active": False}, {"display_name": "김관리"}]
STEPS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.sampled_from(CHANGES)),
                 min_size=1, max_size=8)


@pytest.fixture
def admins(make_user):
    """Three admin accounts."""
    return [make_user(Role.ADMIN)[0] for _ in range(3)]


def _fresh(users) -> dict:
    """Every user an active admin again, each with a new token: index -> headers."""
    for user in users:
        user.role, user.active = Role.ADMIN.value, True
    headers = {i: {"Authorization": f"Bearer {tokens.issue(user, None, timedelta(days=1))}"}
               for i, user in enumerate(users)}
    db.session.commit()
    return headers


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=STEPS)
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(client, admins, steps):
    headers = _fresh(admins)
    state = {i: {"role": "admin", "active": True, "token": True} for i in range(3)}
    for actor, target, change in steps:
        response = client.patch(f"/api/v1/users/{admins[target].id}", headers=headers[actor],
                                json=change)
        me = state[actor]
        if not (me["token"] and me["active"] and me["role"] == "admin"):
            assert response.status_code in (401, 403)
            continue
        after = {**state[target], **{k: v for k, v in change.items() if k in state[target]}}
        admins_left = [i for i, s in state.items() if i != target and s["active"]
                       and s["role"] == "admin"]
        if not admins_left and not (after["active"] and after["role"] == "admin"):
            body = response.get_json()
            assert (response.status_code, body["code"]) == (409, "last_admin"), body
            assert body["field"] in ("role", "active") and body["message"]
            continue
        assert response.status_code == 200, response.get_json()
        if "active" in change and not change["active"]:
            after["token"] = False  # deactivation revokes the user's tokens
        state[target] = after
    db.session.expire_all()
    stored = db.session.query(User).filter(User.role == "admin", User.active.is_(True)).count()
    assert stored == sum(s["active"] and s["role"] == "admin" for s in state.values()) >= 1


def test_the_only_admin_demoting_itself_is_refused_and_nothing_changes(client, make_user):
    me, headers = make_user(Role.ADMIN)
    for change in ({"role": "manager"}, {"active": False}):
        response = client.patch(f"/api/v1/users/{me.id}", headers=headers, json=change)
        assert (response.status_code, response.get_json()["code"]) == (409, "last_admin")
    db.session.expire_all()
    assert (me.role, me.active) == ("admin", True)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200  # token kept


def test_two_admins_demoting_each_other_at_once_leave_one(app, client, make_user):
    """Each round, two admins demote (or deactivate) each other in parallel: one wins, the
    other is told 409 last_admin, and an active admin always remains; never a 5xx."""
    first, second = make_user(Role.ADMIN)[0], make_user(Role.ADMIN)[0]
    statuses = []
    for change in [{"role": "manager"}, {"active": False}] * 4:
        headers = _fresh([first, second])
        barrier = threading.Barrier(2)

        def demote(actor, target_id, change=change, headers=headers, barrier=barrier):
            caller = app.test_client()
            barrier.wait()
            return caller.patch(f"/api/v1/users/{target_id}", headers=headers[actor],
                                json=change).status_code

        with ThreadPoolExecutor(2) as pool:
            answers = sorted(pool.map(demote, (0, 1), (second.id, first.id)))
        statuses.append(answers)
        db.session.rollback()  # end the snapshot this session read before the threads wrote
        assert db.session.query(User).filter(User.role == "admin",
                                             User.active.is_(True)).count() == 1
    # both orders can happen: the loser is refused (409) or, when the winner's change
    # revoked its token or role first, turned away (401/403); one always succeeds
    assert all(a[0] == 200 and a[1] in (401, 403, 409) for a in statuses), statuses
