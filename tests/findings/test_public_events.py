"""Citizen auditors' copy of a finding's events: generated events never show who acted."""
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from patrol_api.auth.roles import Role
from patrol_api.findings import inbox
from patrol_api.models import FindingEvent

TEXT = st.text(max_size=30)
EVENTS = st.builds(
    FindingEvent, id=st.integers(1, 10**6), seq=st.integers(1, 500),
    kind=st.sampled_from(["created", "routed", "acknowledge", "hold", "resolve", "verify",
                          "reject", "transfer", "reopen", "fail_verification"]),
    at=st.just(datetime(2026, 7, 1, tzinfo=UTC)),
    from_state=st.none() | TEXT, to_state=st.none() | TEXT,
    actor_user_id=st.none() | st.integers(1, 10**6),
    actor_role=st.none() | st.sampled_from([role.value for role in Role]),
    department_id=st.none() | st.integers(1, 1000), reason=st.none() | TEXT,
    note=st.none() | TEXT, data=st.dictionaries(TEXT, TEXT, max_size=3))


@given(EVENTS)
def test_an_auditor_never_reads_who_acted(event):
    shown = inbox.public_event(event)
    assert set(shown) == {*inbox.EVENT_FIELDS, "data"}
    assert (shown["actor_user_id"], shown["actor_role"], shown["note"], shown["data"]) == (
        None, None, None, {})
    kept = ("id", "seq", "kind", "at", "from_state", "to_state", "department_id", "reason")
    assert all(shown[name] == getattr(event, name) for name in kept)
