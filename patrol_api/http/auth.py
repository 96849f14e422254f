"""Sign-in, sign-out and the caller's own account."""
from datetime import timedelta

from flask import current_app, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from patrol_api.auth import access, devices, passwords, signin, tokens
from patrol_api.auth.access import AUTHENTICATED, PUBLIC, allow
from patrol_api.auth.passwords import PASSWORD_METADATA
from patrol_api.errors import ApiError
from patrol_api.extensions import db, limiter
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.schemas import DeviceSchema, UserSchema

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Sign-in and tokens")


class DeviceInfo(Schema):
    """The phone signing in; its client_uid is generated once by the app and kept."""

    client_uid = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9._:-]{8,64}$", error="Use 8-64 letters, digits, '.', '_', ':' or '-'."))
    name = fields.String(load_default=None, validate=validate.Length(max=120))
    platform = fields.String(load_default=None, validate=validate.Length(max=40))
    app_version = fields.String(load_default=None, validate=validate.Length(max=40))


class LoginArgs(Schema):
    """Credentials, and the device when signing in from the phone app."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=1, max=200))
    device = fields.Nested(DeviceInfo, load_default=None)


class LoginResult(Schema):
    """A new bearer token (shown once) and who it belongs to."""

    token = fields.String()
    token_type = fields.String(dump_default="Bearer")
    expires_at = fields.DateTime()
    user = fields.Nested(UserSchema)
    device = fields.Nested(DeviceSchema, allow_none=True)


class PasswordChange(Schema):
    """A password change by its owner."""

    current_password = fields.String(required=True, load_only=True)
    new_password = fields.String(required=True, load_only=True, metadata=PASSWORD_METADATA)


def _login_key() -> str:
    """Throttle failed sign-ins per client address and username (shared with the console)."""
    body = request.get_json(silent=True)
    return signin.key(body.get("username") if isinstance(body, dict) else None)


def _ttl(device) -> timedelta:
    """How long a new token lives: long for a registered phone, a working day for the web."""
    if device is not None:
        return timedelta(days=current_app.config["DEVICE_TOKEN_TTL_DAYS"])
    return timedelta(hours=current_app.config["WEB_TOKEN_TTL_HOURS"])


@blp.route("/login")
class Login(MethodView):
    @allow(PUBLIC)
    @limiter.shared_limit(signin.limit, signin.SCOPE, key_func=_login_key,
                          deduct_when=signin.failed)
    @blp.arguments(LoginArgs)
    @blp.response(201, LoginResult)
    def post(self, args):
        """Exchange a username and password for a bearer token (device-bound from phones)."""
        user = signin.check_credentials(args["username"], args["password"])
        device = devices.register(user, args["device"]) if args["device"] else None
        raw = tokens.issue(user, device, _ttl(device))
        db.session.commit()
        principal = tokens.resolve(raw)
        return {"token": raw, "expires_at": principal.token.expires_at, "user": user,
                "device": device}


@blp.route("/logout")
class Logout(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(204)
    def post(self):
        """Revoke the token used for this request."""
        tokens.revoke_token(access.current().token)
        db.session.commit()


@blp.route("/me")
class Me(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, UserSchema)
    def get(self):
        """The signed-in user."""
        return access.current().user


@blp.route("/password")
class Password(MethodView):
    @allow(AUTHENTICATED)
    @blp.arguments(PasswordChange)
    @blp.response(204)
    def post(self, args):
        """Change one's own password; every other token of the user is revoked."""
        principal = access.current()
        user = principal.user
        if not passwords.verify_password(user.password_hash, args["current_password"]):
            raise ApiError(403, "bad_credentials", "The current password is wrong.",
                           "current_password")
        user.password_hash = passwords.new_hash(args["new_password"], user.username,
                                                user.display_name, field="new_password")
        tokens.revoke_user_tokens(user)
        principal.token.revoked_at = None
        db.session.commit()
