"""Offline sync for phones: push mutations, pull changes, the fate of an observation, conflicts.

The protocol is described in docs/sync.md; these views only parse and call `sync`.
"""
import functools
import uuid

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from patrol_api.api import MAX_ID
from patrol_api.auth import access
from patrol_api.auth.access import AUTHENTICATED, allow
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.media_types import checks_item_texts
from patrol_api.http.pagination import PAGINATION, SelectPage
from patrol_api.http.sync_schemas import CHANGES, MUTATIONS, ObservationRecord, PushItemResult
from patrol_api.ops import metrics
from patrol_api.timebounds import Moment
from sync import pull, push, queries, settings
from sync.records import observation_record

blp = Blueprint("sync", __name__, url_prefix="/sync", description="Offline sync for phones")
blp.DEFAULT_PAGINATION_PARAMETERS = PAGINATION

PUSH_ROLES = (Role.PATROL_OFFICER, Role.CITIZEN_AUDITOR, Role.DEPARTMENT_STAFF, Role.MANAGER,
              Role.ADMIN)


class PushArgs(Schema):
    """A batch of mutations from the device's outbox, oldest first."""

    device_time = Moment(required=True, metadata={
        "description": "The device clock when this request was sent (ISO 8601 with offset)"})
    # any item, null too: each is validated on its own and a bad one is refused alone
    mutations = fields.List(
        fields.Raw(allow_none=True, metadata={"one_of": MUTATIONS, "discriminator": "type"}),
        required=True,
        metadata={"description": "Up to 500 mutations, oldest first; each is validated on its "
                                 "own and a bad one is rejected alone (see docs/sync.md)"})


class PushResult(Schema):
    """One result per mutation, in request order, and the device's marks."""

    results = fields.List(fields.Raw(metadata={"schema": PushItemResult}), metadata={
        "description": "One result per mutation, in request order (PushItemResult)"})
    acked_through = fields.Integer(metadata={
        "description": "Every seq up to this one is processed: prune the outbox up to it"})
    max_seq_seen = fields.Integer()
    server_time = fields.String()
    clock_offset_ms = fields.Integer(metadata={"description": "server time - device time"})


class PullArgs(Schema):
    """Where to continue and how much to take."""

    cursor = fields.String(load_default=None, metadata={
        "description": "next_cursor of the previous page; omit for a full download"})
    limit = fields.Integer(load_default=500, validate=validate.Range(
        1, settings.DEFAULTS["SYNC_PULL_LIMIT_MAX"]))


class PullPage(Schema):
    """A page of changes in server order."""

    changes = fields.List(fields.Raw(metadata={"one_of": CHANGES, "discriminator": "kind"}),
                          metadata={"description": "{kind, op: upsert|delete, seq, id, record}"})
    next_cursor = fields.String()
    has_more = fields.Boolean()


class ConflictArgs(Schema):
    """Filters of the conflict list."""

    resolved = fields.Boolean(load_default=None)
    entity_id = fields.UUID(load_default=None)
    user_id = fields.Integer(load_default=None, validate=validate.Range(1, MAX_ID))


class ConflictSchema(Schema):
    """A kept losing value beside the value that won."""

    id = fields.Integer()
    entity_type = fields.String()
    entity_id = fields.String()
    field = fields.String()
    server_value = fields.Raw()
    device_value = fields.Raw()
    base_version = fields.Integer(allow_none=True)
    server_version = fields.Integer()
    device_id = fields.Integer()
    user_id = fields.Integer()
    mutation_id = fields.String()
    rule = fields.String()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by_user_id = fields.Integer(allow_none=True)


def device_required(view):
    """Refuse (403 device_required) a token not bound to a registered device."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if access.current().device is None:
            raise ApiError(403, "device_required", "Push needs a device token: sign in from "
                           "the app with a device (POST /api/v1/auth/login).")
        return view(*args, **kwargs)
    return wrapper


@blp.route("/push")
class Push(MethodView):
    @checks_item_texts("mutations")  # sync.storable refuses a mutation with NUL text alone
    @allow(*PUSH_ROLES)
    @device_required
    @blp.arguments(PushArgs)
    @blp.response(200, PushResult)
    def post(self, args):
        """Apply a batch of the device's mutations, each exactly once; a result per item."""
        principal = access.current()
        answer = push.push(principal.user, principal.device, args["device_time"],
                           args["mutations"])
        db.session.commit()
        metrics.sync_pushed(answer)
        return answer


@blp.route("/pull")
class Pull(MethodView):
    @allow(AUTHENTICATED)
    @blp.arguments(PullArgs, location="query")
    @blp.response(200, PullPage)
    def get(self, args):
        """Changes after the cursor: own observations, held findings, active campaigns and
        their checklists, reference data; tombstones too (docs/sync.md)."""
        page = pull.pull(access.current().user, args["cursor"], args["limit"])
        metrics.sync_pulled()
        return Response(page, mimetype="application/json")


@blp.route("/observations/<client_id>")
class ObservationFate(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200)  # answered as built (sync.records), documented by ObservationRecord
    @blp.doc(responses={"200": {"description": "The observation with its fate", "content": {
        "application/json": {"schema": ObservationRecord}}}})
    def get(self, client_id):
        """One observation with its fate (its author, managers and admins)."""
        obs = queries.observation_for(access.current().user, _canonical(client_id))
        if obs is None:
            raise ApiError(404, "not_found", "No such observation.")
        return observation_record(obs)


@blp.route("/conflicts")
class Conflicts(MethodView):
    @allow(Role.MANAGER, Role.ADMIN)
    @blp.arguments(ConflictArgs, location="query")
    @blp.response(200, ConflictSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """Kept losing values of concurrent edits, newest first."""
        entity_id = str(args["entity_id"]) if args["entity_id"] else None
        return queries.conflicts_select(args["resolved"], entity_id, args["user_id"])


def _canonical(client_id: str) -> str | None:
    """The canonical form of a UUID in a URL, or None (then nothing matches)."""
    try:
        return str(uuid.UUID(client_id))
    except ValueError:
        return None
