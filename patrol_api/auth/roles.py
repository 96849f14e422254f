"""The user roles, with their Korean and English labels."""
from enum import StrEnum


class Role(StrEnum):
    """What a user is allowed to do."""

    ADMIN = "admin"
    MANAGER = "manager"
    PATROL_OFFICER = "patrol_officer"
    CITIZEN_AUDITOR = "citizen_auditor"
    DEPARTMENT_STAFF = "department_staff"
    VIEWER = "viewer"


ROLE_LABELS = {
    Role.ADMIN: ("시스템 관리자", "Administrator"),
    Role.MANAGER: ("감사담당관 관리자", "Audit office manager"),
    Role.PATROL_OFFICER: ("순찰요원", "Patrol officer"),
    Role.CITIZEN_AUDITOR: ("구민감사관·살피미", "Citizen auditor / watcher"),
    Role.DEPARTMENT_STAFF: ("처리부서 담당자", "Department staff"),
    Role.VIEWER: ("열람자", "Viewer"),
}

ALL_ROLES = frozenset(Role)
FIELD_ROLES = frozenset({Role.PATROL_OFFICER, Role.CITIZEN_AUDITOR})
STAFF_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DEPARTMENT_STAFF, Role.VIEWER,
                         Role.PATROL_OFFICER})
