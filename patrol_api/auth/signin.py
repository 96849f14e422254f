"""Sign-in, shared by every edge (the API's POST /auth/login and the console's form).

One password check (Argon2id, rehashed when the parameters changed) and one throttle: both
edges count failed sign-ins in the same flask-limiter scope, keyed by client address and
username, so switching from the API to the console form does not buy more guesses.
"""
import sqlalchemy as sa
from flask import current_app, request

from patrol_api.auth import passwords
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import User

SCOPE = "login"  # the shared limiter scope of every sign-in endpoint


def limit() -> str:
    """The configured sign-in limit (LOGIN_RATE_LIMIT)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def key(username) -> str:
    """The throttle key of a sign-in attempt: client address and username."""
    return f"{request.remote_addr}|{str(username)[:80]}"


def failed(response) -> bool:
    """Count only refused sign-ins (deduct_when)."""
    return response.status_code == 401


def check_credentials(username: str, password: str) -> User:
    """The active user with this username and password (rehashed if due); 401 otherwise.

    The same error for an unknown user, a wrong password and a deactivated account."""
    user = db.session.execute(sa.select(User).where(User.username == username)).scalar()
    if not passwords.verify_password(user.password_hash if user else None,
                                     password) or not user.active:
        raise ApiError(401, "bad_credentials", "Unknown user or wrong password.")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user
