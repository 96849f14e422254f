"""Registered devices: each user sees and revokes their own; admins see and revoke all."""
import sqlalchemy as sa
from flask.views import MethodView

from patrol_api.auth import access, tokens
from patrol_api.auth.access import AUTHENTICATED, allow
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.pagination import PAGINATION, SelectPage
from patrol_api.http.schemas import DeviceSchema
from patrol_api.models import Device

blp = Blueprint("devices", __name__, url_prefix="/devices", description="Registered devices")
blp.DEFAULT_PAGINATION_PARAMETERS = PAGINATION


def _visible(stmt):
    """Limit a device query to what the caller may see."""
    principal = access.current()
    if principal.role == Role.ADMIN:
        return stmt
    return stmt.where(Device.user_id == principal.user.id)


@blp.route("")
class Devices(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, DeviceSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """The caller's devices (an admin sees every device)."""
        return _visible(sa.select(Device).order_by(Device.id))


@blp.route("/<int:device_id>")
class DeviceItem(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, DeviceSchema)
    def get(self, device_id):
        """One device."""
        return _device(device_id)

    @allow(AUTHENTICATED)
    @blp.response(204)
    def delete(self, device_id):
        """Revoke a device (a lost phone): its tokens stop working on the next request."""
        tokens.revoke_device(_device(device_id))
        db.session.commit()


def _device(device_id: int) -> Device:
    """A device the caller may see, or 404 (others' devices are not disclosed)."""
    device = db.session.execute(_visible(sa.select(Device).where(
        Device.id == device_id))).scalar()
    if device is None:
        raise ApiError(404, "not_found", f"No device with id {device_id}.")
    return device
