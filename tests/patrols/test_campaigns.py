"""Campaigns: published template, targets from facility type and area, progress."""
import uuid
from datetime import UTC, date, datetime

import pytest

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.patrols import campaigns, checks, inspections, progress, runs, templates
from tests.patrols.conftest import WINDOW

AT = datetime(2026, 7, 2, 10, tzinfo=UTC)
GOOD = {"door": {"value": True}, "state": {"value": "good"}, "look": {"photos": ["a" * 64]}}


def _campaign(district, template, **extra):
    data = {"code": "heat-2026", "theme": "heat_wave", "title_ko": "무더위쉼터 점검",
            "title_en": "Cooling shelters", "template_id": template.id,
            "facility_type_ids": [district.types["shelter"].id], "teams": ["A", "B"],
            **WINDOW, **extra}
    return campaigns.create(data)


@pytest.fixture
def sites(district):
    made = [district.site("s1"), district.site("s2", offset=.001),
            district.site("s3", area="dangsan"), district.site("t1", kind="toilet")]
    db.session.commit()
    return made


def test_targets_follow_facility_type_and_area(district, template, sites):
    campaign = _campaign(district, template)
    assert sorted(t.site.code for t in campaign.targets) == ["s1", "s2", "s3"]
    campaigns.update(campaign, {"area_ids": [district.areas["yeoui"].id]})
    assert sorted(t.site.code for t in campaign.targets) == ["s1", "s2"]


def test_campaign_needs_a_published_template_and_a_forward_window(district, sites):
    draft = templates.create({"code": "d", "title_ko": "d", "title_en": "d", "items": []})
    with pytest.raises(ApiError):
        _campaign(district, draft)
    published = templates.publish(templates.create(
        {"code": "e", "title_ko": "e", "title_en": "e", "items": []}))
    with pytest.raises(ApiError):
        _campaign(district, published, starts_on=date(2026, 9, 1))


def test_active_campaigns_by_day(district, template, sites):
    campaign = _campaign(district, template)
    assert campaigns.active(date(2026, 7, 15)) == [campaign]
    assert campaigns.active(date(2026, 9, 15)) == []


def test_progress_per_team_and_area(district, template, sites, make_user):
    campaign = _campaign(district, template)
    officer = make_user()[0]
    team_a = runs.start(officer, str(uuid.uuid4()), {
        "kind": "campaign", "started_at": AT, "team": "A", "campaign_id": campaign.id})
    inspections.record(officer, str(uuid.uuid4()), template, sites[0], {
        "answers": GOOD, "inspected_at": AT, "run_id": team_a.id, "campaign_id": campaign.id})
    checks.record(officer, str(uuid.uuid4()), sites[2], {
        "result": "ok", "checked_at": AT, "run_id": team_a.id})
    checks.record(officer, str(uuid.uuid4()), sites[3], {
        "result": "ok", "checked_at": AT, "run_id": team_a.id})
    report = progress.progress(campaign)
    assert (report["targeted"], report["inspected"], report["inspections"]) == (3, 2, 1)
    none = {"observations_raised": 0, "findings_raised": 0}
    assert report["per_team"] == [
        {"team": "A", "assigned": True, "targeted": 3, "inspected": 2, **none},
        {"team": "B", "assigned": True, "targeted": 3, "inspected": 0, **none}]
    assert report["per_area"] == [
        {"area": "dangsan", "targeted": 1, "inspected": 1, **none},
        {"area": "yeoui", "targeted": 2, "inspected": 1, **none}]
    assert (report["observations_raised"], report["findings_raised"]) == (0, 0)
    assert report["flagged"] == {"not_campaign_target": 0, "outside_campaign_window": 0}


def test_a_teams_targets_are_those_in_its_members_dongs(district, template, sites,
                                                      make_user):
    campaign = _campaign(district, template)
    for team, dongs in (("A", ["yeoui"]), ("A", ["dangsan"]), ("B", ["dangsan"])):
        member = make_user()[0]
        member.team, member.patrol_area_codes = team, dongs
    outsider = make_user()[0]
    outsider.team = "C"  # not a campaign team: its work shows, without a targeted count
    db.session.flush()
    inspections.record(outsider, str(uuid.uuid4()), template, sites[1], {
        "answers": GOOD, "inspected_at": AT, "campaign_id": campaign.id})
    report = progress.progress(campaign)
    assert [(r["team"], r["assigned"], r["targeted"], r["inspected"])
            for r in report["per_team"]] == [("A", True, 3, 0), ("B", True, 1, 0),
                                             ("C", False, None, 1)]
