"""OpenAPI document settings: schema naming, bearer security, public docs routes."""
import functools

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import Flask

from patrol_api.auth.access import PUBLIC, allow

DOC_ENDPOINT_PREFIX = "api-docs."


# Schemas of the data phones push: `Sync`-prefixed, apart from the API's own (Position...)
SYNC_DATA_MODULES = ("sync.schemas", "patrol_api.patrols.phone_schemas")


def schema_name(schema) -> str:
    """Component name of a schema: partial (PATCH) variants get their own name."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if cls.__module__ in SYNC_DATA_MODULES:
        name = f"Sync{name}"
    partial = not isinstance(schema, type) and bool(getattr(schema, "partial", False))
    return f"{name}Patch" if partial else name


def one_of(converter, field, **kwargs) -> dict:
    """`oneOf` the schemas a field's metadata lists under `one_of` (each becomes a component),
    or the one schema under `schema`.

    With `discriminator` naming a property, each variant's one-value enum of it maps to the
    variant, so generated clients pick the type from that property.
    """
    if "schema" in field.metadata:  # a Raw field (dumped as is) documented by a schema
        return converter.resolve_nested_schema(field.metadata["schema"])
    variants = field.metadata.get("one_of")
    if not variants:
        return {}
    refs = [converter.resolve_nested_schema(variant) for variant in variants]
    result = {"oneOf": refs}
    name = field.metadata.get("discriminator")
    if name:
        mapping = {}
        for variant, ref in zip(variants, refs, strict=True):
            for value in variant._declared_fields[name].validate.choices:
                mapping[value] = ref["$ref"]
        result["discriminator"] = {"propertyName": name, "mapping": mapping}
    return result


class Converter(OpenAPIConverter):
    """apispec's converter, with `one_of` field metadata (typed sync messages)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_attribute_function(one_of)


class Plugin(MarshmallowPlugin):
    """The marshmallow plugin with the converter above."""

    Converter = Converter


SPEC_KWARGS = {
    "marshmallow_plugin": Plugin(schema_name_resolver=schema_name),
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
