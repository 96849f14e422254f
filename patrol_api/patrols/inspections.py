"""Inspections: a checklist filled at a site, its failures and presence checks."""
import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import Site, User
from patrol_api.models.media import MediaMetadata
from patrol_api.models.patrols import ChecklistTemplate, Inspection
from patrol_api.patrols import device_times, items, presence, templates


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


def record(user: User, client_id: str, template: ChecklistTemplate, site: Site,
           data: dict, clock=None) -> Inspection:
    """Store an inspection with its failures and distances (data: answers, inspected_at,
    position, photo_position, run_id, campaign_id); with a push's `clock`, inspected_at is a
    device time."""
    _usable(template)
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
        photo_lon=photo.get("lon"), **measured)
    db.session.add(inspection)
    db.session.flush()
    return inspection
