"""Comments and attached photos: events that change nothing but the history."""
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import journal
from patrol_api.findings.actions import load
from patrol_api.models import Finding, MediaBlob, User

COMMENTERS = frozenset({Role.DEPARTMENT_STAFF, Role.MANAGER, Role.ADMIN, Role.PATROL_OFFICER})


def _photos(photos: list[dict]) -> list[dict]:
    """The attached photos; each must be an uploaded, verified blob."""
    for ref in photos:
        blob = db.session.get(MediaBlob, ref["sha256"].lower())
        if blob is None or blob.verified_at is None:
            raise ApiError(422, "photo_not_verified", "Upload each photo before attaching "
                           "it.", "photos")
    return [{"sha256": ref["sha256"].lower(), "role": ref.get("role", "after")}
            for ref in photos]


def comment(user: User, finding_id: int, note: str, photos: list[dict]) -> Finding:
    """Add a comment (internal: citizen auditors never see it), with photos if any."""
    if Role(user.role) not in COMMENTERS:
        raise ApiError(403, "forbidden", "Your role may not comment on findings.")
    finding = load(user, finding_id)
    journal.append(finding, "comment", actor=user, note=note,
                   data={"photos": _photos(photos)} if photos else {})
    return finding
