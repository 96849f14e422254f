"""Findings: the department inbox, one finding with its history, actions, comments, the
coordination queue, routing accuracy, and managers' merge, split, undo and priority changes.
The views only parse and call `patrol_api.findings`.
"""
from datetime import timedelta

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from patrol_api import dates
from patrol_api.api import MAX_ID
from patrol_api.auth import access
from patrol_api.auth.access import AUTHENTICATED, allow
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import (
    accuracy,
    actions,
    channels,
    comments,
    curation,
    inbox,
    journal,
    nearby,
    priority,
    visibility,
)
from patrol_api.findings import lifecycle as lc
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.etag import etag_of, if_match, takes_if_match
from patrol_api.http.pagination import PAGINATION, SelectPage
from patrol_api.models.base import utcnow
from patrol_api.models.observations import PHOTO_ROLES
from patrol_api.models.reference import PRIORITIES

blp = Blueprint("findings", __name__, url_prefix="/findings",
                description="Findings: inbox, lifecycle actions, coordination, merge/split")
blp.DEFAULT_PAGINATION_PARAMETERS = PAGINATION

ACTORS = (Role.ADMIN, Role.MANAGER, Role.DEPARTMENT_STAFF, Role.PATROL_OFFICER,
          Role.CITIZEN_AUDITOR)
DEPARTMENT = (Role.ADMIN, Role.MANAGER, Role.DEPARTMENT_STAFF)
COMMENTERS = (Role.ADMIN, Role.MANAGER, Role.DEPARTMENT_STAFF, Role.PATROL_OFFICER)
MANAGERS = (Role.ADMIN, Role.MANAGER)


