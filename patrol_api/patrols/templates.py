"""Checklist templates: drafts are editable; published revisions are frozen."""
import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import Category
from patrol_api.models.base import utcnow
from patrol_api.models.patrols import ChecklistTemplate

EDITABLE = ("title_ko", "title_en", "items")


def next_revision(code: str) -> int:
    """The revision number a new template of this code gets."""
    top = db.session.execute(sa.select(sa.func.max(ChecklistTemplate.revision)).where(
        ChecklistTemplate.code == code)).scalar()
    return (top or 0) + 1


def check_categories(items: list) -> None:
    """422 on `items` when an item names a category that is not live."""
    codes = {item["fail_creates_category_code"] for item in items
             if item.get("fail_creates_category_code")}
    found = set(db.session.execute(sa.select(Category.code).where(
        Category.code.in_(codes), Category.deleted_at.is_(None))).scalars())
    if codes - found:
        raise ApiError(422, "validation_error", "Unknown category code(s): "
                       f"{', '.join(sorted(codes - found))}.", "items")


def create(data: dict) -> ChecklistTemplate:
    """A new draft; an existing code gets its next revision."""
    check_categories(data["items"])
    template = ChecklistTemplate(code=data["code"], revision=next_revision(data["code"]),
                                 **{name: data[name] for name in EDITABLE})
    db.session.add(template)
    db.session.flush()
    return template


def update(template: ChecklistTemplate, data: dict) -> ChecklistTemplate:
    """Change a draft; a published template refuses with 409."""
    _check_draft(template)
    check_categories(data.get("items", []))
    for name in EDITABLE:
        if name in data:
            setattr(template, name, data[name])
    db.session.flush()
    return template


def publish(template: ChecklistTemplate) -> ChecklistTemplate:
    """Freeze the template so inspections and campaigns can use it."""
    _check_draft(template)
    template.published_at = utcnow()
    db.session.flush()
    return template


def _check_draft(template: ChecklistTemplate) -> None:
    """409 template_published unless the template is still a draft."""
    if template.published_at is not None:
        raise ApiError(409, "template_published", "A published template cannot change; "
                       "create a new revision of its code instead.")


def item_map(template: ChecklistTemplate) -> dict:
    """The template's items by key."""
    return {item["key"]: item for item in template.items}
