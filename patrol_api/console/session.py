"""The console's cookie session: a signed Flask session holding the id of a web token.

Signing in issues the same kind of web token the API gives (WEB_TOKEN_TTL_HOURS) and keeps
only its id and user id in the session cookie (HttpOnly, SameSite=Lax, Secure when
CONSOLE_SECURE_COOKIES, path /console). Every request loads the token: a revoked or expired
token or a deactivated user ends the session. Logout revokes the token; deactivation and a
password change revoke every token of the user (patrol_api.auth.tokens), so they end console
sessions too.
"""
from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import current_app, redirect, request, session, url_for
from sqlalchemy.orm import joinedload

from patrol_api.auth import tokens
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import ApiToken, User
from patrol_api.models.base import utcnow

CACHE = "patrol.console_principal"
STAFF = frozenset({Role.ADMIN, Role.MANAGER, Role.DEPARTMENT_STAFF})


def start(user: User) -> None:
    """Open a session for a user whose credentials were checked; the caller commits."""
    ttl = timedelta(hours=current_app.config["WEB_TOKEN_TTL_HOURS"])
    raw = tokens.issue(user, None, ttl)
    db.session.flush()
    token = db.session.execute(sa.select(ApiToken).where(
        ApiToken.token_hash == tokens.digest(raw))).scalar_one()
    session.clear()  # a fresh session (and CSRF token) at sign-in: no fixation
    session["tid"], session["uid"] = token.id, user.id
    request.environ.pop(CACHE, None)
    session.permanent = False


def end() -> None:
    """Revoke the session's token and clear the cookie; the caller commits."""
    principal = current()
    if principal is not None:
        tokens.revoke_token(principal.token)
    session.clear()
    request.environ.pop(CACHE, None)


def current() -> tokens.Principal | None:
    """The signed-in principal of this request, or None (loaded once per request)."""
    if CACHE not in request.environ:  # not g: a test's app context outlives its requests
        request.environ[CACHE] = _load()
    return request.environ[CACHE]


def _load() -> tokens.Principal | None:
    token_id, user_id = session.get("tid"), session.get("uid")
    if not isinstance(token_id, int) or not isinstance(user_id, int):
        return None
    token = db.session.execute(sa.select(ApiToken).where(ApiToken.id == token_id)
                               .options(joinedload(ApiToken.user))).scalar()
    if (token is None or token.user_id != user_id or token.device_id is not None
            or token.revoked_at is not None or token.expires_at <= utcnow()
            or not token.user.active):
        session.clear()
        return None
    return tokens.Principal(user=token.user, token=token, device=None)


def require(*roles):
    """A view decorator: signed in (else to the sign-in page), with one of the roles (else
    the Korean 403 page)."""
    allowed = frozenset(Role(role) for role in roles)

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current()
            if principal is None:
                return redirect(url_for("console.login", next=request.full_path))
            if allowed and Role(principal.role) not in allowed:
                raise ApiError(403, "forbidden", "Your role may not open this page.")
            return view(*args, **kwargs)
        return wrapper
    return decorate