class IdList(fields.Field):
    """A JSON list of record ids, validated as a whole (errors name the list)."""

    def __init__(self, max_length: int = 500, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def _deserialize(self, value, attr, data, **kwargs):
        """The list of ids, or a ValidationError on the field."""
        if not isinstance(value, list) or not 1 <= len(value) <= self.max_length:
            raise ValidationError(f"Send a list of 1 to {self.max_length} ids.")
        if not all(type(item) is int and 1 <= item <= MAX_ID for item in value):
            raise ValidationError("Every id must be a positive integer.")
        return value


RECORD_ID = validate.Range(1, MAX_ID)


def _due_label(finding) -> dict | None:
    """The Korean and English label of the finding's due_reason."""
    label = lc.DUE_REASONS.get(finding.due_reason)
    return {"name_ko": label[0], "name_en": label[1]} if label else None


def _code(attribute: str):
    """A dumped code of a related record."""
    return fields.Function(lambda obj: getattr(getattr(obj, attribute), "code", None))


class FindingSchema(Schema):
    """A finding: where, what, who holds it, its state and due dates."""

    id = fields.Integer()
    reference = fields.String()
    version = fields.Integer()
    state = fields.String()
    is_open = fields.Boolean()
    category_code = _code("category")
    department_code = _code("department")
    area_code = _code("area")
    site_code = _code("site")
    priority = fields.String()
    channel = fields.String(metadata={"description": "How it came in (docs/findings.md)"})
    channel_label = fields.Function(lambda finding: channels.label(finding.channel))
    lat, lon = fields.Float(), fields.Float()
    first_seen_at, last_seen_at = fields.DateTime(), fields.DateTime()
    observation_count = fields.Integer()
    in_coordination, ping_pong = fields.Boolean(), fields.Boolean()
    routing_rule_id = fields.Integer(allow_none=True)
    routing_outcome = fields.String(allow_none=True)
    transfer_count = fields.Integer()
    assigned_at = fields.DateTime(allow_none=True)
    ack_due_at = fields.DateTime(allow_none=True)
    resolve_due_at = fields.DateTime(allow_none=True, metadata={
        "description": "Resolve due date (business days, paused while on hold)"})
    due_reason = fields.String(allow_none=True, metadata={
        "description": "Why resolve_due_at is what it is: category, priority, warranty_end, "
        "channel_online, channel_written, channel_immediate"})
    due_reason_label = fields.Function(_due_label)
    overdue, escalated = fields.Boolean(), fields.Boolean()
    hold_reason = fields.String(allow_none=True)
    exception_status = fields.String(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    recurrence_of_id = fields.Integer(allow_none=True)
    recurrence_count = fields.Integer()
    merged_into_id = fields.Integer(allow_none=True)
    change_seq = fields.Integer()


class EventSchema(Schema):
    """One event of a finding's history."""

    id, seq = fields.Integer(), fields.Integer()
    kind = fields.String()
    at = fields.DateTime()
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    actor_user_id = fields.Integer(allow_none=True)
    actor_role = fields.String(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    data = fields.Dict()


class ObservationSchema(Schema):
    """An observation merged into the finding."""

    id = fields.Integer()
    client_id = fields.String()
    user_id = fields.Integer()
    category_code = _code("category")
    lat, lon = fields.Float(), fields.Float()
    accuracy_m = fields.Float(allow_none=True)
    recorded_at = fields.DateTime()
    note = fields.String()
    fate = fields.String()
    photos = fields.Function(lambda obs: [{"sha256": p.sha256, "role": p.role}
                                          for p in obs.photos])


class FindingDetail(FindingSchema):
    """A finding with its history and its observations."""

    events = fields.List(fields.Nested(EventSchema))
    observations = fields.List(fields.Nested(ObservationSchema))


class ListArgs(Schema):
    """Inbox filters and order."""

    state = fields.String(validate=validate.OneOf(lc.STATES))
    open = fields.Boolean(load_default=None)
    department_id = fields.Integer(validate=RECORD_ID)
    area_id = fields.Integer(validate=RECORD_ID, metadata={"description": "Area (dong) id"})
    category_id = fields.Integer(validate=RECORD_ID)
    due_before = dates.AwareDateTime(metadata={"description": "Resolve due before"})
    due_after = dates.AwareDateTime(metadata={"description": "Resolve due at or after"})
    overdue = fields.Boolean(load_default=None)
    in_coordination = fields.Boolean(load_default=None)
    ping_pong = fields.Boolean(load_default=None)
    sort = fields.String(load_default="due", validate=validate.OneOf(inbox.SORT_CHOICES))


class EvidenceSchema(Schema):
    """An "after" photo: a verified upload and where the phone was."""

    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))
    lat = fields.Float(load_default=None, validate=validate.Range(-90, 90))
    lon = fields.Float(load_default=None, validate=validate.Range(-180, 180))
    role = fields.String(load_default="after", validate=validate.OneOf(PHOTO_ROLES), metadata={
        "description": "Only \"after\" counts as evidence (422 evidence_wrong_role)"})


class PositionSchema(Schema):
    """Where the verifier's phone is, reported with a check."""

    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(load_default=None, validate=validate.Range(0, 10000))


class PhotoRef(Schema):
    """An uploaded photo attached to a comment."""

    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))
    role = fields.String(load_default="after", validate=validate.OneOf(("after", "before")))


class ActionArgs(Schema):
    """A lifecycle action."""

    action = fields.String(required=True, validate=validate.OneOf(sorted(lc.ACTIONS)))
    reason = fields.String(load_default=None, validate=validate.Length(max=40))
    note = fields.String(load_default=None, validate=validate.Length(max=4000))
    department_code = fields.String(load_default=None, metadata={
        "description": "assign / transfer: the receiving department"})
    evidence = fields.Nested(EvidenceSchema, load_default=None, metadata={
        "description": "resolve / verify: a photo taken on the spot"})
    position = fields.Nested(PositionSchema, load_default=None, metadata={
        "description": "verify: the verifier's position on the spot (instead of a photo)"})


class BulkArgs(Schema):
    """Findings to acknowledge."""

    finding_ids = IdList(max_length=200, required=True)


class BulkResult(Schema):
    """One result per finding."""

    results = fields.List(fields.Dict())


class CommentArgs(Schema):
    """A comment, with photos if any."""

    note = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    photos = fields.List(fields.Nested(PhotoRef), load_default=list)


class MergeArgs(Schema):
    """Merge this finding into another."""

    into_finding_id = fields.Integer(required=True, strict=True, validate=RECORD_ID)
    reason = fields.String(required=True, validate=validate.OneOf(sorted(lc.MERGE_REASONS)))
    note = fields.String(load_default=None)


