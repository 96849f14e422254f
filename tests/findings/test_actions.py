"""The lifecycle service: every action as an event, departments, holds, evidence, transfers."""
import pytest
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import photo_facts
from patrol_api.models import FindingEvent, Observation
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, consistent, photo, take


@pytest.fixture
def people(make_user, world, reporter):
    """A cast: roads staff, cleaning staff, a manager, a viewer, the reporter."""
    def staff(code):
        return make_user(Role.DEPARTMENT_STAFF, department=world.department(code))[0]
    return {"roads": staff("roads"), "cleaning": staff("cleaning"),
            "manager": make_user(Role.MANAGER)[0], "viewer": make_user(Role.VIEWER)[0],
            "patrol": reporter(), "auditor": reporter(Role.CITIZEN_AUDITOR)}


@pytest.fixture
def finding(observe, people):
    """An assigned roads finding reported by the patrol officer."""
    return take(observe("roads", user=people["patrol"]))


def after(point=SPOT) -> dict:
    """Evidence: a verified after photo with the phone's position."""
    return {"sha256": photo(), "lat": point[0], "lon": point[1]}


def here(point=SPOT) -> dict:
    """The verifier's reported position."""
    return {"lat": point[0], "lon": point[1], "accuracy_m": 5.0}


def error(call) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    db.session.rollback()
    return caught.value


def test_the_whole_life_of_a_finding(finding, people, clock):
    staff = people["roads"]
    finding = act(staff, finding, "acknowledge")
    assert finding.state == "acknowledged" and finding.acknowledged_at == clock.now
    finding = act(staff, finding, "start", note="보수 업체 배정")
    clock.advance(hours=3)
    finding = act(staff, finding, "resolve", evidence=after(offset(SPOT, 5)))
    assert finding.state == "resolved" and finding.is_open
    clock.advance(days=2)
    finding = act(people["patrol"], finding, "verify", position=here())
    assert (finding.state, finding.is_open, finding.closed_at) == ("verified", False, clock.now)
    kinds = db.session.execute(sa.select(FindingEvent.kind).where(
        FindingEvent.finding_id == finding.id).order_by(FindingEvent.seq)).scalars().all()
    assert kinds == ["created", "routed", "acknowledge", "start", "resolve", "verify"]
    fates = db.session.execute(sa.select(Observation.fate)).scalars().all()
    assert fates == ["verified"]
    assert consistent(finding)


def test_events_record_actor_time_states_reason_and_note(finding, people, clock):
    act(people["roads"], finding, "hold", reason="budget", note="추경 예산 대기")
    event = db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.kind == "hold")).scalar_one()
    assert (event.actor_user_id, event.actor_role, event.at, event.from_state, event.to_state,
            event.reason, event.note) == (people["roads"].id, "department_staff", clock.now,
                                          "assigned", "on_hold", "budget", "추경 예산 대기")


def test_staff_act_only_on_their_departments_findings(finding, people):
    assert error(lambda: act(people["cleaning"], finding, "acknowledge")).status == 403
    assert error(lambda: act(people["viewer"], finding, "acknowledge")).status == 403
    assert act(people["roads"], finding, "acknowledge").state == "acknowledged"


def test_invalid_transition_and_unknown_action(finding, people):
    assert error(lambda: act(people["roads"], finding, "resume")).status == 409
    assert error(lambda: act(people["roads"], finding, "fly")).status == 422


def test_staff_cannot_verify_their_own_fix(finding, people):
    finding = act(people["roads"], finding, "resolve", evidence=after())
    assert error(lambda: act(people["roads"], finding, "verify")).status == 403


@pytest.mark.parametrize("name", ["hold", "reject", "transfer"])
def test_reason_is_required_from_the_fixed_list(finding, people, name):
    problem = error(lambda: act(people["roads"], finding, name, reason="because",
                                department_code="cleaning"))
    assert (problem.status, problem.code) == (422, "invalid_reason")


def test_reject_tells_the_reporter_why(finding, people):
    finding = act(people["roads"], finding, "reject", reason="private_property")
    assert (finding.state, finding.is_open) == ("rejected", False)
    obs = db.session.execute(sa.select(Observation)).scalar_one()
    assert (obs.fate, obs.fate_reason) == ("rejected", "사유지 (관할 외)")


def test_first_transfer_reassigns_second_goes_to_coordination(finding, people, clock, world):
    first_due = finding.resolve_due_at
    clock.advance(hours=1)
    finding = act(people["roads"], finding, "transfer", reason="not_our_jurisdiction",
                  department_code="cleaning")
    assert (finding.state, finding.department.code, finding.transfer_count) == (
        "assigned", "cleaning", 1)
    assert finding.resolve_due_at == first_due and finding.assigned_at == clock.now
    finding = act(people["cleaning"], finding, "transfer", reason="not_our_jurisdiction",
                  department_code="roads")
    assert (finding.state, finding.department_id, finding.in_coordination,
            finding.ping_pong) == ("new", None, True, True)
    finding = act(people["manager"], finding, "assign", department_code="parks")
    assert (finding.state, finding.department.code, finding.in_coordination) == (
        "assigned", "parks", False)
    assert finding.ping_pong and consistent(finding)


