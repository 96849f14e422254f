"""The patrol activity report as CSV (one table) and XLSX (one sheet per table), with
Korean headers, formatted for printing like the ranking exports (reuses their CSV writer);
every row goes through the export guard (patrol_api.spreadsheet)."""
import io

from patrol_api.rankings.export import _cell, to_csv
from patrol_api.spreadsheet import append

COLUMNS = {
    "per_kind": (("month", "월"), ("label_ko", "순찰 구분"), ("runs", "순찰 횟수(회)"),
                 ("hours", "순찰 시간(시간)"), ("sites_checked", "점검 개소"),
                 ("observations", "적출 건수")),
    "per_campaign": (("month", "월"), ("title_ko", "기획순찰 내용"), ("code", "코드"),
                     ("runs", "순찰 횟수(회)"), ("hours", "순찰 시간(시간)"),
                     ("observations", "적출 건수"), ("targeted", "대상 개소"),
                     ("inspected", "당월 점검 개소"), ("inspected_to_date", "누적 점검 개소"),
                     ("coverage", "점검률")),
    "per_team": (("month", "월"), ("team", "순찰팀"), ("runs", "순찰 횟수(회)"),
                 ("hours", "순찰 시간(시간)"), ("sites_checked", "점검 개소"),
                 ("observations", "적출 건수")),
    "per_officer": (("month", "월"), ("team", "순찰팀"), ("display_name", "성명"),
                    ("role_label_ko", "구분"), ("runs", "참여 횟수(회)"),
                    ("hours", "순찰 시간(시간)"), ("sites_checked", "점검 개소"),
                    ("observations", "적출 건수")),
    "auditors": (("month", "월"), ("display_name", "성명"), ("team", "순찰팀"),
                 ("reports", "신고 건수"), ("accepted", "인정"), ("pending", "검토 중"),
                 ("rejected", "불인정")),
    "totals": (("month", "월"), ("runs", "순찰 횟수(회)"), ("hours", "순찰 시간(시간)"),
               ("sites_checked", "점검 개소"), ("observations", "적출 건수")),
}
TITLES = {
    "per_kind": ("순찰 구분별 실적", "Runs per patrol kind"),
    "per_campaign": ("기획순찰별 실적·점검률", "Themed campaigns and coverage"),
    "per_team": ("순찰팀별 실적", "Runs per team"),
    "per_officer": ("요원별 실적", "Per person on the runs"),
    "auditors": ("구민감사관 신고 인정 실적", "Citizen auditors' credited reports"),
    "totals": ("월별 합계", "Monthly totals"),
}
PERCENT = {"coverage"}
DECIMAL = {"hours"}
WIDE = {"label_ko": 22, "title_ko": 28, "team": 16, "display_name": 12, "code": 14}


def table_csv(report: dict, table: str) -> bytes:
    """One table of the report as CSV (UTF-8 with BOM, Korean header)."""
    return to_csv(report[table], COLUMNS[table])


def _period(report: dict) -> str:
    """'2026-06 ~ 2026-08' or one month."""
    first, last = report["months"][0], report["months"][-1]
    return first if first == last else f"{first} ~ {last}"


def _conditions(report: dict) -> str:
    """The sheet's second line: the filters it was made with, or that it covers everything."""
    labels = report.get("filter_labels") or []
    if not labels:
        return "조건: 전체 (all dongs, kinds, teams and categories)"
    return "조건: " + " · ".join(f"{label} {value}" for label, value in labels)


def _sheet(workbook, report: dict, table: str) -> None:
    """One table on its own sheet: title, the filters, bold headers, number formats, print
    setup."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = COLUMNS[table]
    sheet = workbook.create_sheet(TITLES[table][0][:31])
    append(sheet, [f"{_period(report)} {TITLES[table][0]} ({TITLES[table][1]})"])
    sheet["A1"].font = Font(bold=True, size=14)
    append(sheet, [_conditions(report)])
    append(sheet, [label for _, label in columns])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in report[table]:
        append(sheet, [_cell(key, row.get(key)) for key, _ in columns])
    for index, (key, label) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDE.get(key, max(10, len(label) * 2))
        number_format = "0.0%" if key in PERCENT else "0.0" if key in DECIMAL else None
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=4, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.freeze_panes = "A4"


def report_xlsx(report: dict) -> bytes:
    """The whole report as a workbook, one sheet per table."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in COLUMNS:
        _sheet(workbook, report, table)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
