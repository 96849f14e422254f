"""Marshmallow schemas of the reference records; references to other records travel as codes."""
import unicodedata

import marshmallow as ma
from marshmallow import fields, validate

from patrol_api import dates
from patrol_api.models.reference import DEPARTMENT_KINDS, PRIORITIES


def code_field(width: int = 40) -> fields.String:
    """A record code of at most `width` characters (the width of its column)."""
    return fields.String(required=True, validate=validate.Regexp(
        rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{width - 1}}}$",
        error=f"Use 1-{width} letters, digits, '.', '_' or '-'."))


Code = code_field()
NameKo = fields.String(required=True, validate=validate.Length(min=1, max=120))
NameEn = fields.String(required=True, validate=validate.Length(min=1, max=120))


class CodeRef(fields.Field):
    """A reference to another record by its code: dumped from the relationship, loaded as text."""

    def __init__(self, relationship: str, required: bool = False):
        optional = {} if required else {"allow_none": True, "load_default": None}
        super().__init__(required=required, metadata={
            "type": "string", "description": f"code of the {relationship}"}, **optional)
        self.relationship = relationship

    def _serialize(self, value, attr, obj, **kwargs):
        target = getattr(obj, self.relationship, None)
        return target.code if target is not None else None

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        """Read the relationship rather than a column of the same name."""
        return getattr(obj, self.relationship, None)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not value.strip():
            raise ma.ValidationError("Must be a code (non-empty text).")
        return value.strip()


def compose(value):
    """Text in Unicode NFC: Hangul typed or saved on macOS may arrive decomposed (NFD)."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class RecordMeta(ma.Schema):
    """Fields every pulled record carries."""

    id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    change_seq = fields.Integer(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    deleted = fields.Function(lambda obj: obj.deleted_at is not None, dump_only=True)

    @ma.pre_load
    def _compose_text(self, data, **kwargs):
        """Store text composed, so that equal Korean names compare and search as equal."""
        if not isinstance(data, dict):
            return data
        return {key: compose(value) for key, value in data.items()}


class DepartmentSchema(RecordMeta):
    """A department (headquarters) or dong office."""

    code = Code
    name_ko = NameKo
    name_en = NameEn
    kind = fields.String(required=True, validate=validate.OneOf(DEPARTMENT_KINDS))
    area_code = CodeRef("area")
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=200))


class AreaSchema(RecordMeta):
    """An administrative dong with its polygon (GeoJSON geometry, WGS84, lon/lat order)."""

    code = code_field(20)
    name_ko = NameKo
    name_en = NameEn
    geometry = fields.Dict(required=True, metadata={"description": "GeoJSON Polygon or "
                                                    "MultiPolygon"})


class CategorySchema(RecordMeta):
    """A finding category with its default deadlines and merge parameters."""

    code = Code
    name_ko = NameKo
    name_en = NameEn
    group = fields.String(required=True, validate=validate.Length(min=1, max=40))
    default_priority = fields.String(load_default="normal", validate=validate.OneOf(PRIORITIES))
    ack_hours = fields.Integer(load_default=8, validate=validate.Range(1, 24 * 30))
    resolve_days = fields.Integer(load_default=7, validate=validate.Range(1, 365))
    merge_radius_m = fields.Integer(load_default=30, validate=validate.Range(1, 5000))
    merge_window_days = fields.Integer(load_default=30, validate=validate.Range(1, 3650))
    recurrence_window_days = fields.Integer(load_default=90, validate=validate.Range(0, 3650))
    default_department_code = CodeRef("default_department")


class FacilityTypeSchema(RecordMeta):
    """A kind of registered site."""

    code = Code
    name_ko = NameKo
    name_en = NameEn
    owner_department_code = CodeRef("owner_department")


class SiteSchema(RecordMeta):
    """A registered site; its area is derived from its position when not given."""

    code = Code
    name_ko = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(allow_none=True, load_default=None,
                            validate=validate.Length(max=200))
    facility_type_code = CodeRef("facility_type", required=True)
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    area_code = CodeRef("area")
    owner_department_code = CodeRef("owner_department")
    address_ko = fields.String(allow_none=True, load_default=None,
                               validate=validate.Length(max=300))
    warranty_end = dates.Date(allow_none=True, load_default=None)
    contractor = fields.String(allow_none=True, load_default=None,
                               validate=validate.Length(max=200))


class RoutingRuleSchema(RecordMeta):
    """A routing rule; empty conditions match anything."""

    category_code = CodeRef("category")
    area_code = CodeRef("area")
    owner_department_code = CodeRef("owner_department")
    target_department_code = CodeRef("target_department", required=True)
    priority = fields.Integer(load_default=10, validate=validate.Range(0, 1000))
    effective_from = dates.Date(required=True)
    effective_to = dates.Date(allow_none=True, load_default=None)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=300))

    @ma.validates_schema
    def _dates_in_order(self, data, **kwargs):
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            raise ma.ValidationError("Must not be before effective_from.", "effective_to")
