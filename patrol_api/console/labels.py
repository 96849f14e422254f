"""Korean words and dates of the console: what a clerk reads, never the API's English codes."""
from datetime import datetime
from zoneinfo import ZoneInfo

from patrol_api.findings import lifecycle as lc

SEOUL = ZoneInfo("Asia/Seoul")
WEEKDAYS = "월화수목금토일"

# The words a district office uses (docs/console.md lists them).
STATES = {
    lc.NEW: "접수", lc.ASSIGNED: "접수", lc.REOPENED: "접수",
    lc.ACKNOWLEDGED: "확인", lc.IN_PROGRESS: "처리중", lc.ON_HOLD: "보류",
    lc.RESOLVED: "처리완료", lc.VERIFIED: "처리완료", lc.REJECTED: "반려", lc.MERGED: "병합",
}
EVENTS = {
    "created": "접수", "observation_added": "신고 추가", "assign": "배정", "acknowledge": "확인",
    "start": "처리 시작", "hold": "보류", "resume": "처리 재개", "resolve": "처리완료",
    "verify": "현장 확인", "fail_verification": "확인 불합격", "reopen": "재처리",
    "transfer": "이송", "reject": "반려", "comment": "의견", "merge": "병합", "split": "분리",
    "priority": "우선순위 변경", "request_exception": "기한 예외 요청",
    "approve_exception": "기한 예외 승인", "routed": "부서 배정", "overdue": "기한 경과",
    "escalated": "상급 보고", "reminder": "기한 알림", "absorbed": "신고 병합",
    "observation_changed": "신고 변경", "recurred": "재발", "withdrawn": "신고 철회",
    "priority_changed": "우선순위 변경", "detached": "신고 분리", "released": "보류 해제",
    "unmerge": "병합 취소", "undo_split": "분리 취소",
}
ACTIONS = {"acknowledge": "확인", "start": "처리 시작", "hold": "보류", "resume": "처리 재개",
           "resolve": "처리완료", "transfer": "이송", "comment": "의견 남기기"}
PRIORITIES = {"urgent": "긴급", "high": "높음", "normal": "보통", "low": "낮음"}


def kst(moment: datetime | None, with_year: bool = True) -> str:
    """`2026. 12. 6.(일) 14:30` in Korean time; an empty string for no date."""
    if moment is None:
        return ""
    local = moment.astimezone(SEOUL)
    day = f"{local.month}. {local.day}.({WEEKDAYS[local.weekday()]}) {local:%H:%M}"
    return f"{local.year}. {day}" if with_year else day


def state(code: str | None) -> str:
    """The Korean word of a finding state."""
    return STATES.get(code or "", code or "")


def event(code: str | None) -> str:
    """The Korean word of an event kind."""
    return EVENTS.get(code or "", code or "")


def reason(action: str, code: str | None) -> str:
    """The Korean label of an action's reason code."""
    labels = lc.REASONS.get(action, {})
    return labels[code][0] if code in labels else (code or "")
