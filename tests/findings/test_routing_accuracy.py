"""Routing accuracy: findings that stayed where the routing first sent them, by rule."""
from datetime import UTC, datetime, timedelta

import pytest

from patrol_api.auth.roles import Role
from patrol_api.findings import accuracy
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, take


@pytest.fixture
def routed(observe, world, make_user, clock):
    """Roads: two routed, one transferred away; cleaning: one kept; one without a rule."""
    roads_staff = make_user(Role.DEPARTMENT_STAFF, department=world.department("roads"))[0]
    kept = take(observe("roads"))
    moved = take(observe("roads", offset(SPOT, 500)))
    act(roads_staff, moved, "transfer", reason="not_our_jurisdiction",
        department_code="parks")
    take(observe("cleaning", offset(SPOT, 900)))
    take(observe("other", offset(SPOT, 1500)))
    return {"kept": kept, "moved": moved}


def window(clock):
    return clock.now - timedelta(hours=1), clock.now + timedelta(hours=1)


def test_accuracy_by_rule_and_overall(routed, clock, world):
    report = accuracy.measure(*window(clock))
    assert (report["routed"], report["stayed"], report["accuracy"]) == (3, 2, 0.6667)
    rules = {row["routing_rule_id"]: (row["routed"], row["stayed"]) for row in report["by_rule"]}
    assert rules[routed["kept"].routing_rule_id] == (2, 1)
    assert sorted(rules.values()) == [(1, 1), (2, 1)]
    assert report["to_coordination"] == {"no_rule": 1, "tie": 0}


def test_only_routings_in_the_period_count(routed, clock):
    later = clock.now + timedelta(days=1)
    assert accuracy.measure(later, later + timedelta(days=1))["routed"] == 0


def test_over_http(client, routed, make_user, clock):
    since, until = window(clock)
    query = {"since": since.isoformat(), "until": until.isoformat()}
    url = "/api/v1/findings/routing-accuracy"
    answer = client.get(url, query_string=query, headers=make_user(Role.MANAGER)[1])
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["accuracy"] == pytest.approx(0.6667)
    staff = make_user(Role.DEPARTMENT_STAFF)[1]
    assert client.get(url, query_string=query, headers=staff).status_code == 403
    backwards = {"since": query["until"], "until": query["since"]}
    wrong = client.get(url, query_string=backwards, headers=make_user(Role.ADMIN)[1])
    assert wrong.status_code == 422 and wrong.get_json()["field"] == "until"
    assert datetime.fromisoformat(answer.get_json()["since"]) == since.astimezone(UTC)
    recent = client.get(url, headers=make_user(Role.MANAGER)[1]).get_json()  # last 30 days
    until = datetime.fromisoformat(recent["until"])
    assert until - datetime.fromisoformat(recent["since"]) == timedelta(days=30)
