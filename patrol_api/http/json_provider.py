"""Flask's JSON through orjson: the output rules of Flask's default provider, several times faster.

Keys sorted, UTF-8 text (Korean as is, never \\uXXXX), dates as Flask writes them (RFC 822
through its default function), compact unless in debug. Anything orjson cannot encode
(integers past 64 bits, or keyword options a caller passes) goes through Flask's own
encoder, so the output never differs in meaning.
"""
import orjson
from flask.json.provider import DefaultJSONProvider, _default

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class OrjsonProvider(DefaultJSONProvider):
    """The app's JSON provider (`app.json`)."""

    ensure_ascii = False  # the standard library fallback writes UTF-8 too

    def dumps(self, obj, **kwargs) -> str:
        """JSON text of obj; keyword options are the standard library's."""
        if kwargs:
            return super().dumps(obj, **kwargs)
        return self._encode(obj, 0).decode()

    def response(self, *args, **kwargs):
        """A JSON response, as Flask's provider builds it."""
        obj = self._prepare_response_obj(args, kwargs)
        pretty = (self.compact is None and self._app.debug) or self.compact is False
        body = self._encode(obj, orjson.OPT_INDENT_2 if pretty else 0) + b"\n"
        return self._app.response_class(body, mimetype=self.mimetype)

    def _encode(self, obj, option: int) -> bytes:
        """orjson's encoding, or the standard library's for what orjson refuses."""
        try:
            return orjson.dumps(obj, default=_default, option=_OPTIONS | option)
        except orjson.JSONEncodeError:
            indent = 2 if option & orjson.OPT_INDENT_2 else None
            return super().dumps(obj, indent=indent, separators=(
                (",", ": ") if indent else (",", ":"))).encode()
