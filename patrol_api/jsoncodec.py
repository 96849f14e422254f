"""JSON text of the database's JSON columns: orjson where it reads and writes exactly as the
standard library does, the standard library where it would not (integers past 64 bits)."""
import json

import orjson

# orjson reads integers past 64 bits as floats: 19 digits in a row say one may be there.
# Found by mapping every ASCII digit to "0" and every other byte to " " (bytes.translate
# runs in C; a regular expression took 0.7 ms over a push of 100, sixteen times as long).
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_DIGIT_RUN = b"0" * 19


def dumps(value) -> str:
    """JSON text of a value (UTF-8 text as is; keys that are not strings become strings)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False)


def orjson_reads_alike(text: str | bytes) -> bool:
    """False when orjson could read the text otherwise than the standard library (an
    integer past 64 bits, which orjson reads as a float)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    return _LONG_DIGIT_RUN not in raw.translate(_DIGITS_AS_ZEROS)


def loads(text: str | bytes):
    """The value of JSON text (psycopg hands over bytes, sqlite3 text)."""
    if not isinstance(text, str):
        text = bytes(text)
    return orjson.loads(text) if orjson_reads_alike(text) else json.loads(text)
