"""Rankings and metrics as XLSX workbooks formatted for printing (needs openpyxl)."""
import io

from patrol_api.rankings.export import KIND_LABELS, METRIC_COLUMNS, RANK_COLUMNS, _cell

RATES = {"on_time_rate", "reopen_rate", "transfer_rate", "verification_pass_rate"}
SECONDS = {"ack_p50_s", "ack_p90_s", "resolve_p50_s", "resolve_p90_s"}
WIDTHS = {"department_name": 18, "department_kind": 12, "rank": 16, "month": 9}


def _sheet(workbook, name: str, title: str, rows: list[dict], columns=RANK_COLUMNS) -> None:
    """One table on its own sheet: a title, bold Korean headers, rates as percentages."""
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet = workbook.create_sheet(name)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([label for _, label in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in rows:
        sheet.append([_cell(key, row.get(key)) for key, _ in columns])
    _format(sheet, columns)


def _format(sheet, columns=RANK_COLUMNS) -> None:
    """Column widths, number formats, landscape A4 one page wide, header row repeated."""
    from openpyxl.utils import get_column_letter

    for index, (key, label) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(key, max(10, len(label) * 2))
        style = "0.0%" if key in RATES else "#,##0" if key in SECONDS else None
        if style:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = style
    sheet.row_dimensions[2].height = 30
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.freeze_panes = "A3"


def tables_xlsx(month: str, version: int, tables: dict) -> bytes:
    """The workbook of a snapshot: one sheet per department kind."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for kind in ("headquarters", "dong_office"):
        title = f"{month} 현장민원 처리 평가 ({KIND_LABELS[kind]}, 버전 {version})"
        _sheet(workbook, KIND_LABELS[kind], title, tables.get(kind, []))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def metrics_xlsx(months: list[str], rows: list[dict], scope: str = "") -> bytes:
    """The monthly metrics table (one row per department and month) on one printable sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    span = months[0] if len(months) == 1 else f"{months[0]} ~ {months[-1]}"
    title = f"{span} 부서별 현장민원 처리 지표 (Monthly metrics){scope}"
    _sheet(workbook, "월별 지표", title, rows, METRIC_COLUMNS)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
