"""Intake and merge: crafted clusters merge or stay apart; routing, references, fates."""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.findings import intake, projection
from patrol_api.models import Finding, FindingEvent, Observation
from tests.findings.conftest import SPOT, offset


def take(obs) -> Finding:
    """Run the intake job for an observation and return its finding."""
    finding_id = intake.process_observation(obs.id)
    db.session.expire_all()
    return db.session.get(Finding, finding_id)


def findings() -> list[Finding]:
    return list(db.session.execute(sa.select(Finding).order_by(Finding.id)).scalars())


def test_same_problem_reported_by_five_people_merges_into_one(observe, reporter, clock):
    made = []
    for index in range(5):
        made.append(take(observe(point=offset(SPOT, 4 * index, 72 * index), user=reporter())))
        clock.advance(minutes=30)
    assert len({f.id for f in made}) == 1
    [finding] = findings()
    assert finding.observation_count == 5
    authors = db.session.execute(sa.select(Observation.user_id).where(
        Observation.finding_id == finding.id)).scalars().all()
    assert len(set(authors)) == 5
    fates = sorted(o.fate for o in db.session.execute(sa.select(Observation)).scalars())
    assert fates == ["merged"] * 4 + ["routed"]


def test_two_problems_15m_apart_of_different_categories_stay_apart(observe):
    first = take(observe("roads", SPOT))
    second = take(observe("cleaning", offset(SPOT, 15)))
    assert first.id != second.id
    assert (first.department.code, second.department.code) == ("roads", "cleaning")


def test_compatible_category_of_the_same_group_merges(observe):
    first = take(observe("roads", SPOT))
    assert take(observe("street_order", offset(SPOT, 10))).id == first.id


def test_beyond_the_radius_or_the_window_a_new_finding_starts(observe, clock):
    first = take(observe("roads", SPOT))
    assert take(observe("roads", offset(SPOT, 40))).id != first.id
    clock.advance(days=15)  # roads: 14-day window
    assert take(observe("roads", offset(SPOT, 2))).id not in (first.id,)


def test_the_nearest_open_finding_wins(observe):
    west = take(observe("roads", offset(SPOT, 25, 270)))
    east = take(observe("roads", offset(SPOT, 25, 90)))
    assert west.id != east.id
    assert take(observe("roads", offset(SPOT, 8, 90))).id == east.id


def test_same_registered_site_merges_and_different_sites_never_do(observe):
    first = take(observe("roads", SPOT, site="drain-1"))
    far = offset(SPOT, 60)  # beyond the radius, yet the same site
    assert take(observe("roads", far, site="drain-1")).id == first.id
    other = take(observe("roads", offset(SPOT, 14), site="drain-2"))
    assert other.id != first.id


def test_position_and_first_seen_derive_from_the_observations(observe, clock):
    a = observe(point=SPOT)
    clock.advance(hours=-2)
    b = observe(point=offset(SPOT, 10))  # recorded earlier, synced later
    take(a)
    finding = take(b)
    assert finding.first_seen_at == b.recorded_at and finding.last_seen_at == a.recorded_at
    assert abs(finding.lat - (a.lat + b.lat) / 2) < 1e-12
    assert abs(finding.lon - (a.lon + b.lon) / 2) < 1e-12


def test_intake_is_idempotent(observe):
    obs = observe()
    first = take(obs)
    assert intake.process_observation(obs.id) == first.id
    assert first.observation_count == 1
    assert intake.process_observation(999999) is None


def test_new_finding_is_routed_with_reference_deadlines_and_events(observe, world):
    finding = take(observe("roads"))
    assert finding.reference == "F-2026-000001"
    assert (finding.state, finding.department.code, finding.routing_outcome) == (
        "assigned", "roads", "rule")
    assert finding.routing_rule_id is not None
    # received Monday 10:00 KST: 3 business hours -> 13:00+ lunch -> 14:00; 3 days -> Thu 18:00
    assert finding.ack_due_at.isoformat() == "2026-11-23T05:00:00+00:00"
    assert finding.resolve_due_at.isoformat() == "2026-11-26T09:00:00+00:00"
    kinds = db.session.execute(sa.select(FindingEvent.kind).where(
        FindingEvent.finding_id == finding.id).order_by(FindingEvent.seq)).scalars().all()
    assert kinds == ["created", "routed"]
    assert projection.rebuild(finding.id) == projection.snapshot(finding)


def test_unrouted_category_goes_to_coordination(observe):
    obs = observe("other")
    finding = take(obs)
    assert (finding.state, finding.department_id, finding.in_coordination) == (
        "new", None, True)
    assert finding.ack_due_at is None
    assert db.session.get(Observation, obs.id).fate == "coordination"


def test_site_owner_routes_when_a_rule_names_it(observe, world):
    from datetime import date

    from patrol_api.models import RoutingRule

    db.session.add(RoutingRule(category=world.category("roads"), priority=30,
                               owner_department=world.department("flood-control"),
                               target_department=world.department("flood-control"),
                               effective_from=date(2020, 1, 1)))
    db.session.commit()
    assert take(observe("roads", site="drain-1")).department.code == "flood-control"
    assert take(observe("roads", offset(SPOT, 200))).department.code == "roads"


def test_observation_fate_moves_its_change_seq(observe):
    obs = observe()
    before = obs.change_seq
    finding = take(obs)
    obs = db.session.get(Observation, obs.id)
    assert obs.finding_id == finding.id and obs.change_seq > before
    assert obs.fate_reason.startswith(finding.reference)


def test_sweep_takes_in_what_was_missed(observe):
    observe()
    observe(point=offset(SPOT, 5))
    assert intake.process_pending() == 2
    assert len(findings()) == 1
    assert intake.process_pending() == 0


def test_scheduled_intake_runs_after_commit_not_before(observe):
    obs = observe()
    intake.schedule(obs.id)
    assert db.session.get(Observation, obs.id).finding_id is None  # nothing before commit
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Observation, obs.id).finding_id is not None


def test_scheduled_intake_of_a_rolled_back_observation_is_harmless(observe):
    obs = observe()
    intake.schedule(obs.id + 1000)  # an observation that never committed
    db.session.commit()
    assert len(findings()) == 0


def test_tick_command_runs_the_periodic_jobs(ctx, observe):
    from patrol_api.findings import commands

    observe()
    result = ctx.test_cli_runner().invoke(commands.findings_command, ["tick"])
    assert result.exit_code == 0, result.output
    assert "intake: 1" in result.output and len(findings()) == 1
