"""The console's monthly rankings page for managers and admins, and its downloads.

The page and the downloads call the same service and export functions as the API's
GET /api/v1/rankings, /rankings/metrics.csv, /rankings/metrics.xlsx and
/rankings/charts/ranking-table (patrol_api.rankings.service, export, xlsx, charts): the
console holds no rule of its own, only the cookie session in place of a bearer token.
"""
from datetime import datetime

from flask import Response, render_template, request

from patrol_api.auth.access import PUBLIC, allow
from patrol_api.auth.roles import Role
from patrol_api.console.session import require
from patrol_api.console.views import bp
from patrol_api.http.downloads import CSV, XLSX
from patrol_api.rankings import charts, export, months, service, snapshots, xlsx

MANAGERS = (Role.ADMIN, Role.MANAGER)
PICKER_MONTHS = 24  # the month picker offers the last two years of completed months
# The page shows every column of the ranking export except the month (chosen above).
COLUMNS = tuple(column for column in export.RANK_COLUMNS if column[0] != "month")


def previous(month: str) -> str:
    """The month before `month` (YYYY-MM)."""
    year, number = months.parse(month)
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def last_completed(now: datetime | None = None) -> str:
    """The last completed month in Seoul (the default of the page)."""
    return previous(months.current(now))


def choices(chosen: str) -> list[str]:
    """The picker's months: the running month, the completed months before it, and the chosen
    one (a link may name an older month)."""
    found = [months.current()]
    while len(found) <= PICKER_MONTHS:
        found.append(previous(found[-1]))
    return found if chosen in found else sorted({*found, chosen}, reverse=True)


def _month() -> str:
    """The month asked (422 page for a malformed one), by default the last completed."""
    month = request.args.get("month") or last_completed()
    months.parse(month)
    return month


def cell(key: str, value) -> str:
    """A table cell as shown: rates as percentages, other numbers rounded, ranks as exported."""
    if isinstance(value, float) and key in xlsx.RATES:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@bp.get("/rankings")
@allow(PUBLIC)
@require(*MANAGERS)
def rankings_page():
    """A month's ranking tables computed now (headquarters and dong offices, every input of
    each score), the month's frozen snapshots, and the downloads."""
    month = _month()
    tables = service.live_tables({"month": month})
    return render_template(
        "console/rankings.html", month=month, choices=choices(month), tables=tables,
        kinds=export.KIND_LABELS, columns=COLUMNS, cell=cell,
        row_cells=lambda row: export.cells(row, COLUMNS),
        snapshots=snapshots.listing(month, month), running=month >= months.current())


def _download(body: bytes, mimetype: str, name: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'{disposition}; filename="{name}"'})


@bp.get("/rankings/metrics.csv")
@allow(PUBLIC)
@require(*MANAGERS)
def rankings_csv():
    """The month's metrics as CSV: the bytes of GET /api/v1/rankings/metrics.csv."""
    month = _month()
    rows = service.metric_rows({"from_month": month, "to_month": month})
    return _download(export.to_csv(rows), CSV, f"metrics-{month}.csv")


@bp.get("/rankings/metrics.xlsx")
@allow(PUBLIC)
@require(*MANAGERS)
def rankings_xlsx():
    """The month's metrics as XLSX: the bytes of GET /api/v1/rankings/metrics.xlsx."""
    month = _month()
    args = {"from_month": month, "to_month": month}
    body = xlsx.metrics_xlsx(service.month_range(args), service.metric_rows(args),
                             service.scope_label(args))
    return _download(body, XLSX, f"metrics-{month}-{month}.xlsx")


@bp.get("/rankings/chart.svg")
@allow(PUBLIC)
@require(*MANAGERS)
def rankings_chart():
    """The month's ranking tables as an SVG picture: GET /api/v1/rankings/charts/ranking-table
    (both kinds, no filter)."""
    month = _month()
    tables = service.live_tables({"month": month})
    draw = charts.ranking_tables(month, tables, " (잠정 · provisional)")
    body = charts.render(draw, "svg", charts.table_size(tables))
    return _download(body, charts.MIMETYPES["svg"], f"ranking-{month}.svg",
                     inline=request.args.get("download") != "1")