def test_transfer_needs_another_live_department(finding, people):
    problem = error(lambda: act(people["roads"], finding, "transfer",
                                reason="not_our_jurisdiction", department_code="roads"))
    assert problem.code == "same_department"
    problem = error(lambda: act(people["roads"], finding, "transfer",
                                reason="not_our_jurisdiction", department_code="nope"))
    assert problem.code == "unknown_department"


def test_resolve_needs_an_after_photo_within_the_radius(finding, people):
    staff = people["roads"]
    assert error(lambda: act(staff, finding, "resolve")).code == "evidence_required"
    far = error(lambda: act(staff, finding, "resolve", evidence=after(offset(SPOT, 80))))
    assert (far.code, far.extra["radius_m"]) == ("evidence_too_far", 30)
    unverified = {"sha256": "ab" * 32, "lat": SPOT[0], "lon": SPOT[1]}
    assert error(lambda: act(staff, finding, "resolve", evidence=unverified)).code == (
        "photo_not_verified")
    blind = {"sha256": photo()}
    assert error(lambda: act(staff, finding, "resolve", evidence=blind)).code == (
        "evidence_position_missing")
    resolved = act(staff, finding, "resolve", evidence=after(offset(SPOT, 20)))
    event = db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.kind == "resolve")).scalar_one()
    assert event.data["evidence"]["position_source"] == "phone"
    assert 19 < event.data["evidence"]["distance_m"] < 21 and resolved.state == "resolved"


def test_a_far_exif_position_refuses_though_the_phone_is_near(finding, people, monkeypatch):
    monkeypatch.setattr(photo_facts, "exif_position", lambda sha: offset(SPOT, 200))
    problem = error(lambda: act(people["roads"], finding, "resolve", evidence=after()))
    assert (problem.code, problem.field, problem.extra["position_source"]) == (
        "evidence_too_far", "evidence.sha256", "exif")


def test_exif_position_from_the_photo_pipeline(finding, people):
    table = db.metadata.tables.get("media_metadata")
    if table is None:
        pytest.skip("the photo pipeline's media_metadata table is not in this schema")
    sha = photo()
    db.session.execute(table.insert().values(
        sha256=sha, format="jpeg", width=1, height=1, latitude=offset(SPOT, 300)[0],
        longitude=offset(SPOT, 300)[1], created_at=finding.created_at))
    db.session.commit()
    assert photo_facts.exif_position(sha) == offset(SPOT, 300)
    problem = error(lambda: act(people["roads"], finding, "resolve", evidence=after()))
    assert problem.code == "evidence_too_far"


def test_exception_approved_by_a_manager_allows_resolving_without_photo(finding, people):
    staff, manager = people["roads"], people["manager"]
    assert error(lambda: act(manager, finding, "approve_exception")).code == (
        "no_exception_requested")
    finding = act(staff, finding, "request_exception", reason="no_access")
    assert finding.exception_status == "requested"
    assert error(lambda: act(staff, finding, "approve_exception")).status == 403
    assert error(lambda: act(staff, finding, "resolve")).code == "evidence_required"
    finding = act(manager, finding, "approve_exception")
    finding = act(staff, finding, "resolve", note="행정처분으로 종결")
    assert finding.state == "resolved" and consistent(finding)


def test_failed_verification_reopens_with_fresh_deadlines(finding, people, clock):
    finding = act(people["roads"], finding, "resolve", evidence=after())
    clock.advance(days=7)
    auditor = people["auditor"]
    assert error(lambda: act(auditor, finding, "fail_verification",
                             reason="not_fixed")).status == 404  # not their report
    finding = act(people["patrol"], finding, "fail_verification", reason="not_fixed")
    assert (finding.state, finding.resolved_at, finding.department.code) == (
        "reopened", None, "roads")
    assert finding.ack_due_at > clock.now and finding.resolve_due_at > clock.now
    finding = act(people["roads"], finding, "acknowledge")
    assert finding.state == "acknowledged" and consistent(finding)


def test_manager_reopens_a_verified_finding(finding, people, clock):
    finding = act(people["roads"], finding, "resolve", evidence=after())
    clock.advance(days=1)
    finding = act(people["patrol"], finding, "verify", position=here())
    finding = act(people["manager"], finding, "reopen", reason="recurred")
    assert (finding.state, finding.is_open, finding.closed_at) == ("reopened", True, None)


def test_citizen_auditor_verifies_their_own_report(observe, people, clock):
    finding = take(observe("cleaning", user=people["auditor"]))
    finding = act(people["cleaning"], finding, "resolve", evidence=after())
    clock.advance(days=1)
    check = {"sha256": photo("check"), "lat": offset(SPOT, 3)[0], "lon": offset(SPOT, 3)[1]}
    finding = act(people["auditor"], finding, "verify", evidence=check)
    assert finding.state == "verified"
