"""Checklist templates: typed items, drafts, publishing freezes, new revisions."""
import marshmallow as ma
import pytest

from patrol_api.errors import ApiError
from patrol_api.patrols import items, templates
from tests.patrols.conftest import ITEMS


def test_items_load_with_defaults():
    loaded = items.ItemSchema(many=True).load(ITEMS)
    assert loaded[0]["required"] is True and loaded[4]["photo_required"] is True


@pytest.mark.parametrize("bad", [
    {"type": "choice", "choices": []},
    {"type": "choice", "choices": ["a"], "fail_choices": ["b"]},
    {"type": "number", "min": 5, "max": 1},
    {"type": "sound"},
    {"key": "Bad Key"},
])
def test_inconsistent_items_are_refused(bad):
    with pytest.raises(ma.ValidationError):
        items.ItemSchema().load({**ITEMS[0], **bad})


def test_duplicate_keys_are_refused():
    with pytest.raises(ma.ValidationError):
        items.check_item_list([ITEMS[0], ITEMS[0]])


def test_published_template_is_frozen_and_new_revision_follows(template):
    with pytest.raises(ApiError) as raised:
        templates.update(template, {"title_en": "Changed"})
    assert raised.value.status == 409
    again = templates.create({"code": "shelter", "title_ko": "쉼터", "title_en": "Shelter v2",
                              "items": ITEMS[:1]})
    assert (template.revision, again.revision, again.published_at) == (1, 2, None)
    assert templates.update(again, {"title_en": "v2b"}).title_en == "v2b"


@pytest.mark.parametrize(("key", "answer", "problem"), [
    ("door", None, "an answer is required"),
    ("door", {"value": "yes"}, "expected true or false"),
    ("state", {"value": "melted"}, "not one of the choices"),
    ("temp", {"value": "hot"}, "expected a number"),
    ("note", {"value": 3}, "expected text of at most 2000 characters"),
    ("look", {"value": None}, None),
    ("look", {"value": "x"}, "a photo is required"),
])
def test_answer_errors(key, answer, problem):
    item = {i["key"]: items.ItemSchema().load(i) for i in ITEMS}[key]
    assert items.answer_error(item, answer) == problem


@pytest.mark.parametrize(("key", "value", "failing"), [
    ("door", False, True), ("door", True, False), ("state", "broken", True),
    ("state", "worn", False), ("temp", 35, True), ("temp", 20, False), ("note", "x", False),
])
def test_failing_answers(key, value, failing):
    item = {i["key"]: items.ItemSchema().load(i) for i in ITEMS}[key]
    assert items.fails(item, {"value": value}) is failing
