"""Who may see which photo, its original and its private EXIF facts.

- Derivatives and the photo record: every internal role (admin, manager, viewer, department
  staff, patrol officer) for any verified photo; a citizen auditor only for photos they
  uploaded or that one of their own observations lists.
- Originals (full resolution, EXIF included): managers, admins and whoever uploaded the bytes.
- EXIF capture time, position and camera: managers and admins only.
"""
import sqlalchemy as sa

from patrol_api.auth.roles import STAFF_ROLES, Role
from patrol_api.extensions import db
from patrol_api.models import Observation, ObservationPhoto, User
from patrol_api.models.media import MediaUploader

OVERSEERS = frozenset({Role.ADMIN.value, Role.MANAGER.value})
SEE_ANY = frozenset(role.value for role in STAFF_ROLES)


def may_view(user: User, sha256: str) -> bool:
    """True when the user may see the photo's record and derivatives."""
    return user.role in SEE_ANY or uploaded_by(user, sha256) or listed_by(user, sha256)


def may_download_original(user: User, sha256: str) -> bool:
    """True for managers, admins and the photo's uploaders."""
    return user.role in OVERSEERS or uploaded_by(user, sha256)


def shows_exif(user: User) -> bool:
    """True when the user may read a photo's capture time, position and camera."""
    return user.role in OVERSEERS


def uploaded_by(user: User, sha256: str) -> bool:
    """True when the user sent the bytes of this photo (by any upload route)."""
    return db.session.get(MediaUploader, (sha256, user.id)) is not None


def listed_by(user: User, sha256: str) -> bool:
    """True when one of the user's live observations lists this photo."""
    return db.session.execute(sa.select(sa.literal(1)).select_from(ObservationPhoto).join(
        Observation).where(ObservationPhoto.sha256 == sha256, Observation.user_id == user.id,
                           Observation.deleted_at.is_(None)).limit(1)).first() is not None
