"""Inspections: a checklist filled at a site, its failures, presence and campaign checks."""
from datetime import datetime

import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Site, User
from patrol_api.models.media import MediaMetadata
from patrol_api.models.patrols import (
    CAMPAIGN_FLAGS,
    Campaign,
    CampaignSite,
    ChecklistTemplate,
    Inspection,
)
from patrol_api.patrols import device_times, items, presence, templates
from patrol_api.photos import exif_privacy


def check_answers(template: ChecklistTemplate, answers: dict) -> None:
    """422 naming the first unknown key or unacceptable answer."""
    by_key = templates.item_map(template)
    for key in answers:
        if key not in by_key:
            raise ApiError(422, "validation_error", "No such item in the template.",
                           f"answers.{key}")
    for key, item in by_key.items():
        problem = items.answer_error(item, answers.get(key))
        if problem:
            raise ApiError(422, "validation_error", problem, f"answers.{key}")


def failures(template: ChecklistTemplate, answers: dict) -> list[dict]:
    """The failing items: key and the category of observation each creates (or None)."""
    return [{"key": item["key"], "category_code": item.get("fail_creates_category_code")}
            for item in template.items if items.fails(item, answers.get(item["key"]))]


def exif_position(answers: dict) -> dict | None:
    """The EXIF position of the first answer photo already uploaded with one, or None."""
    digests = [sha.lower() for answer in answers.values() for sha in answer.get("photos") or []]
    if not digests:
        return None
    row = db.session.execute(sa.select(MediaMetadata.latitude, MediaMetadata.longitude).where(
        MediaMetadata.sha256.in_(digests), MediaMetadata.latitude.isnot(None),
        MediaMetadata.longitude.isnot(None)).limit(1)).first()
    return {"lat": row[0], "lon": row[1]} if row else None


def _usable(template: ChecklistTemplate) -> None:
    """422 unless the template is published."""
    if template.published_at is None or template.deleted_at is not None:
        raise ApiError(422, "validation_error", "Only a published template can be used.",
                       "template")


def _campaign(campaign_id: int | None, template: ChecklistTemplate) -> Campaign | None:
    """The inspection's live campaign; 422 when it uses another template (revision)."""
    if campaign_id is None:
        return None
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.deleted_at is not None:
        raise ApiError(422, "unknown_reference", "No live campaign has this id.", "campaign_id")
    if campaign.template_id != template.id:
        raise ApiError(422, "template_mismatch", "The campaign uses another checklist template "
                       f"(id {campaign.template_id}); pull the campaign again.", "template_id",
                       campaign_template_id=campaign.template_id)
    return campaign


def campaign_flags(campaign: Campaign | None, site: Site, at: datetime) -> dict:
    """not_campaign_target and outside_campaign_window of an inspection (Seoul dates)."""
    if campaign is None:
        return {"not_campaign_target": False, "outside_campaign_window": False}
    day = at.astimezone(SEOUL).date()
    targeted = db.session.execute(sa.select(CampaignSite.site_id).where(
        CampaignSite.campaign_id == campaign.id, CampaignSite.site_id == site.id)).first()
    return {"not_campaign_target": targeted is None,
            "outside_campaign_window": not campaign.starts_on <= day <= campaign.ends_on}


def flags_of(inspection: Inspection) -> list[str]:
    """The campaign flags an inspection carries, as codes (CAMPAIGN_FLAGS order)."""
    return [flag for flag in CAMPAIGN_FLAGS if getattr(inspection, flag)]


def record(user: User, client_id: str, template: ChecklistTemplate, site: Site,
           data: dict, clock=None) -> Inspection:
    """Store an inspection with its failures, distances and campaign flags (data: answers,
    inspected_at, position, photo_position, run_id, campaign_id); with a push's `clock`,
    inspected_at is a device time. Refused (422) when the campaign uses another template."""
    _usable(template)
    campaign = _campaign(data.get("campaign_id"), template)
    when = device_times.stamp(data["inspected_at"], clock)
    check_answers(template, data["answers"])
    photo = data.get("photo_position") or exif_position(data["answers"]) or {}
    measured = presence.measure(site, data.get("position"), photo)
    position = data.get("position") or {}
    inspection = Inspection(
        client_id=client_id, template_id=template.id, template_revision=template.revision,
        site_id=site.id, user_id=user.id, answers=data["answers"],
        failures=failures(template, data["answers"]), inspected_at=when.at,
        inspected_at_device=when.device, clock_offset_ms=when.offset_ms, time_flags=when.flags,
        run_id=data.get("run_id"), campaign_id=data.get("campaign_id"),
        lat=position.get("lat"), lon=position.get("lon"), photo_lat=photo.get("lat"),
        photo_lon=photo.get("lon"), **measured, **campaign_flags(campaign, site, when.at))
    db.session.add(inspection)
    db.session.flush()
    return inspection


def push_result(inspection: Inspection, role: str | None) -> dict:
    """The result of an applied inspection.submit, as the pushing user's role may see it."""
    return exif_privacy.public("inspection_result", {
        "status": "applied", "entity_id": inspection.client_id,
        "failures": inspection.failures, "far_from_site": inspection.far_from_site,
        "far_reason": presence.far_reason(inspection), "campaign_flags": flags_of(inspection)},
        role)
