"""Fixtures of the reference data tests: the API as an admin or an officer, a seeded base."""
import pytest
from refapi import RefApi

from patrol_api.auth.roles import Role


@pytest.fixture
def ref(client, admin) -> RefApi:
    """The reference API as an admin."""
    return RefApi(client, admin)


@pytest.fixture
def officer(client, make_user) -> RefApi:
    """The reference API as a patrol officer."""
    return RefApi(client, make_user(Role.PATROL_OFFICER)[1])


@pytest.fixture
def base(ref) -> dict:
    """A department, an area, a category and a facility type for others to refer to."""
    return {
        "department": ref.create("departments", "roads"),
        "area": ref.create("areas", "yeoui"),
        "category": ref.create("categories", "road-damage"),
        "facility_type": ref.create("facility-types", "drain", owner_department_code="roads"),
    }
