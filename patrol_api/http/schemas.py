"""Output schemas shared by several blueprints: users and devices."""
from marshmallow import Schema, fields, validate

from patrol_api.auth.roles import ROLE_LABELS, Role
from patrol_api.reference.schemas import CodeRef

ROLE_CHOICES = validate.OneOf([r.value for r in Role])


class UserSchema(Schema):
    """A user as the API shows it (never the password hash)."""

    id = fields.Integer(dump_only=True)
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9._-]{2,80}$", error="Use 2-80 letters, digits, '.', '_' or '-'."))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    role = fields.String(required=True, validate=ROLE_CHOICES)
    role_label_ko = fields.Function(lambda u: ROLE_LABELS[Role(u.role)][0], dump_only=True)
    role_label_en = fields.Function(lambda u: ROLE_LABELS[Role(u.role)][1], dump_only=True)
    department_code = CodeRef("department")
    email = fields.Email(allow_none=True, load_default=None)
    phone = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=40))
    active = fields.Boolean(load_default=True)
    team = fields.String(allow_none=True, validate=validate.Length(min=1, max=80),
                         metadata={"description": "Patrol team, e.g. 여의동 1조"})
    patrol_area_codes = fields.List(
        fields.String(validate=validate.Length(min=1, max=20)),
        validate=validate.Length(max=50),
        metadata={"description": "Codes of the dong areas the user patrols"})
    created_at = fields.DateTime(dump_only=True)


class DeviceSchema(Schema):
    """A registered device."""

    id = fields.Integer()
    user_id = fields.Integer()
    client_uid = fields.String()
    name = fields.String(allow_none=True)
    platform = fields.String(allow_none=True)
    app_version = fields.String(allow_none=True)
    registered_at = fields.DateTime()
    last_seen_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
