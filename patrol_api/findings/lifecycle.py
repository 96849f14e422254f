"""The finding state machine: which action moves which state, and which roles may take it.

Transfers are actions, not a resting state: a transferred finding is assigned to the new
department (or, on its second transfer, sent to the coordination queue as ping-pong).
"""
from dataclasses import dataclass

from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.findings import channels

NEW, ASSIGNED, ACKNOWLEDGED, IN_PROGRESS = "new", "assigned", "acknowledged", "in_progress"
ON_HOLD, RESOLVED, VERIFIED, REOPENED = "on_hold", "resolved", "verified", "reopened"
REJECTED, MERGED = "rejected", "merged"
STATES = (NEW, ASSIGNED, ACKNOWLEDGED, IN_PROGRESS, ON_HOLD, RESOLVED, VERIFIED, REOPENED,
          REJECTED, MERGED)
OPEN_STATES = frozenset({NEW, ASSIGNED, ACKNOWLEDGED, IN_PROGRESS, ON_HOLD, REOPENED})
CLOSED_STATES = frozenset({VERIFIED, REJECTED, MERGED})
WORKING = frozenset({ASSIGNED, ACKNOWLEDGED, IN_PROGRESS, REOPENED})

HOLD_REASONS = {
    "other_agency": ("타 기관 처리 대기", "Waiting for another agency"),
    "budget": ("예산 확보 대기", "Waiting for budget"),
    "contractor": ("시공사 조치 대기", "Waiting for the contractor"),
    "weather": ("기상 여건", "Weather conditions"),
    "owner_consent": ("소유자 협의 중", "Waiting for the owner's consent"),
    "legal": ("법적 절차 진행 중", "Legal procedure in progress"),
}
REJECT_REASONS = {
    "not_actionable": ("조치 불필요", "Not actionable"),
    "duplicate": ("중복 신고", "Duplicate report"),
    "private_property": ("사유지 (관할 외)", "Private property, outside jurisdiction"),
    "not_found": ("현장 확인 불가", "Could not be found on site"),
    "wrong_report": ("오신고", "Mistaken report"),
}

TRANSFER_REASONS = {
    "not_our_jurisdiction": ("소관 아님", "Not this department's jurisdiction"),
    "site_owner_other": ("시설 소관부서 상이", "The site belongs to another department"),
    "wrong_category": ("분류 오류", "Wrong category"),
    "needs_other_department": ("타 부서 조치 필요", "Another department must act"),
}
FAIL_REASONS = {
    "not_fixed": ("조치 미흡", "Not fixed"),
    "partially_fixed": ("일부만 조치", "Only partly fixed"),
    "recurred": ("재발", "The problem came back"),
}
MERGE_REASONS = {
    "same_problem": ("동일 사안", "The same problem"),
    "same_site": ("동일 시설", "The same registered site"),
    "duplicate": ("중복 신고", "Duplicate report"),
}
SPLIT_REASONS = {
    "different_problem": ("다른 사안", "A different problem"),
    "different_place": ("다른 장소", "A different place"),
    "wrong_category": ("분류 오류", "Wrong category"),
}
EXCEPTION_REASONS = {
    "no_access": ("현장 접근 불가", "The spot cannot be reached"),
    "no_visible_change": ("외관상 변화 없음", "The fix leaves nothing to photograph"),
    "administrative": ("행정 조치", "Administrative measure, no physical fix"),
    "photo_failed": ("사진 촬영 불가", "A photo could not be taken"),
}
PRIORITY_REASONS = {
    "safety_risk": ("안전 위험", "A risk to people's safety"),
    "many_complaints": ("민원 다수", "Many complaints about it"),
    "recurring": ("반복 발생", "The problem keeps coming back"),
    "vip_request": ("기관장 지시", "Ordered by the head of the office"),
    "overrated": ("긴급성 낮음", "Less urgent than first thought"),
}
# What the system records when a reporter edits or deletes an observation after intake.
DETACH_REASONS = {
    "category_changed": ("신고 분류 변경", "The reporter changed the category"),
    "moved": ("신고 위치 변경", "The reporter moved the observation"),
    "site_changed": ("신고 시설 변경", "The reporter changed the registered site"),
    "deleted": ("신고 삭제", "The reporter deleted the observation"),
}
# A finding left with no observation is closed as rejected with this reason (system actor).
WITHDRAWN = "withdrawn"
WITHDRAWN_LABEL = ("신고 철회 (남은 신고 없음)", "Withdrawn: no observation is left")
# Why the resolve due date is what it is (Finding.due_reason).
DUE_REASONS = {
    "category": ("분류별 처리기한", "The category's target in business days"),
    "priority": ("우선순위 상한", "Capped by the finding's priority"),
    "warranty_end": ("하자보수기간 만료일", "The site's warranty ends first (contractor fixes)"),
    **channels.DUE_REASONS,  # the legal period of the intake channel
}

