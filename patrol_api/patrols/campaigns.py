"""Themed campaigns: target sites materialised from the registry, and progress."""
from datetime import date

import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import Area, FacilityType, Site
from patrol_api.models.patrols import Campaign, CampaignSite, ChecklistTemplate

FIELDS = ("code", "theme", "title_ko", "title_en", "starts_on", "ends_on", "template_id",
          "facility_type_ids", "area_ids", "teams")


def create(data: dict) -> Campaign:
    """A campaign on a published template, its target sites materialised."""
    _check(data)
    _check_code_free(data["code"])
    campaign = Campaign(**{name: data[name] for name in FIELDS if name in data})
    db.session.add(campaign)
    db.session.flush()
    materialise(campaign)
    return campaign


def _check_code_free(code: str) -> None:
    """409 naming `code` when another campaign (retired ones too) has it."""
    if db.session.execute(sa.select(Campaign.id).where(Campaign.code == code)).first():
        raise ApiError(409, "duplicate_code", "A campaign already has this code.", "code")


def update(campaign: Campaign, data: dict) -> Campaign:
    """Change a campaign; a changed filter re-materialises the targets."""
    _check({**_current(campaign), **data})
    if data.get("code", campaign.code) != campaign.code:
        _check_code_free(data["code"])
    for name in FIELDS:
        if name in data:
            setattr(campaign, name, data[name])
    db.session.flush()
    materialise(campaign)
    return campaign


def _current(campaign: Campaign) -> dict:
    """The campaign's fields as a dict."""
    return {name: getattr(campaign, name) for name in FIELDS}


def _check(data: dict) -> None:
    """The window runs forward and the template is published."""
    if data["ends_on"] < data["starts_on"]:
        raise ApiError(422, "validation_error", "ends_on is before starts_on.", "ends_on")
    template = db.session.get(ChecklistTemplate, data["template_id"])
    if template is None or template.published_at is None or template.deleted_at is not None:
        raise ApiError(422, "validation_error", "The template must exist and be published.",
                       "template_id")
    _check_known(FacilityType, data.get("facility_type_ids") or [], "facility_type_ids")
    _check_known(Area, data.get("area_ids") or [], "area_ids")


def _check_known(model, ids: list, field: str) -> None:
    """422 naming the field when an id is not a live record."""
    found = db.session.execute(sa.select(sa.func.count()).where(
        model.id.in_(set(ids)), model.deleted_at.is_(None))).scalar()
    if found != len(set(ids)):
        raise ApiError(422, "validation_error", "Unknown or retired id.", field)


def target_query(campaign: Campaign):
    """The live registry sites matching the campaign's facility types and areas."""
    query = sa.select(Site.id).where(Site.deleted_at.is_(None))
    if campaign.facility_type_ids:
        query = query.where(Site.facility_type_id.in_(campaign.facility_type_ids))
    if campaign.area_ids:
        query = query.where(Site.area_id.in_(campaign.area_ids))
    return query


def materialise(campaign: Campaign) -> int:
    """Replace the campaign's target sites with the current matches; their number."""
    site_ids = db.session.execute(target_query(campaign)).scalars().all()
    campaign.targets = [CampaignSite(site_id=site_id) for site_id in site_ids]
    db.session.flush()
    return len(site_ids)


def active(on: date) -> list[Campaign]:
    """Live campaigns whose window contains the day."""
    return db.session.execute(sa.select(Campaign).where(
        Campaign.deleted_at.is_(None), Campaign.starts_on <= on,
        Campaign.ends_on >= on).order_by(Campaign.id)).scalars().all()
