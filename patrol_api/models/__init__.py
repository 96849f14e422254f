"""All models, imported so that Alembic sees the whole schema."""
from patrol_api.changefeed import SequenceCounter
from patrol_api.models.accounts import ApiToken, Device, User
from patrol_api.models.reference import (
    Area,
    Category,
    Department,
    FacilityType,
    RoutingRule,
    Site,
)

__all__ = ["ApiToken", "Area", "Category", "Department", "Device", "FacilityType",
           "RoutingRule", "SequenceCounter", "Site", "User"]
