"""Fixtures of the Open311 tests: the findings tests' district and clock, a client app."""
import pytest

from patrol_api.extensions import db
from patrol_api.open311 import service as o311
from tests.findings.conftest import clock, observe, reporter, smtp, world  # noqa: F401


@pytest.fixture
def api_key(request):
    """The API key of a client application (in the findings tests' district)."""
    request.getfixturevalue("world")
    _, key = o311.issue_client("mobile-app")
    db.session.commit()
    return key
