"""Rankings, metrics and awards as XLSX workbooks formatted for printing (needs openpyxl).

Business times are shown in business hours (the CSV keeps seconds); rates are numbers shown
as percentages; a shared rank reads "2=". Every row goes through the export guard
(patrol_api.spreadsheet.append): text never becomes a formula or breaks the file.
"""
import io

from patrol_api.rankings.export import (
    AWARD_COLUMNS,
    KIND_LABELS,
    KINDS,
    METRIC_COLUMNS,
    RANK_COLUMNS,
    cells,
)
from patrol_api.spreadsheet import append

RATES = {"on_time_rate", "reopen_rate", "transfer_rate", "rejection_rate",
         "verification_pass_rate", "speed", "credibility", "on_time_component",
         "speed_component", "reopen_component", "verification_component",
         "transfer_component", "rejection_component"}
HOURS = {"ack_p50_s": "접수확인 중앙값(업무시간)", "ack_p90_s": "접수확인 90%(업무시간)",
         "resolve_p50_s": "처리 중앙값(업무시간)", "resolve_p90_s": "처리 90%(업무시간)"}
WIDTHS = {"department_name": 18, "department_kind": 12, "rank": 16, "month": 9}


def _in_hours(columns) -> tuple:
    """The columns with business times labelled in hours."""
    return tuple((key, HOURS.get(key, label)) for key, label in columns)


def _values(row: dict, columns) -> list:
    """A row's cells, business seconds turned into hours."""
    values = cells(row, columns)
    return [value / 3600 if key in HOURS and isinstance(value, int | float) else value
            for (key, _), value in zip(columns, values, strict=True)]


def _sheet(workbook, name: str, title: str, rows: list[dict], columns=RANK_COLUMNS,
           note: str | None = None):
    """One table on its own sheet: a title, bold Korean headers, rates as percentages."""
    from openpyxl.styles import Alignment, Font, PatternFill

    columns = _in_hours(columns)
    sheet = workbook.create_sheet(name)
    append(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=14)
    if note:  # a warning printed between the title and the table
        append(sheet, [note])
        sheet["A2"].font = Font(bold=True, color="C00000")
    header = sheet.max_row + 1
    append(sheet, [label for _, label in columns])
    for cell in sheet[header]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in rows:
        append(sheet, _values(row, columns))
    _format(sheet, columns, header)
    return sheet


def _format(sheet, columns, header: int = 2) -> None:
    """Column widths, number formats, landscape A4 one page wide, header row repeated."""
    from openpyxl.utils import get_column_letter

    for index, (key, label) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(key, max(10, len(label) * 2))
        style = "0.0%" if key in RATES else "#,##0.0" if key in HOURS else None
        if style:
            for (cell,) in sheet.iter_rows(min_row=header + 1, min_col=index, max_col=index):
                cell.number_format = style
    sheet.row_dimensions[header].height = 30
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.freeze_panes = f"A{header + 1}"


def _saved(workbook) -> bytes:
    """The workbook's bytes."""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _workbook():
    """An empty workbook (no default sheet)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def tables_xlsx(month: str, version: int, tables: dict) -> bytes:
    """The workbook of a snapshot: one sheet per department kind."""
    workbook = _workbook()
    for kind in KINDS:
        title = f"{month} 현장민원 처리 평가 ({KIND_LABELS[kind]}, 버전 {version})"
        _sheet(workbook, KIND_LABELS[kind], title, tables.get(kind, []))
    return _saved(workbook)


def metrics_xlsx(months: list[str], rows: list[dict], scope: str = "") -> bytes:
    """The monthly metrics table (one row per department and month) on one printable sheet."""
    workbook = _workbook()
    span = months[0] if len(months) == 1 else f"{months[0]} ~ {months[-1]}"
    title = f"{span} 부서별 현장민원 처리 지표 (Monthly metrics){scope}"
    _sheet(workbook, "월별 지표", title, rows, METRIC_COLUMNS)
    return _saved(workbook)


def awards_xlsx(result: dict) -> bytes:
    """The year's award tables, one sheet per department kind, the missing months warned."""
    workbook = _workbook()
    for kind in KINDS:
        title = (f"{result['year']}년 현장민원 처리 우수부서 포상 ({KIND_LABELS[kind]}) "
                 f"(Annual awards)")
        rows = [{"department_kind": kind, **row} for row in result["tables"].get(kind, [])]
        _sheet(workbook, KIND_LABELS[kind], title, rows, AWARD_COLUMNS, result.get("warning"))
    return _saved(workbook)
