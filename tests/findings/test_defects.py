"""Warranty defects: findings at a site under warranty of a defect category go to the site's
owner, due by the warranty's end when that comes first, and say why."""
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import defects
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import FindingEvent
from tests.findings.helpers import act, consistent, take


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL).astimezone(UTC)


@pytest.fixture
def warranty(world, clock):
    """drain-1 is under warranty, owned by the parks department; reports come on Monday."""
    clock.now = kst(2026, 11, 23, 10, 0)
    site = world.sites["drain-1"]

    def setup(end: date, owner="parks"):
        site.warranty_end, site.contractor = end, "(주)한강건설"
        site.owner_department = world.department(owner) if owner else None
        db.session.commit()
        return site
    return setup


def routed_event(finding) -> FindingEvent:
    return db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.finding_id == finding.id, FindingEvent.kind == "routed")).scalar_one()


def test_a_defect_goes_to_the_owner_due_by_the_warranty_end(warranty, observe, world):
    warranty(date(2026, 11, 25))  # Wednesday, before the 3-day target (Thursday)
    finding = take(observe("roads", site="drain-1"))
    assert finding.department_id == world.department("parks").id
    assert (finding.routing_outcome, finding.routing_rule_id) == ("warranty", None)
    assert (finding.resolve_due_at, finding.due_reason) == (kst(2026, 11, 25, 18, 0),
                                                            "warranty_end")
    data = routed_event(finding).data
    assert (data["warranty_end"], data["contractor"]) == ("2026-11-25", "(주)한강건설")
    assert consistent(finding)


def test_a_warranty_ending_on_a_weekend_is_due_the_friday_before(warranty, observe):
    warranty(date(2026, 11, 29))  # Sunday; street order's 5 days end on Monday 30th
    finding = take(observe("street_order", site="drain-1"))
    assert (finding.resolve_due_at, finding.due_reason) == (kst(2026, 11, 27, 18, 0),
                                                            "warranty_end")


def test_a_later_warranty_end_leaves_the_business_target(warranty, observe, world):
    warranty(date(2027, 6, 30))
    finding = take(observe("roads", site="drain-1"))
    assert finding.department_id == world.department("parks").id
    assert (finding.resolve_due_at, finding.due_reason) == (kst(2026, 11, 26, 18, 0),
                                                            "category")


def test_the_facility_types_owner_when_the_site_has_none(warranty, observe, world):
    warranty(date(2026, 11, 25), owner=None)
    finding = take(observe("roads", site="drain-1"))
    assert finding.department_id == world.department("flood-control").id
    assert finding.routing_outcome == "warranty"


@pytest.mark.parametrize("case", ["ended", "not_a_defect_category"])
def test_otherwise_the_routing_rules_decide(warranty, observe, world, case):
    warranty(date(2026, 11, 20) if case == "ended" else date(2026, 11, 25))
    category = "roads" if case == "ended" else "cleaning"  # cleaning: sanitation group
    finding = take(observe(category, site="drain-1"))
    assert finding.department_id == world.department(category).id
    assert (finding.routing_outcome, finding.due_reason) == ("rule", "category")


def test_defect_groups_are_configurable(warranty, observe, world, app):
    warranty(date(2026, 11, 25))
    app.config["FINDING_DEFECT_GROUPS"] = ("sanitation",)
    try:
        assert take(observe("cleaning", site="drain-1")).routing_outcome == "warranty"
        assert take(observe("traffic", site="drain-1")).routing_outcome == "rule"
    finally:
        app.config["FINDING_DEFECT_GROUPS"] = None


def test_a_hold_does_not_move_the_warranty_deadline(warranty, observe, world, make_user,
                                                   clock):
    warranty(date(2026, 11, 25))
    finding = take(observe("roads", site="drain-1"))
    staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("parks"))[0]
    finding = act(staff, finding, "hold", reason="contractor")
    clock.now = kst(2026, 11, 24, 10, 0)
    finding = act(staff, finding, "resume")
    assert finding.resolve_due_at == kst(2026, 11, 25, 18, 0)
    assert finding.ack_due_at == kst(2026, 11, 24, 14, 0)  # acknowledge: paused as usual
    assert consistent(finding)


def test_deadline_is_the_close_of_the_last_business_day(app):
    with app.app_context():
        assert defects.deadline(date(2026, 10, 5)) == kst(2026, 10, 2, 18, 0)  # holiday Mon
