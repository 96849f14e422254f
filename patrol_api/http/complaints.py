"""Complaints the desk records (phone, visit, written, 응답소): observations through the intake.

Department staff, managers (the complaints desk of the audit office) and admins record a
complaint received by another channel than the field app; it becomes an observation of the
recording user, taken in like any other (merged, routed), and its finding is due by the
channel's legal period (patrol_api/findings/channels.py).
"""
import uuid

import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from patrol_api.auth import access, devices
from patrol_api.auth.access import allow
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import channels, intake, nearby
from patrol_api.findings.journal import now
from patrol_api.http.blueprint import Blueprint
from patrol_api.models import Observation
from patrol_api.reference import geo

blp = Blueprint("complaints", __name__, url_prefix="/complaints",
                description="Complaints recorded at a desk (phone, visit, written, 응답소)")
DESK_DEVICE = "desk"  # the pseudo-device desk complaints are recorded on
MAX_NOTE = 4000


class ComplaintIn(Schema):
    """A complaint received by phone, visit, in writing or through 응답소."""

    channel = fields.String(required=True, validate=validate.OneOf(channels.DESK_CHANNELS),
                            metadata={"description": "How it came in: "
                                      + ", ".join(channels.DESK_CHANNELS)})
    category_code = fields.String(required=True, validate=validate.Length(1, 40))
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    note = fields.String(load_default="", validate=validate.Length(max=MAX_NOTE))
    client_id = fields.UUID(load_default=None, metadata={
        "description": "Optional: the same id sent again returns the recorded complaint"})


class ComplaintOut(Schema):
    """The recorded complaint (an observation waiting for, or taken into, its finding)."""

    observation_id = fields.Integer(attribute="id")
    client_id = fields.String()
    channel = fields.String()
    channel_label = fields.Function(lambda obs: channels.label(obs.channel))
    category_code = fields.Function(lambda obs: obs.category.code)
    received_at = fields.DateTime()
    finding_id = fields.Integer(allow_none=True)


@blp.route("")
class Complaints(MethodView):
    @allow(Role.DEPARTMENT_STAFF, Role.MANAGER, Role.ADMIN)
    @blp.arguments(ComplaintIn)
    @blp.response(201, ComplaintOut)
    def post(self, data):
        """Record a complaint received at a desk; the intake merges and routes it."""
        user = access.current().user
        client_id = str(data["client_id"] or uuid.uuid4())
        existing = db.session.execute(sa.select(Observation).where(
            Observation.client_id == client_id)).scalar()
        if existing is not None:
            if existing.user_id != user.id:
                raise ApiError(409, "client_id_taken", "This client_id is used already.",
                               "client_id")
            return existing
        category = nearby.live_category(data["category_code"])
        device = devices.register(user, {"client_uid": DESK_DEVICE, "name": "민원 접수"})
        db.session.flush()
        at = now()
        obs = Observation(client_id=client_id, user_id=user.id, device_id=device.id,
                          category=category, lat=data["lat"], lon=data["lon"],
                          note=data["note"], channel=data["channel"],
                          area=geo.area_containing(data["lat"], data["lon"]),
                          recorded_at_device=at, recorded_at=at, received_at=at,
                          fate="received", time_flags=[], field_versions={}, photos=[])
        db.session.add(obs)
        db.session.flush()
        intake.schedule(obs.id)
        db.session.commit()
        return obs
