"""Record ids beyond what the database's INTEGER id columns hold: 404 in a URL, 422 in a
query, never a 500 (PostgreSQL refuses to compare them: "integer out of range")."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patrol_api.auth.roles import Role

TOO_LARGE = st.integers(min_value=2**31, max_value=2**63 - 1)
QUERIES = ["/api/v1/findings?area_id={}", "/api/v1/findings?department_id={}",
           "/api/v1/rankings/metrics?area_id={}", "/api/v1/rankings/metrics?category_id={}",
           "/api/v1/sync/conflicts?user_id={}"]


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record_id=TOO_LARGE, query=st.sampled_from(QUERIES))
def test_ids_beyond_integer_are_refused_not_500(client, make_user, record_id, query):
    _, manager = make_user(Role.MANAGER)
    response = client.get(query.format(record_id), headers=manager)
    assert response.status_code == 422, response.get_json()
    found = client.get(f"/api/v1/findings/{record_id}", headers=manager)
    assert found.status_code == 404, found.get_json()
