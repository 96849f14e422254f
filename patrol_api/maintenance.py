"""Housekeeping jobs."""
from datetime import timedelta

import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import ApiToken
from patrol_api.models.base import utcnow

TOKEN_RETENTION = timedelta(days=30)


def purge_dead_tokens() -> int:
    """Delete tokens expired or revoked more than 30 days ago; returns how many."""
    cutoff = utcnow() - TOKEN_RETENTION
    result = db.session.execute(sa.delete(ApiToken).where(sa.or_(
        ApiToken.expires_at < cutoff, ApiToken.revoked_at < cutoff)))
    db.session.commit()
    return result.rowcount
