"""Registration of phones: one record per user and app installation."""
import sqlalchemy as sa

from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import Device, User


def register(user: User, info: dict) -> Device:
    """Find or create the user's device with this client uid; a revoked one stays revoked."""
    device = db.session.execute(sa.select(Device).where(
        Device.user_id == user.id, Device.client_uid == info["client_uid"])).scalar()
    if device is not None and device.revoked_at is not None:
        raise ApiError(403, "device_revoked", "This device was revoked; reinstall the app or "
                       "ask an administrator.", "device.client_uid")
    if device is None:
        device = Device(user=user, client_uid=info["client_uid"])
        db.session.add(device)
    for name in ("name", "platform", "app_version"):
        if info.get(name) is not None:
            setattr(device, name, info[name])
    return device
