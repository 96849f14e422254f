"""A snapshot's ranking tables as an XLSX workbook formatted for printing (needs openpyxl)."""
import io

from patrol_api.rankings.export import KIND_LABELS, RANK_COLUMNS, _cell

RATES = {"on_time_rate", "reopen_rate", "transfer_rate", "verification_pass_rate"}
WIDTHS = {"department_name": 18, "department_kind": 12, "rank": 16}


def _sheet(workbook, kind: str, title: str, rows: list[dict]) -> None:
    """One table on its own sheet: a title, bold Korean headers, rates as percentages."""
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(KIND_LABELS[kind])
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([label for _, label in RANK_COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(key, row.get(key)) for key, _ in RANK_COLUMNS])
    _format(sheet)


def _format(sheet) -> None:
    """Column widths, percentage cells, landscape A4 fitted to one page wide, header repeated."""
    from openpyxl.utils import get_column_letter

    for index, (key, label) in enumerate(RANK_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(key, max(10, len(label) * 2))
        if key in RATES:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                cell.number_format = "0.0%"
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
        _sheet(workbook, kind, title, tables.get(kind, []))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
