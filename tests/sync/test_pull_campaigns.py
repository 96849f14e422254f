"""Campaigns in the pull: only the team's active campaigns and their templates; tombstones;
citizen auditors hold the campaigns of the runs they are on."""
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from pulledstore import Store

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.patrols import runs
from sync import pulled_campaigns

API = "/api/v1"
ITEMS = [{"key": "door", "label_ko": "출입문", "label_en": "Door", "type": "yes_no"}]


@pytest.fixture
def manager(make_user):
    """A manager's web headers."""
    return make_user(Role.MANAGER)[1]


def _template(client, manager, code: str) -> dict:
    """A published checklist template."""
    made = client.post(f"{API}/checklist-templates", headers=manager, json={
        "code": code, "title_ko": "점검", "title_en": "Check", "items": ITEMS}).get_json()
    published = client.post(f"{API}/checklist-templates/{made['id']}/publish",
                            headers=manager, json={"version": made["version"]})
    assert published.status_code == 200, published.get_json()
    return published.get_json()


def _campaign(client, manager, template: dict, teams: list, days: int = 30) -> dict:
    """A campaign starting today over `days` days for these teams."""
    today = pulled_campaigns.today()
    made = client.post(f"{API}/campaigns", headers=manager, json={
        "code": f"c-{template['code']}", "theme": "heat_wave", "title_ko": "무더위쉼터",
        "title_en": "Heat", "starts_on": str(today),
        "ends_on": str(today + timedelta(days=days)), "template_id": template["id"],
        "teams": teams})
    assert made.status_code == 201, made.get_json()
    return made.get_json()


@pytest.fixture
def stores(make_user, phone_of) -> dict:
    """Phones of team A, team B, no team, and a manager."""
    def store(role, team):
        user = make_user(role)[0]
        user.team = team
        db.session.commit()
        return Store(phone_of(user))
    return {"a": store(Role.PATROL_OFFICER, "A"), "b": store(Role.PATROL_OFFICER, "B"),
            "none": store(Role.PATROL_OFFICER, None), "manager": store(Role.MANAGER, None)}


def _holding(stores: dict) -> dict:
    """name -> (campaign ids, template ids) after syncing."""
    for store in stores.values():
        store.sync()
    return {name: (store.ids("campaigns"), store.ids("checklist-templates"))
            for name, store in stores.items()}


def test_only_the_teams_campaigns_and_their_templates(client, manager, stores):
    used = _template(client, manager, "shelter")
    unused = _template(client, manager, "unused")
    campaign = _campaign(client, manager, used, ["A"])
    assert unused["id"] != used["id"]
    held = {campaign["id"]}, {used["id"]}
    assert _holding(stores) == {"a": held, "b": (set(), set()), "none": (set(), set()),
                                "manager": held}
    record = stores["a"].get("campaigns", campaign["id"])
    assert (record["code"], record["teams"]) == (campaign["code"], ["A"])


def test_moving_a_campaign_to_another_team_moves_it_and_its_template(client, manager,
                                                                     stores):
    template = _template(client, manager, "shelter")
    campaign = _campaign(client, manager, template, ["A"])
    _holding(stores)
    moved = client.patch(f"{API}/campaigns/{campaign['id']}", json={"teams": ["B"]},
                         headers={**manager, "If-Match": f'"v{campaign["version"]}"'})
    assert moved.status_code == 200, moved.get_json()
    changes = stores["a"].sync()
    assert {(c["kind"], c["op"]) for c in changes} == {("campaigns", "delete"),
                                                        ("checklist-templates", "delete")}
    held = {campaign["id"]}, {template["id"]}
    assert _holding(stores) == {"a": (set(), set()), "b": held, "none": (set(), set()),
                                "manager": held}


def test_an_ended_campaign_reaches_the_phones_as_a_tombstone(client, manager, stores,
                                                            monkeypatch):
    template = _template(client, manager, "shelter")
    campaign = _campaign(client, manager, template, ["A"], days=0)
    _holding(stores)
    last_day = date.fromisoformat(campaign["ends_on"])
    assert pulled_campaigns.restamp_ended(last_day) == 0  # still running that day
    assert pulled_campaigns.restamp_ended(last_day + timedelta(days=1)) == 1
    assert pulled_campaigns.restamp_ended(last_day + timedelta(days=2)) == 0  # once
    # the pull compares with the real date: pretend it is the day after
    monkeypatch.setattr(pulled_campaigns, "today", lambda: last_day + timedelta(days=1))
    holding = _holding(stores)
    assert holding["a"] == (set(), set()) and holding["manager"] == (set(), set())


def test_patrols_tick_restamps_the_campaigns_that_ended(ctx, client, manager, stores,
                                                       monkeypatch):
    from patrol_api.patrols.commands import patrols_command

    campaign = _campaign(client, manager, _template(client, manager, "shelter"), ["A"], days=0)
    stores["a"].sync()
    assert campaign["id"] in stores["a"].ids("campaigns")
    tomorrow = date.fromisoformat(campaign["ends_on"]) + timedelta(days=1)
    monkeypatch.setattr(pulled_campaigns, "today", lambda: tomorrow)
    result = ctx.test_cli_runner().invoke(patrols_command, ["tick"])
    assert result.exit_code == 0, result.output
    assert "campaigns ended: 1" in result.output
    stores["a"].sync()
    assert stores["a"].ids("campaigns") == set()


def _resynced(store: Store) -> Store:
    """The store after its phone was told 410 full_resync_required and pulled afresh."""
    stale = store.phone.pull(store.phone.cursor)
    assert (stale.status_code, stale.get_json()["code"]) == (410, "full_resync_required")
    store.phone.cursor, store.records = None, {}
    store.sync()
    return store


def test_a_citizen_auditor_on_a_campaign_run_holds_the_campaign(client, manager, make_user,
                                                                 phone_of):
    template = _template(client, manager, "shelter")
    campaign = _campaign(client, manager, template, ["A"])
    auditor = make_user(Role.CITIZEN_AUDITOR)[0]
    leader = make_user(Role.PATROL_OFFICER)[0]
    store = Store(phone_of(auditor))
    store.sync()
    assert store.ids("campaigns") == set()
    run = runs.start(leader, str(uuid.uuid4()), {
        "kind": "campaign", "started_at": datetime.now(UTC), "team": "A",
        "campaign_id": campaign["id"], "auditor_user_ids": [auditor.id]})
    db.session.commit()
    _resynced(store)  # joining the run changed the auditor's scope
    assert (store.ids("campaigns"), store.ids("checklist-templates")) == (
        {campaign["id"]}, {template["id"]})
    runs.update(run, {"auditor_user_ids": []})
    db.session.commit()
    _resynced(store)
    assert (store.ids("campaigns"), store.ids("checklist-templates")) == (set(), set())
