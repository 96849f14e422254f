"""Nearby reports: open findings near a point before reporting, public facts only."""
import pytest

from patrol_api.auth.roles import Role
from tests.findings.conftest import SPOT, offset
from tests.findings.helpers import act, take

PUBLIC_KEYS = {"reference", "id", "category_code", "category_name_ko", "category_name_en",
               "state", "lat", "lon", "distance_m", "first_seen_at", "last_seen_at",
               "observation_count", "department_name_ko", "resolve_due_at", "would_merge"}


def near(client, headers, category="roads", point=SPOT):
    return client.get("/api/v1/findings/nearby", headers=headers, query_string={
        "category_code": category, "lat": point[0], "lon": point[1]})


@pytest.fixture
def viewer(make_user):
    return make_user(Role.PATROL_OFFICER)[1]


def test_lists_open_findings_of_the_group_within_the_merge_radius_nearest_first(
        client, observe, viewer, clock):
    close = take(observe("roads", point=offset(SPOT, 10)))
    closer = take(observe("street_order", point=offset(SPOT, 25, bearing=270)))
    take(observe("roads", point=offset(SPOT, 45)))          # beyond the 30 m radius
    take(observe("cleaning", point=offset(SPOT, 5, 180)))   # another group
    response = near(client, viewer)
    assert response.status_code == 200
    found = response.json
    assert [f["reference"] for f in found] == [close.reference, closer.reference]
    assert found[0]["distance_m"] == pytest.approx(10, abs=0.2)
    assert found[0]["department_name_ko"] == "roads과" and found[0]["would_merge"]


def test_only_public_facts_are_returned(client, observe, viewer, reporter, clock):
    author = reporter()
    obs = observe("roads", user=author)
    obs.note = "010-1234-5678 홍길동 집 앞"
    take(obs)
    found = near(client, viewer).json
    assert len(found) == 1 and set(found[0]) == PUBLIC_KEYS
    text = str(found)
    assert "010-1234-5678" not in text and "홍길동" not in text


def test_closed_findings_are_not_listed(client, observe, viewer, make_user, world, clock):
    finding = take(observe("roads"))
    manager = make_user(Role.MANAGER)[0]
    act(manager, finding, "reject", reason="duplicate")
    assert near(client, viewer).json == []


def test_a_finding_outside_the_merge_window_is_listed_but_would_not_merge(
        client, observe, viewer, clock):
    take(observe("roads"))
    clock.advance(days=15)  # the roads window is 14 days
    [found] = near(client, viewer).json
    assert found["would_merge"] is False


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_role_may_ask(client, make_user, world, role):
    _, headers = make_user(role)
    assert near(client, headers).status_code == 200


def test_anonymous_may_not_ask(client, world):
    assert near(client, {}).status_code == 401


@pytest.mark.parametrize("query,field", [
    ({"category_code": "nope", "lat": SPOT[0], "lon": SPOT[1]}, "category_code"),
    ({"category_code": "roads", "lat": 91, "lon": SPOT[1]}, "lat"),
    ({"category_code": "roads", "lat": SPOT[0]}, "lon"),
    ({"category_code": "roads", "lat": "north", "lon": SPOT[1]}, "lat"),
])
def test_bad_queries_are_refused_naming_the_field(client, viewer, world, query, field):
    response = client.get("/api/v1/findings/nearby", headers=viewer, query_string=query)
    assert response.status_code == 422 and field in str(response.json)
