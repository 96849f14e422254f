"""Refusals of the domain services (ApiError codes) said in Korean: what was wrong, what to do."""
from patrol_api.errors import ApiError

MESSAGES = {
    "version_mismatch": "다른 사용자가 이 건을 먼저 변경했습니다. 화면을 새로 고쳐 바뀐 내용을 "
                           "확인한 뒤 다시 처리하세요.",
    "invalid_transition": "지금 상태에서는 이 처리를 할 수 없습니다. 화면을 새로 고쳐 현재 상태를 "
                          "확인하세요.",
    "forbidden": "이 처리를 할 권한이 없습니다. 담당 부서나 감사담당관에게 문의하세요.",
    "not_found": "찾는 건이 없거나 볼 권한이 없습니다.",
    "invalid_reason": "사유를 목록에서 선택하세요.",
    "unknown_department": "이송할 부서를 목록에서 선택하세요.",
    "same_department": "지금 담당 부서가 아닌 다른 부서를 선택하세요.",
    "photo_not_verified": "처리 후 사진을 첨부하세요.",
    "evidence_photo_reused": "이미 이 건에 쓰인 사진입니다. 조치 후 현장에서 새로 찍은 사진을 "
                             "첨부하세요.",
    "evidence_taken_before": "사진이 처리 시작 전에 찍혔습니다. 조치 후 새로 찍은 사진을 "
                             "첨부하세요.",
    "evidence_too_far": "사진을 찍은 위치가 현장에서 너무 멉니다. 현장에서 찍은 사진을 첨부하세요.",
    "evidence_position_missing": "사진에 위치 정보가 없습니다. 휴대전화 카메라의 위치 기록을 켜고 "
                                 "현장에서 다시 찍어 주세요.",
    "too_large": "사진 파일이 너무 큽니다. 더 작은 사진을 첨부하세요.",
    "empty_file": "빈 파일입니다. 사진을 다시 선택하세요.",
    "unsupported_type": "JPEG 사진만 첨부할 수 있습니다.",
    "corrupt_image": "사진 파일을 읽을 수 없습니다. 다시 찍어 첨부하세요.",
    "too_many_pixels": "사진 해상도가 너무 높습니다. 더 작은 사진을 첨부하세요.",
    "bad_credentials": "아이디 또는 비밀번호가 맞지 않습니다.",
    "too_many_requests": "로그인 시도가 너무 많습니다. 잠시 후 다시 시도하세요.",
    "csrf": "화면이 오래되어 요청을 처리하지 못했습니다. 화면을 새로 고친 뒤 다시 시도하세요.",
    "validation_error": "입력한 내용을 확인하세요.",
}


def korean(error: ApiError) -> str:
    """The Korean message of a refusal; unknown codes get a general sentence."""
    return MESSAGES.get(error.code, "요청을 처리하지 못했습니다. 입력한 내용을 확인한 뒤 다시 "
                                    "시도하세요.")
