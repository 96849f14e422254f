"""check_json reads bodies as the standard library would, whichever parser ran."""
import json

import pytest

from patrol_api.errors import ApiError
from patrol_api.http.media_types import check_json

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
