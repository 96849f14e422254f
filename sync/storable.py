"""Text no database stores (NUL characters, unpaired surrogates) in pushed mutations, by path.

The HTTP layer leaves the mutations of a push to this check (`@checks_item_texts`), so that
such text in one mutation refuses that mutation alone. JSON text can only carry either as a
`\\u` escape, and orjson refuses to write an unpaired surrogate and writes NUL as `\\u0000`,
so one C call over the whole batch clears the usual push; only a suspect one is walked.
"""
import orjson

_CONTAINERS = (dict, list)


def suspect(values) -> bool:
    """False when no string (key or value) in the values can hold NUL or a lone surrogate."""
    try:
        text = orjson.dumps(values, option=orjson.OPT_NON_STR_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return True  # a lone surrogate, or an integer past 64 bits: walk to tell which
    return b"\\u0000" in text


def first_unstorable(value) -> str | None:
    """The dotted path of the first key or string holding NUL or an unpaired surrogate
    ('' for the value itself), or None when every text is storable."""
    pending = [(value, ())]  # a stack, children pushed in reverse: document order
    while pending:
        node, path = pending.pop()
        if isinstance(node, str):
            if not storable(node):
                return _dotted(path)
        elif type(node) in _CONTAINERS:
            pairs = list(node.items() if type(node) is dict else enumerate(node))
            for key, _child in pairs:
                if isinstance(key, str) and not storable(key):
                    return _dotted((*path, key))
            pending.extend((child, (*path, key)) for key, child in reversed(pairs))
    return None


def storable(text: str) -> bool:
    """True for text without NUL that encodes to UTF-8 (no unpaired surrogate)."""
    if text.isascii():
        return "\x00" not in text
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """Text safe to answer with: NUL and unpaired surrogates as backslash escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _dotted(path: tuple) -> str:
    """A path as the field of an item error (`data.note`, `data.photos.0.role`)."""
    return ".".join(printable(str(part)) for part in path)
