"""The check of pushed text no database stores: the batch shortcut never lets one through."""
from hypothesis import given
from hypothesis import strategies as st

from sync import storable

ANY_TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF,
                                 exclude_categories=()), max_size=6)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=20)


def _texts(value):
    """Every key and string in a JSON value (a plain reference walk)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for child in value:
            yield from _texts(child)
    elif isinstance(value, dict):
        for key, child in value.items():
            yield key
            yield from _texts(child)


def _bad(text: str) -> bool:
    return "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@given(value=JSON)
def test_the_walk_finds_bad_text_exactly_when_there_is_some(value):
    has_bad = any(_bad(text) for text in _texts(value))
    assert (storable.first_unstorable(value) is not None) == has_bad
    if has_bad:
        assert storable.suspect([value])  # the batch shortcut never clears bad text


@given(text=ANY_TEXT)
def test_printable_text_is_storable(text):
    assert storable.storable(storable.printable(text))
    assert storable.storable(text) == (not _bad(text))
