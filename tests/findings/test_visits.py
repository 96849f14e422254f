"""A check is a later visit: after the resolve, with a new photo or a position on the spot."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import FindingEvent
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, consistent, exif, photo, take


@pytest.fixture
def people(make_user, world, reporter):
    """Roads staff, a manager, an admin and the reporting patrol officer."""
    return {"roads": make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0],
            "manager": make_user(Role.MANAGER)[0], "admin": make_user(Role.ADMIN)[0],
            "patrol": reporter()}


@pytest.fixture
def resolved(observe, people, clock):
    """A roads finding resolved with an after photo; the clock then moves a day on."""
    finding = take(observe("roads", user=people["patrol"]))
    finding = act(people["roads"], finding, "resolve",
                  evidence={"sha256": photo("fix"), "lat": SPOT[0], "lon": SPOT[1]})
    clock.advance(days=1)
    return finding


def at(point=SPOT) -> dict:
    return {"lat": point[0], "lon": point[1], "accuracy_m": 6.0}


def refusal(user, finding, **payload) -> ApiError:
    with pytest.raises(ApiError) as caught:
        act(user, finding, "verify", **payload)
    db.session.rollback()
    return caught.value


def verify_event() -> dict:
    return db.session.execute(sa.select(FindingEvent.data).where(
        FindingEvent.kind == "verify")).scalar_one()


def test_a_position_on_the_spot_verifies(resolved, people):
    finding = act(people["patrol"], resolved, "verify", position=at(offset(SPOT, 12)))
    assert finding.state == "verified" and consistent(finding)
    data = verify_event()
    assert data["evidence"] is None and 11 < data["position"]["distance_m"] < 13
    assert data["position"]["radius_m"] == 30


def test_a_check_without_photo_or_position_is_refused(resolved, people):
    problem = refusal(people["patrol"], resolved)
    assert (problem.status, problem.code, problem.field) == (
        422, "verification_evidence_required", "evidence")


def test_a_position_far_from_the_finding_is_refused(resolved, people):
    problem = refusal(people["patrol"], resolved, position=at(offset(SPOT, 45)))
    assert (problem.code, problem.field) == ("verification_too_far", "position.lat")
    assert problem.extra["radius_m"] == 30 and problem.extra["distance_m"] > 44


def test_a_check_at_the_moment_of_the_resolve_is_refused(observe, people):
    finding = take(observe("roads", user=people["patrol"]))
    finding = act(people["roads"], finding, "resolve",
                  evidence={"sha256": photo("fix"), "lat": SPOT[0], "lon": SPOT[1]})
    problem = refusal(people["patrol"], finding, position=at())
    assert (problem.status, problem.code) == (409, "verify_too_early")
    assert problem.extra["resolved_at"] == finding.resolved_at.isoformat()


def test_a_new_photo_on_the_spot_verifies(resolved, people):
    check = {"sha256": photo("check"), "lat": SPOT[0], "lon": SPOT[1]}
    assert act(people["patrol"], resolved, "verify", evidence=check).state == "verified"
    facts = verify_event()["evidence"]
    assert (facts["purpose"], facts["within"], facts["sha256"]) == (
        "verify", True, photo("check"))


def test_the_departments_after_photo_is_no_check(resolved, people):
    reused = {"sha256": photo("fix"), "lat": SPOT[0], "lon": SPOT[1]}
    problem = refusal(people["patrol"], resolved, evidence=reused)
    assert (problem.code, problem.extra["used_as"]) == ("evidence_photo_reused", "evidence")


def test_a_check_photo_taken_before_the_resolve_is_refused(resolved, people):
    taken = (resolved.resolved_at - timedelta(hours=1)).astimezone(SEOUL).replace(tzinfo=None)
    early = exif(photo("early"), point=SPOT, captured=taken)
    problem = refusal(people["patrol"], resolved, evidence={"sha256": early})
    assert (problem.code, problem.extra["not_before"]) == (
        "evidence_taken_before", resolved.resolved_at.isoformat())


def test_a_check_photo_far_away_is_refused_even_after_an_exception(observe, people, clock):
    finding = take(observe("roads", user=people["patrol"]))
    finding = act(people["roads"], finding, "request_exception", reason="no_access")
    finding = act(people["manager"], finding, "approve_exception")
    finding = act(people["roads"], finding, "resolve")
    clock.advance(days=1)
    far = {"sha256": photo("far check"), "lat": offset(SPOT, 70)[0],
           "lon": offset(SPOT, 70)[1]}
    assert refusal(people["patrol"], finding, evidence=far).code == "evidence_too_far"


@pytest.mark.parametrize("role", ["manager", "admin", "roads"])
def test_desk_roles_do_not_verify(resolved, people, role):
    assert refusal(people[role], resolved, position=at()).status == 403


def test_a_manager_who_disagrees_reopens(resolved, people):
    finding = act(people["manager"], resolved, "reopen", reason="partially_fixed")
    assert finding.state == "reopened" and consistent(finding)
