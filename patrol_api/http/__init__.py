"""HTTP blueprints under /api/v1."""
from patrol_api.http import (
    auth,
    complaints,
    devices,
    findings,
    inspections,
    intake,
    meta,
    open311_clients,
    patrols,
    photos,
    rankings,
    reference,
    schedules,
    sync,
    uploads,
    users,
)

BLUEPRINTS = [auth.blp, users.blp, devices.blp, reference.blp, meta.blp, sync.blp, findings.blp]
BLUEPRINTS += [uploads.blp, photos.blp, patrols.blp, schedules.blp, inspections.blp]
BLUEPRINTS += [rankings.blp, intake.blp, complaints.blp, open311_clients.blp]
