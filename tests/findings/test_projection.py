"""The Finding row is a projection: rebuilding it from the events gives the stored row."""
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import curation, projection
from patrol_api.models import Finding
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, consistent, photo, reload, take

STEPS = st.lists(st.tuples(
    st.sampled_from(["acknowledge", "start", "hold", "resume", "resolve", "verify",
                     "fail_verification", "reopen", "transfer", "reject", "assign",
                     "request_exception", "approve_exception", "merge", "observe",
                     "resolve", "verify", "resume", "resolve"]),
    st.integers(1, 300)), max_size=16)


@pytest.fixture
def cast(make_user, world, reporter):
    """Who takes which action: the department's staff, a manager, the reporter."""
    staff = {code: make_user(Role.DEPARTMENT_STAFF, department=world.department(code))[0]
             for code in ("roads", "cleaning", "parks")}
    return {"staff": staff, "manager": make_user(Role.MANAGER)[0], "patrol": reporter()}


def _payload(name: str, minutes: int) -> dict:
    """Plausible arguments of an action."""
    departments = ["roads", "cleaning", "parks"]
    return {"reason": {"hold": "budget", "transfer": "not_our_jurisdiction",
                       "reject": "duplicate", "fail_verification": "not_fixed",
                       "reopen": "recurred", "request_exception": "no_access"}.get(name),
            "department_code": departments[minutes % 3],
            "evidence": ({"sha256": photo(f"after-{minutes}"), "lat": SPOT[0], "lon": SPOT[1]}
                         if name == "resolve" else None),
            "position": {"lat": SPOT[0], "lon": SPOT[1]} if name == "verify" else None,
            "note": f"step {minutes}"}


def _actor(cast, finding, name: str):
    """The user who would take the action."""
    if name in ("verify", "fail_verification"):
        return cast["patrol"]
    if name in ("assign", "reopen", "approve_exception") or finding.department is None:
        return cast["manager"]
    return cast["staff"].get(finding.department.code, cast["manager"])


def _step(cast, observe, finding, name: str, minutes: int, clock) -> None:
    """Take one step; refused steps change nothing."""
    clock.advance(minutes=minutes)
    try:
        if name == "observe":
            take(observe("roads", offset(SPOT, minutes % 20), user=cast["patrol"]))
        elif name == "merge":
            other = take(observe("roads", offset(SPOT, 100 + minutes), user=cast["patrol"]))
            curation.merge(cast["manager"], other.id, finding.id, "same_problem", None)
            db.session.commit()
        else:
            act(_actor(cast, reload(finding), name), finding, name, **_payload(name, minutes))
    except ApiError:
        db.session.rollback()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_rebuild_equals_the_stored_projection(cast, observe, clock, steps):
    finding = take(observe("roads", SPOT, user=cast["patrol"]))
    for name, minutes in steps:
        _step(cast, observe, finding, name, minutes, clock)
    for stored in db.session.execute(sa.select(Finding)).scalars().all():
        assert consistent(stored), stored.reference


def test_rebuild_can_repair_a_damaged_projection(observe, cast):
    finding = take(observe("roads"))
    good = projection.snapshot(finding)
    finding.state, finding.department_id, finding.observation_count = "verified", None, 9
    db.session.commit()
    projection.rebuild(finding.id, write=True)
    db.session.commit()
    assert projection.snapshot(reload(finding)) == good
