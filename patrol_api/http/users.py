"""User administration (admin) and the directory view for managers."""
import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import Schema, fields

from patrol_api.auth import passwords, tokens
from patrol_api.auth.access import allow
from patrol_api.auth.passwords import PASSWORD_METADATA
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.pagination import PAGINATION, SelectPage
from patrol_api.http.schemas import ROLE_CHOICES, UserSchema
from patrol_api.models import Area, Department, User
from patrol_api.reference.service import by_code

blp = Blueprint("users", __name__, url_prefix="/users", description="User accounts")
blp.DEFAULT_PAGINATION_PARAMETERS = PAGINATION


class NewUser(UserSchema):
    """A user to create, with an initial password."""

    password = fields.String(required=True, load_only=True, metadata=PASSWORD_METADATA)


class UserChange(UserSchema):
    """Fields an admin may change; a new password revokes the user's tokens."""

    password = fields.String(load_only=True, metadata=PASSWORD_METADATA)


class UserFilter(Schema):
    """Filters of the user list."""

    role = fields.String(validate=ROLE_CHOICES)
    department_code = fields.String()
    team = fields.String(metadata={"description": "Exact patrol team"})
    active = fields.Boolean()


def _department(code: str | None) -> Department | None:
    """The department named by code, or 422."""
    if code is None:
        return None
    department = by_code(Department, code)
    if department is None:
        raise ApiError(422, "unknown_reference", f"No department with code '{code}'.",
                       "department_code")
    return department


def _area_codes(codes: list[str]) -> list[str]:
    """The codes of live areas, in the given order without repeats; 422 on an unknown one."""
    wanted = list(dict.fromkeys(codes))
    known = set(db.session.execute(sa.select(Area.code).where(
        Area.code.in_(wanted), Area.deleted_at.is_(None))).scalars()) if wanted else set()
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise ApiError(422, "unknown_reference", f"No area with code '{unknown[0]}'.",
                       "patrol_area_codes", unknown=unknown)
    return wanted


def _check_binding(user: User) -> None:
    """Department staff must belong to a department."""
    if user.role == Role.DEPARTMENT_STAFF and user.department is None:
        raise ApiError(422, "department_required", "Department staff need a department.",
                       "department_code")


def _set_fields(user: User, data: dict) -> None:
    """Copy validated fields onto a user."""
    if "department_code" in data:
        user.department = _department(data.pop("department_code"))
    if "patrol_area_codes" in data:
        user.patrol_area_codes = _area_codes(data.pop("patrol_area_codes") or [])
    password = data.pop("password", None)
    for name, value in data.items():
        setattr(user, name, value)
    if password is not None:  # checked against the names the user has from now on
        user.password_hash = passwords.new_hash(password, user.username, user.display_name)
        if user.id is not None:
            tokens.revoke_user_tokens(user)
    if user.active is False and user.id is not None:
        tokens.revoke_user_tokens(user)
    _check_binding(user)


def _get_user(user_id: int) -> User:
    """A user by id, or 404."""
    user = db.session.get(User, user_id)
    if user is None:
        raise ApiError(404, "not_found", f"No user with id {user_id}.")
    return user


@blp.route("")
class Users(MethodView):
    @allow(Role.ADMIN, Role.MANAGER)
    @blp.arguments(UserFilter, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List users."""
        stmt = sa.select(User).order_by(User.id)
        if "role" in args:
            stmt = stmt.where(User.role == args["role"])
        if "active" in args:
            stmt = stmt.where(User.active == args["active"])
        if "team" in args:
            stmt = stmt.where(User.team == args["team"])
        if "department_code" in args:
            stmt = stmt.join(User.department).where(Department.code == args["department_code"])
        return stmt

    @allow(Role.ADMIN)
    @blp.arguments(NewUser)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user."""
        if db.session.execute(sa.select(User.id).where(
                User.username == data["username"])).first():
            raise ApiError(409, "duplicate_username", "That username is taken.", "username")
        user = User(active=True)
        _set_fields(user, data)
        db.session.add(user)
        db.session.commit()
        return user


@blp.route("/<int:user_id>")
class UserItem(MethodView):
    @allow(Role.ADMIN, Role.MANAGER)
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user."""
        return _get_user(user_id)

    @allow(Role.ADMIN)
    @blp.arguments(UserChange(partial=True))
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change a user (role, department, active, password...)."""
        user = _get_user(user_id)
        if "username" in data and data["username"] != user.username and db.session.execute(
                sa.select(User.id).where(User.username == data["username"])).first():
            raise ApiError(409, "duplicate_username", "That username is taken.", "username")
        if _is_active_admin(user) and (data.get("role", user.role) != Role.ADMIN
                                       or data.get("active", True) is False):
            _keep_an_admin(user, "active" if data.get("active") is False else "role")
        _set_fields(user, data)
        db.session.commit()
        return user


def _is_active_admin(user: User) -> bool:
    """True for an active admin account."""
    return user.role == Role.ADMIN and user.active is not False


def _keep_an_admin(leaving: User, field: str) -> None:
    """409 when `leaving` is the last active admin: nobody could administer users after it.

    Called before the change is applied. Every active admin row is locked in id order
    (PostgreSQL), so two admins demoting each other at once queue on the same rows and the
    second sees the first's change; SQLite runs one writing request at a time (BEGIN
    IMMEDIATE)."""
    admins = db.session.execute(sa.select(User.id).where(
        User.role == Role.ADMIN.value, User.active.is_(True)).order_by(User.id)
        .with_for_update()).scalars().all()
    if not set(admins) - {leaving.id}:
        raise ApiError(409, "last_admin", "마지막 관리자는 역할을 바꾸거나 비활성화할 수 "
                       "없습니다. 다른 사용자를 먼저 관리자로 지정하세요. (This is the last "
                       "active admin: make another user admin first.)", field)