class SplitArgs(Schema):
    """Move some observations off this finding into a new one."""

    observation_ids = IdList(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(sorted(lc.SPLIT_REASONS)))
    note = fields.String(load_default=None)


class PriorityArgs(Schema):
    """A new priority and why."""

    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    reason = fields.String(required=True,
                           validate=validate.OneOf(sorted(lc.PRIORITY_REASONS)))
    note = fields.String(load_default=None, validate=validate.Length(max=4000))


class AccuracyArgs(Schema):
    """The period whose routings are measured."""

    since = dates.AwareDateTime(load_default=None, metadata={
        "description": "Routed at or after (default: 30 days before until)"})
    until = dates.AwareDateTime(load_default=None, metadata={
        "description": "Routed before (default: now)"})


class RuleAccuracy(Schema):
    """How many findings one rule (or the warranty owner) routed and how many stayed."""

    routing_rule_id = fields.Integer(allow_none=True)
    outcome = fields.String()
    routed, stayed = fields.Integer(), fields.Integer()
    accuracy = fields.Float(allow_none=True)


class AccuracyReport(Schema):
    """Routing accuracy of a period: findings that stayed where first sent."""

    since, until = fields.DateTime(), fields.DateTime()
    routed, stayed = fields.Integer(), fields.Integer()
    accuracy = fields.Float(allow_none=True)
    by_rule = fields.List(fields.Nested(RuleAccuracy))
    to_coordination = fields.Dict(keys=fields.String(), values=fields.Integer())


class UndoArgs(Schema):
    """Why the merge or split is undone."""

    note = fields.String(load_default=None)


def _me():
    """The signed-in user."""
    return access.current().user


class Detail:
    """A finding seen by a user: its own attributes plus the history and observations."""

    def __init__(self, finding, user):
        self.finding = finding
        self.events = inbox.events(user, finding)
        self.observations = inbox.observations(user, finding)

    def __getattr__(self, name):
        return getattr(self.finding, name)


def _detail(finding, status: int = 200):
    """A finding with its history and observations, and its ETag."""
    return Detail(finding, _me()), status, {"ETag": etag_of(finding)}


def _current(finding) -> dict:
    """The finding as the caller reads it, for a 412's `current`."""
    return FindingDetail().dump(Detail(finding, _me()))


def _saved(finding, status: int = 200):
    """Commit, then answer with the finding as stored."""
    db.session.commit()
    db.session.refresh(finding)
    return _detail(finding, status)


@blp.route("")
class Findings(MethodView):
    @allow(AUTHENTICATED)
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, FindingSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """The inbox: findings you may see, filtered and sorted (default: due date)."""
        return inbox.select_findings(_me(), args)


class NearbyArgs(Schema):
    """Where and what someone is about to report (all three required)."""

    category_code = fields.String(load_default=None, validate=validate.Length(1, 40))
    lat = fields.Float(load_default=None, validate=validate.Range(-90, 90))
    lon = fields.Float(load_default=None, validate=validate.Range(-180, 180))

    @validates_schema
    def _all_given(self, data, **kwargs):
        """Each missing one named (after the type checks, so a bad value is named first)."""
        missing = {name: ["Missing data for required field."]
                   for name in ("category_code", "lat", "lon") if data.get(name) is None}
        if missing:
            raise ValidationError(missing)


class NearbyFinding(Schema):
    """An open finding near the point: public facts only."""

    reference, id = fields.String(), fields.Integer()
    category_code, category_name_ko = fields.String(), fields.String()
    category_name_en, state = fields.String(), fields.String()
    lat, lon, distance_m = fields.Float(), fields.Float(), fields.Float()
    first_seen_at, last_seen_at = fields.DateTime(), fields.DateTime()
    observation_count = fields.Integer()
    department_name_ko = fields.String(allow_none=True)
    resolve_due_at = fields.DateTime(allow_none=True)
    would_merge = fields.Boolean(metadata={
        "description": "A report made now would join this finding (within the merge window)"})


@blp.route("/nearby")
class Nearby(MethodView):
    @allow(AUTHENTICATED)
    @blp.arguments(NearbyArgs, location="query")
    @blp.response(200, NearbyFinding(many=True))
    def get(self, args):
        """Before reporting: open findings of the category's group within its merge radius of
        the point, nearest first (at most 50), public facts only."""
        category = nearby.live_category(args["category_code"])
        return nearby.open_near(category, args["lat"], args["lon"], journal.now())


