"""Validation of mutation envelopes and of observation data; failures become item rejections."""
import marshmallow as ma
from marshmallow import fields, validate

from patrol_api.errors import first_field
from patrol_api.models.observations import PHOTO_ROLES
from patrol_api.reference.schemas import compose
from patrol_api.timebounds import Moment
from sync.errors import Rejected

MAX_SEQ = 2**63 - 1
MAX_VERSION = 2**31 - 1
MAX_PHOTOS = 20
MAX_NOTE = 4000


class JsonFloat(fields.Float):
    """A JSON number, as a float. marshmallow's Float also takes text ("37.5"): a phone that
    sends text for a number has a bug to show, not a value to guess."""

    def _validated(self, value):
        if type(value) not in (int, float):  # True and False are refused by Number too
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class MutationSchema(ma.Schema):
    """The envelope of one mutation."""

    id = fields.UUID(required=True)
    seq = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_SEQ))
    type = fields.String(required=True, validate=validate.Length(1, 40))
    entity_id = fields.UUID(required=True)
    base_version = fields.Integer(strict=True, allow_none=True, load_default=None,
                                  validate=validate.Range(1, MAX_VERSION))
    data = fields.Dict(load_default=dict, allow_none=True)  # null: no data, as if absent


class PhotoRef(ma.Schema):
    """A photo listed by an observation."""

    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))
    role = fields.String(load_default="before", validate=validate.OneOf(PHOTO_ROLES))

    @ma.post_load
    def _lower(self, data, **kwargs):
        return {**data, "sha256": data["sha256"].lower()}


class ObservationFields(ma.Schema):
    """The fields a device sets on an observation."""

    category_code = fields.String(validate=validate.Length(1, 40))
    site_code = fields.String(allow_none=True, validate=validate.Length(1, 40))
    lat = JsonFloat(validate=validate.Range(-90, 90))
    lon = JsonFloat(validate=validate.Range(-180, 180))
    accuracy_m = JsonFloat(allow_none=True, validate=validate.Range(0, 100_000))
    note = fields.String(validate=validate.Length(max=MAX_NOTE))
    photos = fields.List(fields.Nested(PhotoRef), validate=validate.Length(max=MAX_PHOTOS))

    @ma.pre_load
    def _compose(self, data, **kwargs):
        """Korean text stored composed (NFC), as the reference data is."""
        return {**data, "note": compose(data["note"])} if isinstance(data, dict) and isinstance(
            data.get("note"), str) else data

    @ma.validates_schema
    def _consistent(self, data, **kwargs):
        """A position is lat and lon together; a photo is listed once."""
        if ("lat" in data) != ("lon" in data):
            raise ma.ValidationError("Send lat and lon together.", "lon" if "lat" in data
                                     else "lat")
        digests = [photo["sha256"] for photo in data.get("photos", [])]
        if len(set(digests)) != len(digests):
            raise ma.ValidationError("A photo is listed twice.", "photos")


class ObservationCreate(ObservationFields):
    """observation.create data."""

    category_code = fields.String(required=True, validate=validate.Length(1, 40))
    site_code = fields.String(allow_none=True, load_default=None,
                              validate=validate.Length(1, 40))
    lat = JsonFloat(required=True, validate=validate.Range(-90, 90))
    lon = JsonFloat(required=True, validate=validate.Range(-180, 180))
    accuracy_m = JsonFloat(allow_none=True, load_default=None,
                              validate=validate.Range(0, 100_000))
    note = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE))
    photos = fields.List(fields.Nested(PhotoRef), load_default=list,
                         validate=validate.Length(max=MAX_PHOTOS))
    recorded_at = Moment(required=True)


class ObservationDelete(ma.Schema):
    """observation.delete data: none (absent, null or {}); any field is unknown."""


class ObservationUpdate(ObservationFields):
    """observation.update data: the fields that changed (recorded_at never changes)."""

    recorded_at = fields.Raw()

    @ma.validates("recorded_at")
    def _immutable(self, value, **kwargs):
        """The time of an observation is a fact of its capture."""
        raise ma.ValidationError("recorded_at cannot change after the create.")

    @ma.validates_schema
    def _something(self, data, **kwargs):
        """An update changes at least one field."""
        if not data:
            raise ma.ValidationError("An update must change at least one field.")


def load(schema: ma.Schema, data, prefix: str = "") -> dict:
    """Validated data, or Rejected(validation_error) naming the first offending field."""
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        field = first_field(error.messages) or None
        path = ".".join(part for part in (prefix, field) if part) or None
        raise Rejected("validation_error", f"{path or 'data'}: {_first(error.messages)}",
                       path) from None


def _first(messages) -> str:
    """The first message text of a marshmallow message tree."""
    while isinstance(messages, dict | list) and messages:
        messages = next(iter(messages.values())) if isinstance(messages, dict) else messages[0]
    return str(messages) if messages else "Invalid value."