DEPARTMENT = frozenset({Role.DEPARTMENT_STAFF, Role.MANAGER, Role.ADMIN})
FIELD = frozenset({Role.PATROL_OFFICER, Role.CITIZEN_AUDITOR})
MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class Action:
    """One lifecycle action."""

    name: str
    sources: frozenset
    target: str | None   # None: decided by the service (e.g. resume returns to the prior state)
    roles: frozenset


ACTIONS = {a.name: a for a in (
    Action("assign", frozenset({NEW, REOPENED, ASSIGNED}), ASSIGNED, MANAGERS),
    Action("acknowledge", frozenset({ASSIGNED, REOPENED}), ACKNOWLEDGED, DEPARTMENT),
    Action("start", frozenset({ASSIGNED, ACKNOWLEDGED, REOPENED}), IN_PROGRESS, DEPARTMENT),
    Action("hold", WORKING, ON_HOLD, DEPARTMENT),
    Action("resume", frozenset({ON_HOLD}), None, DEPARTMENT),
    Action("resolve", WORKING, RESOLVED, DEPARTMENT),
    # A check is a later visit by a patrol officer or the reporting citizen auditor (issue 5);
    # managers work at a desk and reopen instead, staff never check their own fix.
    Action("verify", frozenset({RESOLVED}), VERIFIED, FIELD),
    Action("fail_verification", frozenset({RESOLVED}), REOPENED, FIELD | MANAGERS),
    Action("reopen", frozenset({RESOLVED, VERIFIED}), REOPENED, MANAGERS),
    Action("transfer", WORKING, None, DEPARTMENT),
    Action("reject", frozenset({NEW, ASSIGNED, ACKNOWLEDGED, REOPENED}), REJECTED, DEPARTMENT),
    Action("merge", OPEN_STATES | {RESOLVED}, MERGED, MANAGERS),
    Action("request_exception", WORKING, None, DEPARTMENT),
    Action("approve_exception", WORKING, None, MANAGERS),
)}
REASONS = {"hold": HOLD_REASONS, "reject": REJECT_REASONS, "transfer": TRANSFER_REASONS,
           "fail_verification": FAIL_REASONS, "reopen": FAIL_REASONS, "merge": MERGE_REASONS,
           "split": SPLIT_REASONS, "request_exception": EXCEPTION_REASONS,
           "change_priority": PRIORITY_REASONS}


def check(action_name: str, state: str, role: str) -> Action:
    """The action if it may be taken now by this role; 403 or 409 otherwise."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise ApiError(422, "unknown_action", f"No action '{action_name}'.", "action")
    if Role(role) not in action.roles:
        raise ApiError(403, "forbidden", f"Your role may not {action_name} a finding.")
    if state not in action.sources:
        raise ApiError(409, "invalid_transition", f"Cannot {action_name} a finding that is "
                       f"{state}.", "action", state=state)
    return action


def check_reason(action_name: str, reason: str | None) -> None:
    """422 unless the action's reason is one of its fixed list (actions without a list: any)."""
    allowed = REASONS.get(action_name)
    if allowed is not None and reason not in allowed:
        raise ApiError(422, "invalid_reason", f"{action_name} needs a reason, one of: "
                       f"{', '.join(sorted(allowed))}.", "reason", allowed=sorted(allowed))