@blp.route("/coordination")
class Coordination(MethodView):
    @allow(*MANAGERS)
    @blp.response(200, FindingSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """The coordination queue (민원조정): open findings no rule could route."""
        return inbox.coordination_queue()


@blp.route("/routing-accuracy")
class RoutingAccuracy(MethodView):
    @allow(*MANAGERS)
    @blp.arguments(AccuracyArgs, location="query")
    @blp.response(200, AccuracyReport)
    def get(self, args):
        """Routing accuracy: findings routed in the period that stayed where first sent."""
        until = args["until"] or utcnow()
        since = args["since"] or until - timedelta(days=30)
        if until <= since:
            raise ApiError(422, "validation_error", "until must be after since.", "until")
        return accuracy.measure(since, until)


@blp.route("/acknowledge")
class BulkAcknowledge(MethodView):
    @allow(*DEPARTMENT)
    @blp.arguments(BulkArgs)
    @blp.response(200, BulkResult)
    def post(self, args):
        """Acknowledge several findings at once; a result per finding."""
        results = actions.acknowledge_many(_me(), args["finding_ids"])
        db.session.commit()
        return {"results": results}


@blp.route("/<int:finding_id>")
class FindingItem(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, FindingDetail)
    def get(self, finding_id):
        """One finding with its history (events) and observations."""
        return _detail(visibility.get(_me(), finding_id))


@blp.route("/<int:finding_id>/actions")
class FindingActions(MethodView):
    @allow(*ACTORS)
    @blp.arguments(ActionArgs)
    @blp.response(200, FindingDetail)
    @takes_if_match(blp)
    def post(self, args, finding_id):
        """Take a lifecycle action (send If-Match to refuse acting on a stale copy)."""
        name = args.pop("action")
        finding = actions.perform(_me(), finding_id, name, args, if_match(_current))
        return _saved(finding)


@blp.route("/<int:finding_id>/comments")
class FindingComments(MethodView):
    @allow(*COMMENTERS)
    @blp.arguments(CommentArgs)
    @blp.response(201, FindingDetail)
    def post(self, args, finding_id):
        """Comment (internal) and attach photos."""
        finding = comments.comment(_me(), finding_id, args["note"], args["photos"])
        return _saved(finding, 201)


@blp.route("/<int:finding_id>/merge")
class FindingMerge(MethodView):
    @allow(*MANAGERS)
    @blp.arguments(MergeArgs)
    @blp.response(200, FindingDetail)
    def post(self, args, finding_id):
        """Merge this finding into another open one; answers the merged-into finding."""
        target = curation.merge(_me(), finding_id, args["into_finding_id"], args["reason"],
                                args["note"])
        return _saved(target)


@blp.route("/<int:finding_id>/split")
class FindingSplit(MethodView):
    @allow(*MANAGERS)
    @blp.arguments(SplitArgs)
    @blp.response(201, FindingDetail)
    def post(self, args, finding_id):
        """Split observations off into a new finding (routed anew); answers the new one."""
        new = curation.split(_me(), finding_id, args["observation_ids"], args["reason"],
                             args["note"])
        return _saved(new, 201)


@blp.route("/<int:finding_id>/events/<int:event_id>/undo")
class FindingUndo(MethodView):
    @allow(*MANAGERS)
    @blp.arguments(UndoArgs)
    @blp.response(200, FindingDetail)
    def post(self, args, finding_id, event_id):
        """Undo a merge (the merge event of the merged finding) or a split."""
        return _saved(curation.undo(_me(), finding_id, event_id, args["note"]))


@blp.route("/<int:finding_id>/priority")
class FindingPriority(MethodView):
    @allow(*MANAGERS)
    @blp.arguments(PriorityArgs)
    @blp.response(200, FindingDetail)
    @takes_if_match(blp)
    def post(self, args, finding_id):
        """Change the priority with a reason; the due dates are recomputed (If-Match: 412 on
        a stale copy)."""
        finding = priority.change(_me(), finding_id, args["priority"], args["reason"],
                                  args["note"], if_match(_current))
        return _saved(finding)
