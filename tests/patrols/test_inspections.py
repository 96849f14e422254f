"""Inspections and site checks: answers checked, failures computed, presence measured,
campaign template refused when another, off-target and out-of-window inspections flagged."""
import uuid
from datetime import UTC, datetime

import pytest

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import MediaBlob
from patrol_api.models.media import MediaMetadata
from patrol_api.patrols import campaigns, checks, inspections, templates
from tests.patrols.conftest import WINDOW

AT = datetime(2026, 7, 2, 10, tzinfo=UTC)
GOOD = {"door": {"value": True}, "state": {"value": "good"}, "look": {"photos": ["a" * 64]}}


@pytest.fixture
def officer(make_user):
    return make_user()[0]


def _record(officer, template, site, answers, **extra):
    return inspections.record(officer, str(uuid.uuid4()), template, site,
                              {"answers": answers, "inspected_at": AT, **extra})


def test_failures_name_their_category(district, template, officer):
    site = district.site("s1")
    answers = {**GOOD, "door": {"value": False}, "state": {"value": "broken"}}
    done = _record(officer, template, site, answers)
    assert done.failures == [{"key": "door", "category_code": "safety"},
                             {"key": "state", "category_code": None}]
    assert done.template_revision == 1


def test_bad_answers_are_refused_with_the_field(district, template, officer):
    site = district.site("s1")
    with pytest.raises(ApiError) as raised:
        _record(officer, template, site, {**GOOD, "door": {"value": "no"}})
    assert (raised.value.status, raised.value.field) == (422, "answers.door")
    with pytest.raises(ApiError) as raised:
        _record(officer, template, site, {**GOOD, "ghost": {"value": 1}})
    assert raised.value.field == "answers.ghost"


def test_draft_templates_cannot_be_used(district, officer):
    draft = templates.create({"code": "x", "title_ko": "x", "title_en": "x", "items": []})
    with pytest.raises(ApiError):
        _record(officer, draft, district.site("s1"), {})


def test_far_inspection_is_flagged_by_phone_or_photo(district, template, officer):
    site = district.site("s1")
    near = {"lat": site.lat, "lon": site.lon + 0.0005}
    far = {"lat": site.lat + 0.01, "lon": site.lon}
    ok = _record(officer, template, site, GOOD, position=near)
    assert (ok.far_from_site, 40 < ok.distance_m < 50) == (False, True)
    photo_far = _record(officer, template, site, GOOD, position=near, photo_position=far)
    assert photo_far.far_from_site and photo_far.photo_distance_m > 1000


def test_site_check_records_no_problem_with_distance(district, officer):
    site = district.site("s1")
    check = checks.record(officer, str(uuid.uuid4()), site, {
        "result": "ok", "checked_at": AT, "position": {"lat": site.lat, "lon": site.lon}})
    assert (check.result, check.distance_m, check.far_from_site) == ("ok", 0.0, False)


def test_photo_exif_position_counts_when_the_phone_sends_none(district, template, officer):
    site = district.site("s1")
    db.session.add(MediaBlob(sha256="c" * 64, size=1, mime="image/jpeg", verified_at=AT))
    db.session.flush()
    db.session.add(MediaMetadata(sha256="c" * 64, format="JPEG", width=1, height=1,
                                 latitude=site.lat + 0.01, longitude=site.lon))
    db.session.flush()
    done = _record(officer, template, site, {**GOOD, "look": {"photos": ["c" * 64]}})
    assert done.far_from_site and done.photo_lat == site.lat + 0.01


@pytest.fixture
def campaign(district, template):
    """A campaign over the district's shelters in July and August 2026 (Seoul days)."""
    district.site("s1")
    district.site("t1", kind="toilet")
    made = campaigns.create({"code": "heat", "theme": "heat_wave", "title_ko": "무더위쉼터",
                             "title_en": "Heat", "template_id": template.id,
                             "facility_type_ids": [district.types["shelter"].id], **WINDOW})
    db.session.commit()
    return made


def test_a_template_other_than_the_campaigns_is_refused(district, template, campaign,
                                                       officer):
    newer = templates.create({"code": "shelter", "title_ko": "쉼터 점검",
                              "title_en": "Shelter check", "items": template.items})
    templates.publish(newer)  # revision 2: the campaign still uses revision 1
    with pytest.raises(ApiError) as raised:
        _record(officer, newer, district.sites["s1"], GOOD, campaign_id=campaign.id)
    assert (raised.value.status, raised.value.code, raised.value.field) == (
        422, "template_mismatch", "template_id")
    assert raised.value.extra == {"campaign_template_id": template.id}


@pytest.mark.parametrize("site, at, flags", [
    ("s1", datetime(2026, 6, 30, 15, 30, tzinfo=UTC), []),  # 1 July 00:30 in Seoul
    ("s1", datetime(2026, 6, 30, 14, 30, tzinfo=UTC), ["outside_campaign_window"]),
    ("s1", datetime(2026, 8, 31, 14, 59, tzinfo=UTC), []),  # 23:59 on the last day
    ("s1", datetime(2026, 8, 31, 15, 0, tzinfo=UTC), ["outside_campaign_window"]),
    ("t1", AT, ["not_campaign_target"])])
def test_off_target_and_out_of_window_inspections_are_flagged_not_refused(
        district, template, campaign, officer, site, at, flags):
    done = inspections.record(officer, str(uuid.uuid4()), template, district.sites[site], {
        "answers": GOOD, "inspected_at": at, "campaign_id": campaign.id})
    assert inspections.flags_of(done) == flags


def test_inspections_outside_a_campaign_carry_no_campaign_flag(district, template, officer):
    done = _record(officer, template, district.site("s1"), GOOD)
    assert (done.not_campaign_target, done.outside_campaign_window) == (False, False)
