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


def loads(text: str | bytes):
    """The value of JSON text (psycopg hands over bytes, sqlite3 text)."""
    if not isinstance(text, str):
        text = bytes(text)
        if _LONG_INTEGER_BYTES.search(text):
            return json.loads(text)
    elif _LONG_INTEGER.search(text):
        return json.loads(text)
    return orjson.loads(text)
