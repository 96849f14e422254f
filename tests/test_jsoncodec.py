"""JSON columns read and write as the standard library would."""
import json

import pytest

from patrol_api import jsoncodec

VALUES = [{"a": [1, 2.5, None, True], "b": "여의동 빗물받이"}, {1: "x", "2": "y"},
          {"big": 2 ** 80, "neg": -(2 ** 70)}, [], "도로", 37.548201, {"t": ["future"]}]


@pytest.mark.parametrize("value", VALUES)
def test_round_trip_equals_the_standard_library(value):
    text = jsoncodec.dumps(value)
    assert json.loads(text) == json.loads(json.dumps(value))
    assert jsoncodec.loads(text) == json.loads(text)
    assert jsoncodec.loads(text.encode()) == json.loads(text)  # psycopg hands over bytes
    assert jsoncodec.loads(memoryview(text.encode())) == json.loads(text)
    assert json.dumps(jsoncodec.loads(text)) == json.dumps(json.loads(text))  # ints stay ints


def test_korean_is_stored_as_utf8():
    assert jsoncodec.dumps({"k": "도로"}) == '{"k":"도로"}'
