"""Who reads which patrol runs: generated runs and teams, the HTTP API and the sync push
checked against one written-out rule (runs carry residents' names and GPS tracks)."""
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol_api.auth import devices, tokens
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.http.sync import PUSH_ROLES
from patrol_api.models.patrols import PatrolRun, PatrolRunMember, SiteCheck
from patrol_api.patrols import runs
from tests.sync.syncapi import Phone, iso, new_id, now

API = "/api/v1"
TEAMS = ("A", "B", None)
# (name, role, team) of the people reading runs
PEOPLE = (("a1", Role.PATROL_OFFICER, "A"), ("a2", Role.PATROL_OFFICER, "A"),
          ("b1", Role.PATROL_OFFICER, "B"), ("loner", Role.PATROL_OFFICER, None),
          ("auditor", Role.CITIZEN_AUDITOR, None), ("viewer", Role.VIEWER, None),
          ("manager", Role.MANAGER, None), ("staff", Role.DEPARTMENT_STAFF, None))
OFFICERS = [name for name, role, _ in PEOPLE if role == Role.PATROL_OFFICER]
SEE_ALL = {Role.ADMIN, Role.MANAGER, Role.VIEWER}
PUSHERS = set(PUSH_ROLES)
HTTP_READERS = {Role.ADMIN, Role.MANAGER, Role.VIEWER, Role.PATROL_OFFICER}


@pytest.fixture
def people(client, make_user, district):
    """One user per entry of PEOPLE, with a phone: name -> (user, headers, phone)."""
    district.site("s1")
    made = {}
    for name, role, team in PEOPLE:
        user, _ = make_user(role, username=name)
        user.team = team
        device = devices.register(user, {"client_uid": f"phone-{name}"})
        headers = {"Authorization": f"Bearer {tokens.issue(user, device, timedelta(days=1))}"}
        made[name] = (user, headers, Phone(client, headers))
    db.session.commit()
    return made


def _may_read(user, leader, participants, auditors, team) -> bool:
    """The rule, written out: see-all roles read every run, others the runs they are on and
    patrol officers also their team's."""
    role = Role(user.role)
    if role in SEE_ALL:
        return True
    if user.username in {leader, *participants, *auditors}:
        return True
    return role == Role.PATROL_OFFICER and user.team is not None and user.team == team


RUN = st.tuples(st.sampled_from(OFFICERS), st.sets(st.sampled_from(OFFICERS), max_size=2),
                st.booleans(), st.sampled_from(TEAMS))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plans=st.lists(RUN, min_size=1, max_size=4))
def test_runs_are_read_by_the_rule(client, people, plans):
    made = []
    for leader, participants, with_auditor, team in plans:
        auditors = ["auditor"] if with_auditor else []
        run = runs.start(people[leader][0], str(uuid.uuid4()), {
            "kind": "night", "started_at": datetime(2026, 7, 1, 22, tzinfo=UTC),
            "team": team or "", "resident_names": ["김주민"],
            "participant_user_ids": [people[p][0].id for p in participants],
            "auditor_user_ids": [people[a][0].id for a in auditors]})
        made.append((run, leader, participants, auditors, team))
    db.session.commit()
    try:
        for name, (user, headers, phone) in people.items():
            expected = {run.id for run, *facts in made if _may_read(user, *facts)}
            listed = client.get(f"{API}/patrol-runs?limit=100", headers=headers)
            if Role(user.role) not in HTTP_READERS:
                assert listed.status_code == 403
            else:
                assert {r["id"] for r in listed.get_json()} == expected, name
            for run, *_ in made if Role(user.role) in HTTP_READERS else ():
                detail = client.get(f"{API}/patrol-runs/{run.id}", headers=headers)
                assert detail.status_code == (200 if run.id in expected else 404), name
                if detail.status_code == 404:
                    assert "resident_names" not in detail.get_json()
            # the sync push resolves runs by the same rule: one the pusher may not read is
            # unknown, as if it did not exist
            for run, *facts in made if Role(user.role) in PUSHERS else ():
                result = phone.one(phone.mutation("site_check.record", new_id(), {
                    "site_code": "s1", "result": "ok", "checked_at": iso(now()),
                    "run_id": run.client_id}))
                if _may_read(user, *facts):
                    assert result["status"] == "applied", (name, result)
                else:
                    assert (result["status"], result["error"]["code"]) == (
                        "rejected", "unknown_entity"), (name, result)
    finally:
        ids = [run.id for run, *_ in made]
        db.session.query(SiteCheck).delete()
        db.session.query(PatrolRunMember).filter(PatrolRunMember.run_id.in_(ids)).delete()
        db.session.query(PatrolRun).filter(PatrolRun.id.in_(ids)).delete()
        db.session.commit()


def test_another_teams_run_cannot_be_changed_or_read_through_a_push(client, people):
    leader = people["a1"][0]
    run = runs.start(leader, str(uuid.uuid4()), {
        "kind": "night", "started_at": datetime(2026, 7, 1, 22, tzinfo=UTC), "team": "A",
        "resident_names": ["김주민"]})
    db.session.commit()
    outsider = people["b1"][2]
    for type_, data in (("patrol_run.update", {"resident_count": 3}),
                        ("track.append", {"points": [[37.5, 126.9, 1]]}),
                        ("patrol_run.end", {"ended_at": iso(now())})):
        result = outsider.one(outsider.mutation(type_, run.client_id, data))
        assert (result["status"], result["error"]["code"]) == ("rejected", "unknown_entity")
        assert "record" not in result
    pulled = outsider.pull_all()  # the pull carries no runs: nothing of team A's run
    assert "김주민" not in str(pulled) and run.client_id not in str(pulled)
    teammate = people["a2"][2]
    result = teammate.one(teammate.mutation("track.append", run.client_id,
                                            {"points": [[37.5, 126.9, 1]]}))
    assert result["error"]["code"] == "forbidden"  # reads it (team), may not change it
