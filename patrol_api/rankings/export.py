"""CSV exports with Korean headers, UTF-8 with a BOM so that Excel shows Hangul; every cell
goes through the export guard (patrol_api.spreadsheet)."""
import csv
import io

from patrol_api.spreadsheet import safe_row

METRIC_COLUMNS = (
    ("month", "월"), ("department_code", "부서코드"), ("department_name", "부서명"),
    ("department_kind", "구분"), ("received", "접수"), ("resolved", "처리"),
    ("verified", "확인"), ("due", "기한도래"), ("on_time", "기한내처리"),
    ("on_time_rate", "기한내처리율"), ("ack_p50_s", "접수확인 중앙값(초)"),
    ("ack_p90_s", "접수확인 90%(초)"), ("resolve_p50_s", "처리 중앙값(초)"),
    ("resolve_p90_s", "처리 90%(초)"), ("reopen_rate", "재발·재처리율(30일)"),
    ("transfer_rate", "이송률"), ("rejected", "반려"), ("rejection_rate", "반려율"),
    ("backlog", "30일 초과 미처리"), ("verification_pass_rate", "확인 통과율"),
    ("carried_late", "기한경과 미처리(이월)"), ("lost_late", "기한경과 후 이송·반려"),
    ("transferred", "이송"), ("reopened", "재발·재처리(30일)"), ("failed", "확인 실패"),
    ("relative_time", "목표 대비 처리시간"), ("speed", "신속성"), ("holds", "보류"),
    ("holds_unapproved", "미승인 보류"))
RANK_COLUMNS = (("rank", "순위"), ("score", "종합점수"), ("score_low", "점수 하한(95%)"),
                ("score_high", "점수 상한(95%)"), ("volume", "평가건수"),
                ("credibility", "신뢰도 n/(n+k)")) + METRIC_COLUMNS + (
    ("on_time_component", "기한내처리 점수요소"), ("speed_component", "신속성 점수요소"),
    ("reopen_component", "재처리 점수요소"), ("verification_component", "확인 점수요소"),
    ("transfer_component", "이송 점수요소"), ("rejection_component", "반려 점수요소"),
    ("score_exact", "종합점수(반올림 전)"))
AWARD_COLUMNS = (
    ("department_kind", "구분"), ("rank", "순위"), ("award", "포상"),
    ("department_code", "부서코드"), ("department_name", "부서명"),
    ("months_ranked", "평가 개월 수"), ("score", "연간 점수(월 평균)"))
KIND_LABELS = {"headquarters": "본청 부서", "dong_office": "동 주민센터"}
KINDS = tuple(KIND_LABELS)


def _cell(key: str, value):
    """A printable cell value."""
    if key == "department_kind":
        return KIND_LABELS.get(value, value)
    if key == "rank" and value is None:
        return "평가 제외(건수 미달)"
    return "" if value is None else value


def cells(row: dict, columns) -> list:
    """A row's printable cells; a shared rank is marked "2=" (tied), as in the charts."""
    return [f"{row['rank']}=" if key == "rank" and row.get("tied") and row.get("rank")
            else _cell(key, row.get(key)) for key, _ in columns]


def to_csv(rows: list[dict], columns=METRIC_COLUMNS) -> bytes:
    """The rows as CSV bytes (UTF-8 with BOM, CRLF line ends), Korean header first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(label for _, label in columns))
    for row in rows:
        writer.writerow(safe_row(cells(row, columns)))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def tables_csv(tables: dict) -> bytes:
    """Both ranking tables (headquarters first) as one CSV."""
    rows = [row for kind in KINDS for row in tables.get(kind, [])]
    return to_csv(rows, RANK_COLUMNS)


def awards_csv(result: dict) -> bytes:
    """The award tables (headquarters first) as one CSV."""
    rows = [{"department_kind": kind, **row}
            for kind in KINDS for row in result["tables"].get(kind, [])]
    return to_csv(rows, AWARD_COLUMNS)
