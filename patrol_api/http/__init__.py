"""HTTP blueprints under /api/v1."""
from patrol_api.http import auth, devices, meta, reference, sync, users

BLUEPRINTS = [auth.blp, users.blp, devices.blp, reference.blp, meta.blp, sync.blp]
