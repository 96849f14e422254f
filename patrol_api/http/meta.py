"""Reference pull for phones and the labels of the fixed vocabularies."""
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from patrol_api.auth.access import AUTHENTICATED, allow
from patrol_api.auth.roles import ROLE_LABELS
from patrol_api.http.blueprint import Blueprint
from patrol_api.models.reference import DEPARTMENT_KINDS, PRIORITIES
from patrol_api.reference import feed

blp = Blueprint("meta", __name__, description="Offline reference pull and vocabularies")

DEPARTMENT_KIND_LABELS = {"headquarters": ("본청 부서", "Headquarters department"),
                          "dong_office": ("동주민센터", "Dong office")}
PRIORITY_LABELS = {"low": ("낮음", "Low"), "normal": ("보통", "Normal"),
                   "high": ("높음", "High"), "urgent": ("긴급", "Urgent")}


class FeedArgs(Schema):
    """Where to continue and how much to take."""

    cursor = fields.String(load_default=None, metadata={
        "description": "next_cursor of the previous page; omit for a full download"})
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 2000))


class Change(Schema):
    """One changed record (op=upsert) or tombstone (op=delete)."""

    kind = fields.String()
    op = fields.String()
    seq = fields.Integer()
    id = fields.Integer()
    record = fields.Dict(allow_none=True)


class FeedPage(Schema):
    """A page of reference changes."""

    changes = fields.List(fields.Nested(Change))
    next_cursor = fields.String()
    has_more = fields.Boolean()
    reference_version = fields.Integer()


def _labels(mapping: dict, keys) -> list[dict]:
    """A vocabulary as a list of {code, name_ko, name_en}."""
    return [{"code": str(k), "name_ko": mapping[k][0], "name_en": mapping[k][1]} for k in keys]


@blp.route("/reference/changes")
class ReferenceChanges(MethodView):
    @allow(AUTHENTICATED)
    @blp.arguments(FeedArgs, location="query")
    @blp.response(200, FeedPage)
    def get(self, args):
        """Reference records changed since the cursor, tombstones included, in change order."""
        return feed.pull(args["cursor"], args["limit"])


@blp.route("/vocabularies")
class Vocabularies(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200)
    def get(self):
        """Korean and English labels of roles, department kinds and priorities."""
        return {"roles": _labels(ROLE_LABELS, ROLE_LABELS),
                "department_kinds": _labels(DEPARTMENT_KIND_LABELS, DEPARTMENT_KINDS),
                "priorities": _labels(PRIORITY_LABELS, PRIORITIES)}
