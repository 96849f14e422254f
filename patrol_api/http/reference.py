"""Admin CRUD and bulk import of reference data; every signed-in role may read it."""
import sqlalchemy as sa
from flask import request
from flask.views import MethodView
from marshmallow import Schema, fields

from patrol_api.auth.access import AUTHENTICATED, allow
from patrol_api.auth.roles import Role
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.etag import etag_of, if_match, takes_if_match
from patrol_api.http.media_types import accepts
from patrol_api.http.pagination import PAGINATION, SelectPage
from patrol_api.reference import importer, service
from patrol_api.reference.kinds import KINDS, Kind
from patrol_api.reference.schemas import compose

blp = Blueprint("reference", __name__, description="Reference data (admin CRUD, bulk import)")
blp.DEFAULT_PAGINATION_PARAMETERS = PAGINATION


class ListArgs(Schema):
    """Filters of a reference list."""

    q = fields.String(metadata={"description": "Text in the code or the Korean/English name "
                                "(in the note of routing rules), any case"})
    include_deleted = fields.Boolean(load_default=False)


class ImportArgs(Schema):
    """Options of a bulk import."""

    dry_run = fields.Boolean(load_default=False)


class ImportRowResult(Schema):
    """The outcome of one imported row."""

    row = fields.Integer()
    code = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "created, updated, unchanged or rejected"})
    error = fields.Dict(allow_none=True)


class ImportResult(Schema):
    """The outcome of a bulk import, row by row."""

    dry_run = fields.Boolean()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    rows = fields.List(fields.Nested(ImportRowResult))


def _list_select(kind: Kind, args: dict):
    """The select behind a list, in a stable order."""
    stmt = sa.select(kind.model).order_by(kind.model.id)
    if not args.get("include_deleted"):
        stmt = stmt.where(kind.model.deleted_at.is_(None))
    if args.get("q"):
        stmt = stmt.where(_matches(kind, compose(args["q"])))
    return stmt


def _matches(kind: Kind, text: str):
    """Case-insensitive containment on every backend; % and _ in the text are literal."""
    columns = ([kind.model.code, kind.model.name_ko, kind.model.name_en]
               if kind.keyed_by_code else [kind.model.note])
    return sa.or_(*(column.icontains(text, autoescape=True) for column in columns))


def _with_etag(record, status: int = 200):
    """A response tuple carrying the record's ETag."""
    return record, status, {"ETag": etag_of(record)}


def _register(kind: Kind) -> None:
    """Add the list, item and import routes of one kind."""
    schema, partial = kind.schema, kind.schema(partial=True)

    @blp.route(f"/{kind.name}", endpoint=f"{kind.name}-list")
    class Collection(MethodView):
        @allow(AUTHENTICATED)
        @blp.arguments(ListArgs, location="query")
        @blp.response(200, schema(many=True))
        @blp.paginate(SelectPage)
        def get(self, args):
            """List live records (tombstones with include_deleted)."""
            return _list_select(kind, args)

        @allow(Role.ADMIN)
        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, data):
            """Create a record."""
            record = service.create(kind, data)
            service.save()
            return _with_etag(record, 201)

    @blp.route(f"/{kind.name}/<int:record_id>", endpoint=f"{kind.name}-item")
    class Item(MethodView):
        @allow(AUTHENTICATED)
        @blp.response(200, schema)
        def get(self, record_id):
            """One record (tombstones included)."""
            return _with_etag(service.get(kind, record_id, include_deleted=True))

        @allow(Role.ADMIN)
        @blp.arguments(partial)
        @blp.response(200, schema)
        @takes_if_match(blp)
        def patch(self, data, record_id):
            """Change some fields; send If-Match with the ETag you read to detect conflicts."""
            record = service.get(kind, record_id)
            precondition = if_match(schema().dump)
            precondition.check(record)
            service.update(kind, record, data)
            service.save(record, precondition)
            return _with_etag(record)

        @allow(Role.ADMIN)
        @blp.response(204)
        @takes_if_match(blp)
        def delete(self, record_id):
            """Retire a record; phones receive it as a tombstone."""
            record = service.get(kind, record_id)
            precondition = if_match(schema().dump)
            precondition.check(record)
            service.retire(record)
            service.save(record, precondition)

    @blp.route(f"/{kind.name}/import", endpoint=f"{kind.name}-import")
    class Import(MethodView):
        @allow(Role.ADMIN)
        @accepts(*importer.ACCEPTED_TYPES)
        @blp.arguments(ImportArgs, location="query")
        @blp.response(200, ImportResult)
        def post(self, args):
            """Bulk create or update from CSV or GeoJSON; bad rows are reported, others kept."""
            rows = importer.parse_upload(kind, request)
            return importer.import_rows(kind, rows, dry_run=args["dry_run"])

    Collection.__name__ = Item.__name__ = Import.__name__ = kind.name


for _kind in KINDS.values():
    _register(_kind)
