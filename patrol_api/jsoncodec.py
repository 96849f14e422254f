"""JSON text of the database's JSON columns: orjson where it reads and writes exactly as the
standard library does, the standard library where it would not (integers past 64 bits)."""
import json
import re

import orjson

_LONG_INTEGER = re.compile(r"[0-9]{19}")  # orjson reads integers past 64 bits as floats
_LONG_INTEGER_BYTES = re.compile(rb"[0-9]{19}")


def dumps(value) -> str:
    """JSON text of a value (UTF-8 text as is; keys that are not strings become strings)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False)


def orjson_reads_alike(text: str | bytes) -> bool:
    """False when orjson could read the text otherwise than the standard library (an
    integer past 64 bits, which orjson reads as a float)."""
    pattern = _LONG_INTEGER if isinstance(text, str) else _LONG_INTEGER_BYTES
    return pattern.search(text) is None


def loads(text: str | bytes):
    """The value of JSON text (psycopg hands over bytes, sqlite3 text)."""
    if not isinstance(text, str):
        text = bytes(text)
    return orjson.loads(text) if orjson_reads_alike(text) else json.loads(text)
