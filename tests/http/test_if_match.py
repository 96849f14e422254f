"""The one If-Match parser: every form a standard client or proxy echoes names its version;
anything else is a 400 `bad_if_match`, never a 500."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patrol_api.errors import ApiError
from patrol_api.http.etag import parse_if_match

VERSIONS = st.integers(min_value=1, max_value=10**15)
CODINGS = st.sampled_from(["", ":gzip", ":br", ":deflate", ":zstd", "-gzip", ";gzip"])


@st.composite
def echoed_tags(draw, version: int) -> str:
    """An ETag `"v<version>"` as a client may send it back: weak, unquoted, gzip-suffixed."""
    body = f"v{version}{draw(CODINGS)}"
    quoted = f'"{body}"' if draw(st.booleans()) else body
    return f"W/{quoted}" if draw(st.booleans()) else quoted


@given(st.data(), VERSIONS, st.lists(VERSIONS, max_size=3))
def test_every_echoed_form_names_its_version(data, version, others):
    tags = [data.draw(echoed_tags(v)) for v in [*others, version]]
    tags = data.draw(st.permutations(tags))
    spaces = data.draw(st.sampled_from([",", ", ", " ,  ", ",,"]))
    assert parse_if_match(spaces.join(tags)) == frozenset([*others, version])


@pytest.mark.parametrize("header", [None, "", "  ", "*", " * "])
def test_absent_or_star_is_no_precondition(header):
    assert parse_if_match(header) is None


@given(st.text(max_size=40))
def test_anything_else_is_a_400_or_a_version(header):
    try:
        versions = parse_if_match(header)
    except ApiError as error:
        assert (error.status, error.code, error.field) == (400, "bad_if_match", "If-Match")
    else:
        assert versions is None or all(isinstance(v, int) for v in versions)


@pytest.mark.parametrize("header", ['"v1', 'v1"', '"1"', '"vone"', "garbage", '"v-1"',
                                    f'"v{"9" * 5000}"', "W/", '""', ",", "*, \"v1\""])
def test_malformed_is_400(header):
    with pytest.raises(ApiError) as raised:
        parse_if_match(header)
    assert (raised.value.status, raised.value.code) == (400, "bad_if_match")
