"""What happens to a finding after intake: department work written as timed stories.

A story is a generator: it yields the moment of its next step, the simulation's clock moves
there, and the story takes the step through the findings services (`sim.act`, `sim.resolve`,
`sim.verify`). Steps due after the end of the simulated period never happen, so the newest
findings are still being worked on when the demo starts.
"""
from collections.abc import Iterator
from datetime import datetime

from patrol_api.findings import lifecycle as lc

HOLD_REASONS = ("budget", "contractor", "weather", "other_agency", "owner_consent")
REJECT_REASONS = ("not_found", "private_property", "duplicate", "wrong_report",
                  "not_actionable")
TRANSFER_REASONS = ("not_our_jurisdiction", "site_owner_other", "needs_other_department")
EXCEPTION_REASONS = ("administrative", "no_access", "no_visible_change")
FAIL_REASONS = ("not_fixed", "partially_fixed")

Story = Iterator[datetime]


def handle(sim, finding_id: int) -> Story:
    """The department's work on a newly routed finding, along one of several paths."""
    path = sim.rng.choices(
        (plain, late, backlog, held, transferred, ping_pong, rejected, excepted),
        weights=(38, 8, 15, 8, 7, 3, 5, 8))[0]
    yield from path(sim, finding_id)


def plain(sim, finding_id: int, acknowledge: float = 0.85) -> Story:
    """Acknowledge (usually), sometimes start, resolve with an after photo, then a check."""
    speed = sim.speed(finding_id)
    if sim.rng.random() < acknowledge:
        yield sim.toward(finding_id, "ack_due_at", sim.rng.uniform(0.1, 0.9) * speed)
        if not sim.act(finding_id, "acknowledge"):
            return
    if sim.rng.random() < 0.45:
        yield sim.business_hours(sim.rng.uniform(0.5, 6))
        if not sim.act(finding_id, "start"):
            return
    yield sim.toward(finding_id, "resolve_due_at", sim.rng.uniform(0.2, 0.95) * speed)
    if sim.resolve(finding_id):
        yield from checked(sim, finding_id)


def late(sim, finding_id: int) -> Story:
    """Acknowledged late and resolved past the due date."""
    yield sim.toward(finding_id, "ack_due_at", sim.rng.uniform(1.2, 2.5))
    if not sim.act(finding_id, "acknowledge"):
        return
    yield sim.toward(finding_id, "resolve_due_at", sim.rng.uniform(1.15, 2.2))
    if sim.resolve(finding_id):
        yield from checked(sim, finding_id)


def backlog(sim, finding_id: int) -> Story:
    """Left waiting: acknowledged late, resolved one to six weeks after it came in."""
    yield sim.toward(finding_id, "ack_due_at", sim.rng.uniform(0.8, 3))
    if not sim.act(finding_id, "acknowledge"):
        return
    yield sim.business_hours(sim.rng.uniform(40, 240))
    if sim.resolve(finding_id):
        yield from checked(sim, finding_id)


def held(sim, finding_id: int) -> Story:
    """Put on hold (budget, contractor, weather...) and resumed days later."""
    yield sim.toward(finding_id, "ack_due_at", sim.rng.uniform(0.2, 0.8))
    if not sim.act(finding_id, "acknowledge"):
        return
    yield sim.business_hours(sim.rng.uniform(1, 8))
    if not sim.act(finding_id, "hold", reason=sim.rng.choice(HOLD_REASONS),
                   note="조치 여건 확보 후 재개 예정"):
        return
    pause = sim.rng.uniform(16, 56) if sim.rng.random() < 0.5 else sim.rng.uniform(80, 240)
    yield sim.business_hours(pause)
    if not sim.act(finding_id, "resume"):
        return
    yield from plain(sim, finding_id, acknowledge=0)


def transferred(sim, finding_id: int) -> Story:
    """Sent on to the responsible department, which then does the work."""
    yield sim.business_hours(sim.rng.uniform(0.5, 4))
    if not sim.transfer(finding_id):
        return
    yield from plain(sim, finding_id)


def ping_pong(sim, finding_id: int) -> Story:
    """Transferred twice: the coordination queue takes it and a manager assigns it."""
    yield sim.business_hours(sim.rng.uniform(0.5, 3))
    if not sim.transfer(finding_id):
        return
    yield sim.business_hours(sim.rng.uniform(0.5, 4))
    if not sim.transfer(finding_id):
        return
    yield from coordinated(sim, finding_id)


def rejected(sim, finding_id: int) -> Story:
    """The department finds nothing to do and says why."""
    yield sim.business_hours(sim.rng.uniform(1, 10))
    sim.act(finding_id, "reject", reason=sim.rng.choice(REJECT_REASONS),
            note="현장 확인 결과 조치 대상 아님")


def excepted(sim, finding_id: int) -> Story:
    """No after photo possible: an exception is requested, approved, then resolved."""
    yield sim.toward(finding_id, "ack_due_at", sim.rng.uniform(0.2, 0.8))
    if not sim.act(finding_id, "acknowledge"):
        return
    yield sim.business_hours(sim.rng.uniform(2, 12))
    if not sim.act(finding_id, "request_exception", reason=sim.rng.choice(EXCEPTION_REASONS),
                   note="행정처분으로 종결 요청"):
        return
    yield sim.business_hours(sim.rng.uniform(1, 6))
    if not sim.act(finding_id, "approve_exception", user=sim.manager):
        return
    yield sim.business_hours(sim.rng.uniform(0.5, 4))
    if sim.act(finding_id, "resolve", note="예외 승인에 따라 사진 없이 처리"):
        yield from checked(sim, finding_id)


def coordinated(sim, finding_id: int) -> Story:
    """A finding in the coordination queue: a manager assigns it, the department works."""
    yield sim.business_hours(sim.rng.uniform(2, 12))
    if not sim.act(finding_id, "assign", user=sim.manager,
                   department_code=sim.responsible(finding_id), note="민원조정 결과 배정"):
        return
    yield from sim.rng.choices((plain, late, rejected), weights=(80, 12, 8))[0](sim, finding_id)


def duplicate(sim, finding_id: int, original_id: int) -> Story:
    """A second report of a problem already reported nearby: a manager merges the two."""
    yield sim.business_hours(sim.rng.uniform(1, 8))
    if not sim.merge(finding_id, original_id):
        yield from handle(sim, finding_id)


def checked(sim, finding_id: int) -> Story:
    """A later visit checks the fix: mostly passed, sometimes failed and worked again."""
    yield sim.field_time(sim.rng.uniform(0.5, 6))
    if sim.rng.random() < 0.12:
        if sim.verify(finding_id, passed=False):
            yield from rework(sim, finding_id)
        return
    if sim.verify(finding_id, passed=True):
        sim.maybe_recur(finding_id)


def rework(sim, finding_id: int) -> Story:
    """A reopened finding (failed check or recurrence) worked again by its department."""
    yield sim.business_hours(sim.rng.uniform(1, 10))
    if not sim.act(finding_id, "acknowledge"):
        return
    yield sim.toward(finding_id, "resolve_due_at", sim.rng.uniform(0.3, 1.1))
    if sim.resolve(finding_id):
        yield sim.field_time(sim.rng.uniform(1, 5))
        sim.verify(finding_id, passed=True)


def story_for(sim, state: str, finding_id: int) -> Story | None:
    """The story of a finding just taken in, by the state intake left it in."""
    if state == lc.NEW:
        return coordinated(sim, finding_id)
    if state == lc.REOPENED:
        return rework(sim, finding_id)
    if state == lc.ASSIGNED:
        return handle(sim, finding_id)
    return None
