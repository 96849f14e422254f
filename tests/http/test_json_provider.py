"""The orjson provider writes what Flask's default provider writes."""
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from patrol_api.http.json_provider import OrjsonProvider

SAMPLES = [
    {"b": 1, "a": "영등포구 여의동", "nested": {"z": [1.5, None, True], "y": "빗물받이"}},
    {"when": datetime(2026, 12, 3, 9, 30, tzinfo=UTC), "day": date(2026, 10, 9)},
    {"id": UUID("12345678-1234-5678-1234-567812345678"), "amount": Decimal("1.10")},
    {"big": 2 ** 70, "small": -(2 ** 63)},
    [{"k": "\u0000 and \"quotes\" and \\ backslash"}],
]


@pytest.fixture
def flask_app():
    return Flask(__name__)


@pytest.fixture
def providers(flask_app):
    standard = DefaultJSONProvider(flask_app)
    standard.ensure_ascii = False
    return OrjsonProvider(flask_app), standard


@pytest.mark.parametrize("sample", SAMPLES)
def test_same_json_as_flask_default(providers, sample):
    ours, standard = providers
    assert json.loads(ours.dumps(sample)) == json.loads(standard.dumps(sample))
    assert list(json.loads(ours.dumps(sample))) == list(json.loads(standard.dumps(sample)))


def test_korean_is_utf8_and_keys_sorted(providers):
    ours, _ = providers
    text = ours.dumps({"b": "도로", "a": 1})
    assert text == '{"a":1,"b":"도로"}'


def test_response_is_compact_json_with_newline(providers, flask_app):
    ours, _ = providers
    with flask_app.app_context():
        response = ours.response({"이름": "홍길동"})
    assert response.mimetype == "application/json"
    assert response.get_data() == '{"이름":"홍길동"}\n'.encode()


def test_options_from_callers_use_the_standard_library(providers):
    ours, _ = providers
    assert ours.dumps({"a": 1}, indent=2) == '{\n  "a": 1\n}'
