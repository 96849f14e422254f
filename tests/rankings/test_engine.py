"""Facts cut from the events the real findings engine writes (intake, actions, holds)."""
import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from patrol_api.auth import devices
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import actions, intake, journal
from patrol_api.models import (
    Category,
    Department,
    Finding,
    MediaBlob,
    Observation,
    RankingFact,
    RoutingRule,
    User,
)
from patrol_api.rankings import refresh

SPOT = (37.525, 126.925)
START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 10:00 in Seoul


@pytest.fixture
def clock(monkeypatch):
    """A settable event clock."""
    moment = {"now": START}
    monkeypatch.setattr(journal, "now", lambda: moment["now"])
    return moment


def _world():
    """A roads department with a rule for its category."""
    dept = Department(code="roads", name_ko="도로과", name_en="Roads", kind="headquarters")
    cat = Category(code="roads", name_ko="도로", name_en="Roads", group="street",
                   ack_hours=3, resolve_days=3)
    db.session.add_all([dept, cat])
    db.session.flush()
    db.session.add(RoutingRule(category=cat, target_department=dept, priority=10,
                               effective_from=date(2020, 1, 1)))
    db.session.commit()
    return dept, cat


def _finding(make_user, cat) -> Finding:
    """A finding taken in from one observation."""
    user = make_user(Role.PATROL_OFFICER)[0]
    device = devices.register(user, {"client_uid": f"phone-{uuid.uuid4()}"})
    db.session.commit()
    obs = Observation(client_id=str(uuid.uuid4()), user_id=user.id, device_id=device.id,
                      category=cat, lat=SPOT[0], lon=SPOT[1], accuracy_m=5.0, note="",
                      recorded_at_device=START, recorded_at=START, received_at=START,
                      fate="received", time_flags=[], field_versions={}, photos=[])
    db.session.add(obs)
    db.session.commit()
    return db.session.get(Finding, intake.process_observation(obs.id))


def _photo() -> dict:
    """Evidence: a verified photo at the spot."""
    sha = hashlib.sha256(b"after").hexdigest()
    db.session.add(MediaBlob(sha256=sha, size=100, mime="image/jpeg", verified_at=START))
    db.session.commit()
    return {"sha256": sha, "lat": SPOT[0], "lon": SPOT[1]}


def _act(user, finding, name, clock, hours, **payload):
    """Take an action `hours` after the start and commit."""
    clock["now"] = START + timedelta(hours=hours)
    actions.perform(user, finding.id, name, payload)
    db.session.commit()


def test_engine_events_give_business_times_without_holds(ctx, make_user, clock):
    dept, cat = _world()
    finding = _finding(make_user, cat)
    manager = make_user(Role.MANAGER)[0]
    _act(manager, finding, "acknowledge", clock, 1)                     # Mon 11:00
    _act(manager, finding, "hold", clock, 2, reason="weather")          # Mon 12:00
    _act(manager, finding, "resume", clock, 24)                         # Tue 10:00
    _act(manager, finding, "resolve", clock, 26, evidence=_photo())     # Tue 12:00
    author = db.session.get(User, db.session.execute(sa.select(Observation.user_id)).scalar())
    _act(author, finding, "verify", clock, 27,  # the reporting officer checks the fix there
         position={"lat": SPOT[0], "lon": SPOT[1]})
    refresh.refresh()
    fact = db.session.execute(sa.select(RankingFact)).scalar_one()
    db.session.expire_all()
    stored = db.session.get(Finding, finding.id)
    assert (fact.department_id, fact.origin, fact.ack_s) == (dept.id, "routed", 3600)
    assert fact.resolve_s == 4 * 3600  # Mon 10-12, Tue 10-12; on hold Mon 13-18, Tue 9-10
    assert fact.due_at == stored.resolve_due_at and fact.resolved_at <= fact.due_at
    assert fact.verified_at is not None and fact.expected_resolve_s == 3 * 8 * 3600


def _november(dept) -> dict:
    """The department's November metrics computed at the end of the month."""
    from patrol_api.rankings import metrics

    refresh.refresh()
    rows = metrics.month_metrics("2026-11", as_of=datetime(2026, 11, 30, 12, tzinfo=UTC))
    return next(row for row in rows if row["department_id"] == dept.id)


def test_engine_hold_open_over_the_due_date_is_not_late(ctx, make_user, clock):
    dept, cat = _world()
    finding = _finding(make_user, cat)                                  # due Thu 11-26 18:00
    staff = make_user(Role.MANAGER)[0]
    _act(staff, finding, "hold", clock, 25, reason="other_agency")     # Tue 11-24 11:00
    assert _november(dept)["due"] == 0  # still on hold on 11-30: the deadline is paused
    _act(staff, finding, "resume", clock, 24 * 7 + 1)                  # Mon 11-30 11:00
    stored = db.session.get(Finding, finding.id)
    # on hold Tue 11-24 11:00 to Mon 11-30 11:00: 7 + 8 + 8 + 8 + 2 = 33 business hours
    assert stored.resolve_due_at == datetime(2026, 12, 2, 9, tzinfo=UTC)  # Wed 12-02 18:00
    assert _november(dept)["due"] == 0  # the moved due date is in December
