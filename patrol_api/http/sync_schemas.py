"""The sync messages as the OpenAPI document shows them: every mutation type with its data
schema, per-item push results, and pull changes by kind with their records.

The views still validate each mutation on its own (one bad item never blocks the others);
these schemas only describe the messages, so clients generated from the document are typed.
"""
from marshmallow import INCLUDE, Schema, fields, validate

from patrol_api.patrols import phone_schemas
from patrol_api.patrols.schemas import CampaignSchema, TemplateSchema
from patrol_api.reference.kinds import KINDS
from sync import schemas as observation_schemas

# The data schema of every mutation type (None: the type takes no data).
MUTATION_DATA = {
    "observation.create": observation_schemas.ObservationCreate,
    "observation.update": observation_schemas.ObservationUpdate,
    "observation.delete": None,
    "patrol_run.start": phone_schemas.RunStart,
    "patrol_run.update": phone_schemas.RunChange,
    "patrol_run.end": phone_schemas.RunEnd,
    "track.append": phone_schemas.TrackAppend,
    "site_check.record": phone_schemas.SiteCheckRecord,
    "inspection.submit": phone_schemas.InspectionSubmit,
}
RESULT_STATUSES = ("applied", "unchanged", "already_applied", "conflict", "rejected", "deferred")


def _camel(name: str) -> str:
    """`patrol_run.start` -> `PatrolRunStart`."""
    return "".join(part.capitalize() for part in name.replace(".", "_").replace("-", "_")
                   .split("_"))


def _mutation(type_name: str, data) -> type[Schema]:
    """The envelope of one mutation type with its data schema."""
    data_field = (fields.Nested(data, required=True) if data else fields.Dict(
        allow_none=True, metadata={"description": "Not used; send {} or leave it out"}))
    return Schema.from_dict({
        "id": fields.UUID(required=True, metadata={"description": "The mutation's own id"}),
        "seq": fields.Integer(required=True, metadata={
            "description": "The device's counter: 1, 2, 3…, never reset"}),
        "type": fields.String(required=True, validate=validate.OneOf([type_name])),
        "entity_id": fields.UUID(required=True, metadata={
            "description": "The phone's UUID of the record"}),
        "base_version": fields.Integer(allow_none=True, metadata={
            "description": "The record's version the change was made from"}),
        "data": data_field,
    }, name=f"{_camel(type_name)}Mutation")


MUTATIONS = [_mutation(name, data) for name, data in MUTATION_DATA.items()]


class ItemError(Schema):
    """Why one mutation was rejected or deferred."""

    class Meta:
        unknown = INCLUDE

    code = fields.String(required=True)
    message = fields.String(required=True)
    field = fields.String(allow_none=True, metadata={"description": "e.g. data.lat"})


class PushItemResult(Schema):
    """The result of one mutation, in request order (docs/sync.md lists every field)."""

    class Meta:
        unknown = INCLUDE

    id = fields.String(allow_none=True, metadata={"description": "The mutation id"})
    seq = fields.Integer(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(RESULT_STATUSES))
    entity_id = fields.String(allow_none=True)
    version = fields.Integer(metadata={"description": "The record's version after the change"})
    record = fields.Dict(metadata={"description": "The record as stored (observations, runs)"})
    applied_fields = fields.List(fields.String())
    conflicts = fields.List(fields.Dict(), metadata={
        "description": "{field, server_value, device_value, rule, conflict_id}"})
    error = fields.Nested(ItemError, metadata={"description": "rejected and deferred"})
    original = fields.Raw(metadata={"description": "already_applied: the first result"})


class ObservationRecord(Schema):
    """An observation of the user, with its completeness and fate."""

    class Meta:
        unknown = INCLUDE

    client_id = fields.String()
    version = fields.Integer()
    change_seq = fields.Integer()
    category_code = fields.String(allow_none=True)
    site_code = fields.String(allow_none=True)
    area_code = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    accuracy_m = fields.Float(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_at_device = fields.String(allow_none=True)
    clock_offset_ms = fields.Integer(allow_none=True)
    recorded_at = fields.String(allow_none=True)
    time_flags = fields.List(fields.String())
    received_at = fields.String(allow_none=True)
    photos = fields.List(fields.Dict(), metadata={"description": "{sha256, role}"})
    photos_expected = fields.Integer(allow_none=True)
    photos_verified = fields.Integer(allow_none=True)
    complete = fields.Boolean(allow_none=True)
    fate = fields.String(allow_none=True)
    fate_reason = fields.String(allow_none=True)
    finding_id = fields.Integer(allow_none=True)
    created_at = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    deleted = fields.Boolean()


class PulledFinding(Schema):
    """The phone-safe copy of a finding the user holds (no notes, comments or actors)."""

    class Meta:
        unknown = INCLUDE

    id = fields.Integer()
    reference = fields.String()
    version = fields.Integer()
    change_seq = fields.Integer()
    state = fields.String()
    is_open = fields.Boolean()
    priority = fields.String(allow_none=True)
    category_code = fields.String(allow_none=True)
    site_code = fields.String(allow_none=True)
    area_code = fields.String(allow_none=True)
    department_code = fields.String(allow_none=True)
    department_name_ko = fields.String(allow_none=True)
    department_name_en = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    in_coordination = fields.Boolean(allow_none=True)
    observation_count = fields.Integer(allow_none=True)
    overdue = fields.Boolean(allow_none=True)
    recurrence_of_id = fields.Integer(allow_none=True)
    merged_into_id = fields.Integer(allow_none=True)


# The record schema of every kind a pull carries.
PULLED_RECORDS = {
    "observations": ObservationRecord,
    "findings": PulledFinding,
    **{name: KINDS[name].schema for name in (
        "departments", "areas", "categories", "facility-types", "sites")},
    "campaigns": CampaignSchema,
    "checklist-templates": TemplateSchema,
}


def _change(kind: str, record) -> type[Schema]:
    """One pull change of a kind: an upsert with the record, or a delete with null."""
    return Schema.from_dict({
        "kind": fields.String(required=True, validate=validate.OneOf([kind])),
        "op": fields.String(required=True, validate=validate.OneOf(["upsert", "delete"])),
        "seq": fields.Integer(required=True),
        "id": fields.Raw(required=True, metadata={
            "description": "The record's key: client_id for observations, else its id"}),
        "record": fields.Nested(record, required=True, allow_none=True, metadata={
            "description": "The record on upsert, null on delete"}),
    }, name=f"{_camel(kind)}Change")


CHANGES = [_change(kind, record) for kind, record in PULLED_RECORDS.items()]
