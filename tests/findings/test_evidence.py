"""Resolve evidence that cannot be faked: role, reuse, capture time, both positions checked."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import FindingEvent, ObservationPhoto
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, exif, photo, take


@pytest.fixture
def people(make_user, world, reporter):
    """Roads staff, a manager and the reporting patrol officer."""
    return {"roads": make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0],
            "manager": make_user(Role.MANAGER)[0], "patrol": reporter()}


@pytest.fixture
def finding(observe, people, clock):
    """A roads finding received by the roads department at the clock's time (Mon 10:00)."""
    obs = observe("roads", user=people["patrol"])
    db.session.add(ObservationPhoto(observation_id=obs.id, sha256=photo("pothole"),
                                    role="before", position=0))
    db.session.commit()
    return take(obs)


def evidence(sha=None, point=SPOT, **extra) -> dict:
    """An evidence payload: a photo (a fresh verified one by default) and the phone position."""
    given = {"sha256": sha or photo("after"), "lat": point[0] if point else None,
             "lon": point[1] if point else None}
    return {**given, **extra}


def refusal(user, finding, **payload) -> ApiError:
    """The error a resolve with this payload gets."""
    with pytest.raises(ApiError) as caught:
        act(user, finding, "resolve", **payload)
    db.session.rollback()
    return caught.value


def local(moment):
    """A UTC moment as the camera's naive Seoul wall-clock time."""
    return moment.astimezone(SEOUL).replace(tzinfo=None)


def test_only_after_photos_count(finding, people):
    problem = refusal(people["roads"], finding, evidence=evidence(role="before"))
    assert (problem.status, problem.code, problem.field) == (
        422, "evidence_wrong_role", "evidence.role")


def test_a_reports_before_photo_is_refused(finding, people):
    problem = refusal(people["roads"], finding, evidence=evidence(photo("pothole")))
    assert (problem.code, problem.field, problem.extra["used_as"]) == (
        "evidence_photo_reused", "evidence.sha256", "observation")


def test_earlier_evidence_is_refused_after_a_reopening(finding, people, clock):
    finding = act(people["roads"], finding, "resolve", evidence=evidence())
    clock.advance(days=1)
    finding = act(people["patrol"], finding, "fail_verification", reason="not_fixed")
    clock.advance(hours=2)
    problem = refusal(people["roads"], finding, evidence=evidence())
    assert (problem.code, problem.extra["used_as"]) == ("evidence_photo_reused", "evidence")
    assert act(people["roads"], finding, "resolve",
               evidence=evidence(photo("after again"))).state == "resolved"


def test_a_photo_taken_before_the_department_received_it_is_refused(finding, people, clock):
    old = exif(photo("old"), captured=local(finding.assigned_at - timedelta(days=3)))
    problem = refusal(people["roads"], finding, evidence=evidence(old))
    assert (problem.code, problem.field) == ("evidence_taken_before", "evidence.sha256")
    assert problem.extra["not_before"] == finding.assigned_at.isoformat()


def test_the_camera_clock_may_be_a_little_behind(finding, people, clock):
    clock.advance(hours=2)
    slow = exif(photo("slow clock"), captured=local(finding.assigned_at - timedelta(minutes=9)))
    resolved = act(people["roads"], finding, "resolve", evidence=evidence(slow))
    facts = db.session.execute(sa.select(FindingEvent.data).where(
        FindingEvent.kind == "resolve")).scalar_one()["evidence"]
    assert resolved.state == "resolved"
    assert facts["captured_at"] == (finding.assigned_at - timedelta(minutes=9)).isoformat()


def test_a_capture_time_is_read_with_its_utc_offset_else_as_seoul_time(finding, people):
    wall = local(finding.assigned_at - timedelta(hours=3))  # 07:00 on the camera's clock
    seoul = exif(photo("seoul camera"), captured=wall)  # 07:00 in Seoul: before the receipt
    assert refusal(people["roads"], finding, evidence=evidence(seoul)).code == (
        "evidence_taken_before")
    utc = exif(photo("utc camera"), captured=wall, offset_min=0)  # 07:00 UTC: 16:00 in Seoul
    assert act(people["roads"], finding, "resolve", evidence=evidence(utc)).state == "resolved"


def test_the_gps_time_when_the_camera_wrote_no_time(finding, people):
    old = exif(photo("gps only"), gps_time=finding.assigned_at - timedelta(hours=5))
    assert refusal(people["roads"], finding, evidence=evidence(old)).code == (
        "evidence_taken_before")


def test_both_positions_are_checked_and_kept(finding, people):
    both = exif(photo("both"), point=offset(SPOT, 10))
    far_phone = refusal(people["roads"], finding, evidence=evidence(both, offset(SPOT, 90)))
    assert (far_phone.code, far_phone.field, far_phone.extra["position_source"]) == (
        "evidence_too_far", "evidence.lat", "phone")
    act(people["roads"], finding, "resolve", evidence=evidence(both, offset(SPOT, 4)))
    facts = db.session.execute(sa.select(FindingEvent.data).where(
        FindingEvent.kind == "resolve")).scalar_one()["evidence"]
    assert facts["position_source"] == "both" and facts["within"]
    assert 9 < facts["exif_distance_m"] < 11 and 3 < facts["phone_distance_m"] < 5
    assert facts["distance_m"] == facts["exif_distance_m"]


def test_an_exif_position_alone_is_enough(finding, people):
    alone = exif(photo("exif only"), point=offset(SPOT, 5))
    resolved = act(people["roads"], finding, "resolve", evidence=evidence(alone, point=None))
    assert resolved.state == "resolved"


def test_an_approved_exception_widens_the_radius_not_the_other_checks(finding, people):
    finding = act(people["roads"], finding, "request_exception", reason="no_access")
    finding = act(people["manager"], finding, "approve_exception")
    assert refusal(people["roads"], finding, evidence=evidence(photo("pothole"))).code == (
        "evidence_photo_reused")
    resolved = act(people["roads"], finding, "resolve", evidence=evidence(
        point=offset(SPOT, 80)))
    assert resolved.state == "resolved"
