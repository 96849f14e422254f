"""Every endpoint declares who may call it; requests to undeclared endpoints are refused.

Use `@allow(Role.ADMIN, ...)`, `@allow(AUTHENTICATED)` or `@allow(PUBLIC)` on each view
method. A `before_request` hook authenticates the bearer token and enforces the rule.
"""
from collections.abc import Callable

from flask import current_app, g, request

from patrol_api.auth import tokens
from patrol_api.auth.roles import ALL_ROLES, Role
from patrol_api.errors import ApiError

PUBLIC = "public"
AUTHENTICATED = "authenticated"
RULE_ATTR = "_access_rule"


def allow(*who) -> Callable:
    """Declare who may call the decorated view: PUBLIC, AUTHENTICATED or roles."""
    if who in ((PUBLIC,), (AUTHENTICATED,)):
        rule = who[0]
    else:
        rule = frozenset(Role(r) for r in who)
        if not rule:
            raise ValueError("allow() needs at least one role")

    def mark(view):
        setattr(view, RULE_ATTR, rule)
        return view
    return mark


def rule_for(view_func, method: str):
    """The declared rule of an endpoint's method, or None when it has none."""
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return getattr(handler, RULE_ATTR, None)
    return getattr(view_func, RULE_ATTR, None)


def allowed_roles(rule) -> frozenset:
    """The roles a rule admits (PUBLIC and AUTHENTICATED admit every role)."""
    return ALL_ROLES if rule in (PUBLIC, AUTHENTICATED) else rule


def _bearer() -> str | None:
    """The bearer token of the request, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authenticate() -> tokens.Principal | None:
    """Resolve the request's bearer token into g.principal (None when absent)."""
    raw = _bearer()
    if raw is None:
        return None
    principal = tokens.resolve(raw)
    if principal is None:
        raise ApiError(401, "invalid_token", "The token is unknown, expired or revoked.")
    tokens.touch(principal)
    return principal


def enforce() -> None:
    """before_request hook: authenticate, then apply the endpoint's declared rule."""
    g.principal = None
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is None or request.method == "OPTIONS":
        return  # 404/405 and CORS preflight are answered by Flask itself
    rule = rule_for(view, request.method)
    if rule is None:
        raise ApiError(403, "no_access_rule", "This endpoint declares no access rule.")
    if rule == PUBLIC:
        g.principal = _optional_principal()
        return
    g.principal = authenticate()
    if g.principal is None:
        raise ApiError(401, "unauthenticated", "A bearer token is required.")
    if rule != AUTHENTICATED and g.principal.role not in rule:  # an unknown role is refused
        raise ApiError(403, "forbidden", "Your role may not do this.")


def _optional_principal():
    """On public endpoints a bad token is ignored rather than refused."""
    raw = _bearer()
    return tokens.resolve(raw) if raw else None


def current() -> tokens.Principal:
    """The authenticated principal of this request."""
    principal = g.get("principal")
    if principal is None:
        raise ApiError(401, "unauthenticated", "A bearer token is required.")
    return principal
