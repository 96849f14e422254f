"""Checklist items: their definition schema and how an answer is judged."""
import marshmallow as ma
from marshmallow import fields, validate

MAX_TEXT = 2000
ITEM_TYPES = ("yes_no", "choice", "number", "text", "photo")


class ItemSchema(ma.Schema):
    """One checklist item; `fail_*` say which answers fail, `fail_creates_category_code` what
    category of observation a failing answer creates."""

    key = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_]{1,40}$"))
    label_ko = fields.String(required=True, validate=validate.Length(1, 300))
    label_en = fields.String(required=True, validate=validate.Length(1, 300))
    type = fields.String(required=True, validate=validate.OneOf(ITEM_TYPES))
    required = fields.Boolean(load_default=True)
    photo_required = fields.Boolean(load_default=False)
    choices = fields.List(fields.String(validate=validate.Length(1, 100)), load_default=list)
    fail_choices = fields.List(fields.String(), load_default=list)
    fail_answer = fields.Boolean(load_default=False)
    min = fields.Float(load_default=None, allow_none=True)
    max = fields.Float(load_default=None, allow_none=True)
    fail_creates_category_code = fields.String(load_default=None, allow_none=True,
                                               validate=validate.Length(1, 40))

    @ma.validates_schema
    def _consistent(self, data, **kwargs):
        """Choices for choice items; fail choices among them; min <= max."""
        if data.get("type") == "choice" and not data.get("choices"):
            raise ma.ValidationError("a choice item needs choices", "choices")
        if set(data.get("fail_choices", [])) - set(data.get("choices", [])):
            raise ma.ValidationError("fail choices must be among the choices", "fail_choices")
        low, high = data.get("min"), data.get("max")
        if low is not None and high is not None and low > high:
            raise ma.ValidationError("min is above max", "min")


def check_item_list(items: list) -> None:
    """Raise ValidationError unless item keys are unique (an item without a valid key has
    its own error already: marshmallow still passes it here, without the key)."""
    keys = [item["key"] for item in items if isinstance(item, dict) and "key" in item]
    if len(keys) != len(set(keys)):
        raise ma.ValidationError("item keys must be unique", "items")


def answer_error(item: dict, answer: dict | None) -> str | None:
    """Why an answer is unacceptable for the item, or None when it is acceptable."""
    value = None if answer is None else answer.get("value")
    photos = [] if answer is None else answer.get("photos") or []
    if value is None and not photos:
        return "an answer is required" if item.get("required", True) else None
    if item.get("photo_required") and not photos:
        return "a photo is required"
    return _value_error(item, value)


def _value_error(item: dict, value) -> str | None:
    """Type check of an answer's value."""
    kind = item["type"]
    if value is None or kind == "photo":
        return None
    if kind == "yes_no" and not isinstance(value, bool):
        return "expected true or false"
    if kind == "choice" and value not in item.get("choices", []):
        return "not one of the choices"
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return "expected a number"
    if kind == "text" and not (isinstance(value, str) and len(value) <= MAX_TEXT):
        return f"expected text of at most {MAX_TEXT} characters"
    return None


def fails(item: dict, answer: dict | None) -> bool:
    """True when a (valid) answer is a failing one."""
    value = None if answer is None else answer.get("value")
    if value is None:
        return False
    if item["type"] == "yes_no":
        return value == item.get("fail_answer", False)
    if item["type"] == "choice":
        return value in item.get("fail_choices", [])
    if item["type"] == "number":
        low, high = item.get("min"), item.get("max")
        return (low is not None and value < low) or (high is not None and value > high)
    return False
