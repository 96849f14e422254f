"""All models, imported so that Alembic sees the whole schema."""
from patrol_api import changefeed  # noqa: F401 - registers the change-sequence flush hook
from patrol_api.models import (
    append_only,  # noqa: F401 - refuses changes to finding events
    media,  # noqa: F401 - the photo pipeline's tables
    patrols,  # noqa: F401 - patrols, campaigns, inspections
)
from patrol_api.models.accounts import ApiToken, Device, User
from patrol_api.models.base import SequenceCounter
from patrol_api.models.findings import Finding, FindingEvent, Notification, ParkedIntake
from patrol_api.models.observations import (
    AppliedMutation,
    ClockSample,
    DeviceSyncState,
    MediaBlob,
    Observation,
    ObservationPhoto,
    SyncConflict,
)
from patrol_api.models.open311 import Open311Client, Open311Request
from patrol_api.models.rankings import RankingFact, RankingSnapshot  # noqa: F401
from patrol_api.models.reference import (
    Area,
    Category,
    Department,
    FacilityType,
    RoutingRule,
    Site,
)
from sync import exits  # noqa: F401 - the finding exits the pull turns into tombstones

__all__ = ["ApiToken", "AppliedMutation", "Area", "Category", "ClockSample", "Department",
           "Device", "DeviceSyncState", "FacilityType", "MediaBlob", "Observation",
           "ObservationPhoto", "RoutingRule", "SequenceCounter", "Site", "SyncConflict", "User"]
__all__ += ["Finding", "FindingEvent", "Notification", "ParkedIntake"]
__all__ += ["Open311Client", "Open311Request"]
