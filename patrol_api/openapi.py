"""OpenAPI document settings: schema naming, bearer security, public docs routes."""
import functools

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from patrol_api.auth.access import PUBLIC, allow

DOC_ENDPOINT_PREFIX = "api-docs."


def schema_name(schema) -> str:
    """Component name of a schema: partial (PATCH) variants get their own name."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    partial = not isinstance(schema, type) and bool(getattr(schema, "partial", False))
    return f"{name}Patch" if partial else name


SPEC_KWARGS = {
    "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearer": []}],
    "info": {"description": "Field patrol and inspection API with offline sync. "
                            "Errors share one shape: status, code, message, field."},
}


def declare_docs_public(app: Flask) -> None:
    """The OpenAPI document and its docs page may be read without signing in."""
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith(DOC_ENDPOINT_PREFIX):
            app.view_functions[endpoint] = allow(PUBLIC)(_wrap(view))


def _wrap(view):
    """A plain function around a (possibly bound-method) view, so it can carry a rule."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        return view(*args, **kwargs)
    return wrapper
