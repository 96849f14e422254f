"""Bearer tokens: issued at sign-in, stored hashed, bound to a device or to the web."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from patrol_api import jobs
from patrol_api.extensions import db
from patrol_api.models import ApiToken, Device, User
from patrol_api.models.base import utcnow

PREFIX = "pt_"
TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass
class Principal:
    """Who is calling: the user, the token and, for phones, the device."""

    user: User
    token: ApiToken
    device: Device | None

    @property
    def role(self) -> str:
        """The caller's role."""
        return self.user.role


def digest(raw: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user: User, device: Device | None, ttl: timedelta) -> str:
    """Create a token for the user (and device) and return its only plain copy."""
    raw = PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(token_hash=digest(raw), user=user, device=device,
                            expires_at=utcnow() + ttl))
    return raw


def resolve(raw: str) -> Principal | None:
    """The principal of a live token, or None if unknown, expired or revoked."""
    token = db.session.execute(  # one round trip: the user and the device come along
        sa.select(ApiToken).where(ApiToken.token_hash == digest(raw))
        .options(joinedload(ApiToken.user), joinedload(ApiToken.device))).scalar()
    now = utcnow()
    if token is None or token.revoked_at or token.expires_at <= now or not token.user.active:
        return None
    if token.device is not None and token.device.revoked_at is not None:
        return None
    return Principal(user=token.user, token=token, device=token.device)


def touch(principal: Principal) -> None:
    """Record use of the token (and device), at most every few minutes to spare writes.

    The write is a job: a read request never writes (with a job runner it leaves the request).
    """
    now = utcnow()
    if principal.token.last_used_at and now - principal.token.last_used_at < TOUCH_INTERVAL:
        return
    jobs.enqueue(touch_job, principal.token.id, now)


def touch_job(token_id: int, when: datetime) -> None:
    """Job: set the token's (and its device's) last use to `when`, never back in time."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.last_used_at and token.last_used_at >= when):
        return
    token.last_used_at = when
    if token.device is not None:
        token.device.last_seen_at = when
    try:
        db.session.commit()
    except OperationalError:  # a busy database must not fail anything for bookkeeping
        db.session.rollback()


def revoke_token(token: ApiToken) -> None:
    """Revoke one token."""
    token.revoked_at = token.revoked_at or utcnow()


def revoke_device(device: Device) -> None:
    """Revoke a device and every token bound to it."""
    now = utcnow()
    device.revoked_at = device.revoked_at or now
    db.session.execute(sa.update(ApiToken).where(
        ApiToken.device_id == device.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now))


def revoke_user_tokens(user: User) -> None:
    """Revoke every token of a user (deactivation, password change)."""
    db.session.execute(sa.update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
