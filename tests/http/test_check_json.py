"""check_json reads bodies as the standard library would, whichever parser ran."""
import json

import pytest
from flask import request

from patrol_api.errors import ApiError
from patrol_api.http import media_types
from patrol_api.http.media_types import CheckedJsonParser, check_json

SAME = [b'{"a": 1, "b": [1.5, -0.0, 1e-7, 37.548201], "c": "\xec\x97\xac\xec\x9d\x98\xeb\x8f\x99"}',
        b'{"big": 123456789012345678901234567890, "neg": -9223372036854775809}',
        b'{"pair": "\\ud83d\\ude00", "dup": 1, "dup": 2}',
        b'[1e300, 12345678901234567890.5]']


@pytest.mark.parametrize("raw", SAME)
def test_documents_equal_the_standard_librarys(raw):
    document = check_json(raw)
    assert document == json.loads(raw)
    assert json.dumps(document) == json.dumps(json.loads(raw))  # ints stay ints


@pytest.mark.parametrize("raw, status", [(b'{"a": NaN}', 400), (b'[1e999]', 400),
                                         (b'{"a": "\\ud800"}', 422), (b'{"a": "x\\u0000"}', 422),
                                         (b'\xff\xfe', 400), (b'{"a": 1,}', 400)])
def test_bad_bodies_are_refused(raw, status):
    with pytest.raises(ApiError) as caught:
        check_json(raw)
    assert caught.value.status == status


@pytest.mark.parametrize("raw", [
    b'{"mutations": [{"note": "x\\u0000"}, null, {"k\\ud800": 1}], "device_time": "t"}',
    b'{"mutations": ["\\udfff"]}'])
def test_the_items_of_a_declared_list_are_left_to_the_view(raw):
    """The push checks each mutation's text itself, to refuse a bad one alone."""
    assert check_json(raw, "mutations") == json.loads(raw)


@pytest.mark.parametrize("raw", [
    b'{"mutations": [], "device_time": "x\\u0000"}', b'{"mutations": {"a": "\\ud800"}}',
    b'{"other": ["\\ud800"]}', b'[{"mutations": ["\\u0000"]}]'])
def test_text_outside_the_declared_list_is_still_refused(raw):
    with pytest.raises(ApiError) as caught:
        check_json(raw, "mutations")
    assert caught.value.status == 422


def test_a_typical_push_body_is_parsed_once_by_orjson(monkeypatch):
    """Hex digits of a UUID ("...5e128...") look like an exponent to a byte scan: such
    bodies must still take the fast parser (a push of 100 paid ~0.4 ms for the slow one)."""
    def refuse(*args, **kwargs):
        raise AssertionError("the standard library parsed a body orjson reads alike")

    monkeypatch.setattr(media_types.json, "loads", refuse)
    raw = b'{"mutations": [{"id": "d1a5e128-0000-4000-8000-00000000e999", "lat": 37.5}]}'
    assert check_json(raw)["mutations"][0]["lat"] == 37.5


def test_webargs_gets_the_checked_document_without_parsing_again(app, monkeypatch):
    """The arguments parser takes the body enforce parsed (Werkzeug's JSON cache)."""
    with app.test_request_context(json={"a": 1}):
        request._cached_json = ({"checked": True}, {"checked": True})
        assert CheckedJsonParser()._raw_load_json(request) == {"checked": True}
    with app.test_request_context(json={"a": 1}):  # nothing cached: webargs parses itself
        assert CheckedJsonParser()._raw_load_json(request) == {"a": 1}
