"""Findings in the pull: who holds which finding, the phone-safe record, tombstones, scope."""
import uuid

import pytest
from pulledstore import Store

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import actions, curation
from patrol_api.models import Observation
from patrol_api.models.base import utcnow
from tests.findings.conftest import SPOT, _build, offset
from tests.findings.helpers import reload, take

RECORD_KEYS = {
    "id", "reference", "version", "change_seq", "state", "is_open", "priority",
    "category_code", "site_code", "area_code", "department_code", "department_name_ko",
    "department_name_en", "lat", "lon", "in_coordination", "observation_count", "overdue",
    "recurrence_of_id", "merged_into_id", "first_seen_at", "last_seen_at", "ack_due_at",
    "resolve_due_at", "resolved_at", "closed_at"}


@pytest.fixture
def town(ctx):
    """The findings tests' district: departments with routing rules, 여의동, categories."""
    return _build()


@pytest.fixture
def cast(town, make_user, phone_of) -> dict:
    """Users with phones and their local stores, by name."""
    def store(role, department=None, areas=(), team=None):
        user = make_user(role, department=department)[0]
        user.patrol_area_codes, user.team = list(areas), team
        db.session.commit()
        return Store(phone_of(user))
    return {"reporter": store(Role.PATROL_OFFICER),
            "second_reporter": store(Role.PATROL_OFFICER),
            "area_officer": store(Role.PATROL_OFFICER, areas=["yeoui"]),
            "elsewhere": store(Role.PATROL_OFFICER, areas=["dangsan"]),
            "auditor": store(Role.CITIZEN_AUDITOR),
            "roads": store(Role.DEPARTMENT_STAFF, department=town.department("roads")),
            "cleaning": store(Role.DEPARTMENT_STAFF, department=town.department("cleaning")),
            "manager": store(Role.MANAGER)}


def observe(town, store: Store, point=SPOT, category="roads"):
    """An observation of the store's user, synced and taken in; returns its finding."""
    user, device = store.phone.user, store.phone.device
    obs = Observation(client_id=str(uuid.uuid4()), user_id=user.id, device_id=device.id,
                      category=town.category(category), lat=point[0], lon=point[1],
                      accuracy_m=5.0, area=town.area, note="", fate="received",
                      recorded_at_device=utcnow(), recorded_at=utcnow(), received_at=utcnow(),
                      time_flags=[], field_versions={}, photos=[])
    db.session.add(obs)
    db.session.commit()
    return take(obs)


def holders(cast: dict, finding_id: int) -> set[str]:
    """Who holds the finding after syncing."""
    return {name for name, store in cast.items()
            if (store.sync() or True) and finding_id in store.ids("findings")}


def test_who_holds_an_open_finding(town, cast):
    finding = observe(town, cast["reporter"])
    assert finding.department.code == "roads" and finding.area_id == town.area.id
    assert holders(cast, finding.id) == {"reporter", "area_officer", "roads", "manager"}


def test_the_record_is_phone_safe(town, cast):
    finding = observe(town, cast["reporter"])
    cast["reporter"].sync()
    record = cast["reporter"].get("findings", finding.id)
    assert set(record) == RECORD_KEYS  # no notes, comments, actors or routing internals
    assert (record["reference"], record["state"], record["department_code"],
            record["area_code"], record["category_code"], record["observation_count"]) == (
        finding.reference, "assigned", "roads", "yeoui", "roads", 1)
    assert record["resolve_due_at"] == finding.resolve_due_at.isoformat()


def test_a_transfer_moves_the_finding_between_department_inboxes(town, cast):
    finding = observe(town, cast["reporter"])
    assert holders(cast, finding.id) == {"reporter", "area_officer", "roads", "manager"}
    actions.perform(cast["roads"].phone.user, finding.id, "transfer",
                    {"reason": "not_our_jurisdiction", "department_code": "cleaning"})
    db.session.commit()
    changes = cast["roads"].sync()
    assert [(c["kind"], c["op"], c["id"]) for c in changes] == [
        ("findings", "delete", finding.id)]
    assert holders(cast, finding.id) == {"reporter", "area_officer", "cleaning", "manager"}
    assert cast["cleaning"].get("findings", finding.id)["department_code"] == "cleaning"


def test_closing_leaves_only_the_reporter_with_the_finding(town, cast):
    finding = observe(town, cast["reporter"])
    holders(cast, finding.id)
    actions.perform(cast["roads"].phone.user, finding.id, "reject",
                    {"reason": "private_property"})
    db.session.commit()
    assert holders(cast, finding.id) == {"reporter"}
    assert cast["reporter"].get("findings", finding.id)["state"] == "rejected"


def test_a_merge_sends_the_source_away_and_the_target_to_its_new_reporter(town, cast):
    first = observe(town, cast["reporter"])
    second = observe(town, cast["second_reporter"], offset(SPOT, 60))
    assert first.id != second.id
    holders(cast, first.id)
    curation.merge(cast["manager"].phone.user, second.id, first.id, "same_problem", "같은 곳")
    db.session.commit()
    assert reload(second).state == "merged"
    assert holders(cast, second.id) == set()
    assert holders(cast, first.id) == {"reporter", "second_reporter", "area_officer", "roads",
                                       "manager"}


def test_a_citizen_auditor_holds_their_own_reports_only(town, cast):
    theirs = observe(town, cast["auditor"], offset(SPOT, 200))
    others = observe(town, cast["reporter"])
    cast["auditor"].sync()
    assert cast["auditor"].ids("findings") == {theirs.id} and others.id != theirs.id


@pytest.mark.parametrize(("change", "still_held"), [
    (lambda user: setattr(user, "patrol_area_codes", ["dangsan"]), False),
    (lambda user: setattr(user, "team", "B"), True),
    (lambda user: setattr(user, "role", Role.CITIZEN_AUDITOR.value), False)])
def test_a_changed_scope_answers_the_old_cursor_with_full_resync(town, cast, change,
                                                                 still_held):
    store = cast["area_officer"]
    finding = observe(town, cast["reporter"])
    store.sync()
    assert finding.id in store.ids("findings")
    change(store.phone.user)
    db.session.commit()
    stale = store.phone.pull(store.phone.cursor)
    assert (stale.status_code, stale.get_json()["code"], stale.get_json()["field"]) == (
        410, "full_resync_required", "cursor")
    store.phone.cursor, store.records = None, {}
    store.sync()
    assert (finding.id in store.ids("findings")) is still_held


def test_tiny_pages_converge_to_the_same_holdings(town, cast, phone_of):
    tiny = Store(phone_of(cast["area_officer"].phone.user))
    first = observe(town, cast["reporter"])
    second = observe(town, cast["second_reporter"], offset(SPOT, 60))
    tiny.sync(limit=1)
    actions.perform(cast["roads"].phone.user, first.id, "transfer",
                    {"reason": "not_our_jurisdiction", "department_code": "cleaning"})
    curation.merge(cast["manager"].phone.user, second.id, first.id, "same_problem", None)
    db.session.commit()
    tiny.sync(limit=1)
    cast["area_officer"].sync()
    assert tiny.records == cast["area_officer"].records
    assert tiny.ids("findings") == {first.id}
