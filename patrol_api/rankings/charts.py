"""Charts for the monthly report (SVG or PNG): on-time trend, backlog, ranking tables.

Drawn with matplotlib's object API (no pyplot state). SVG keeps text as text
(svg.fonttype 'none') so labels stay searchable and editable; every data series carries an
SVG id (`series-<department>`, `series-<month>-<department>` for bars,
`ranking-table-<kind>`) so the report tooling and the tests can find it.
"""
import io
import logging
import math
import threading
import warnings

from patrol_api.rankings import fonts
from patrol_api.rankings.export import KIND_LABELS
from patrol_api.spreadsheet import printable

WIDTH_IN, HEIGHT_IN, DPI = 10.0, 6.0, 150
KIND_TITLES = {"headquarters": "본청 부서 · Headquarters departments",
               "dong_office": "동 주민센터 · Dong offices"}
TABLE_COLUMNS = (("rank", "순위\nRank"), ("department_name", "부서\nDepartment"),
                 ("score", "종합점수\nScore"), ("score_range", "95% 구간\nRange"),
                 ("volume", "평가건수\nItems due"), ("credibility", "신뢰도\nCredibility"),
                 ("on_time_rate", "기한내처리율\nOn time"), ("speed", "신속성\nSpeed"),
                 ("reopen_rate", "재처리율\nReopened"),
                 ("transfer_rate", "이송률\nTransferred"), ("rejection_rate", "반려율\nRejected"),
                 ("verification_pass_rate", "확인통과율\nVerified"),
                 ("backlog", "30일 초과 미처리\nBacklog > 30 d"))
RATES = {"on_time_rate", "reopen_rate", "transfer_rate", "verification_pass_rate",
         "rejection_rate", "speed", "credibility"}
LEGEND_ROWS = 18
SMALL_MULTIPLES_AFTER = 8  # more departments than this: a panel per department
Y_LABEL, X_LABEL = "기한내 처리율 (%) · On-time rate", "월 · Month"
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D")
MIMETYPES = {"svg": "image/svg+xml", "png": "image/png"}
_render_lock = threading.Lock()  # rc_context changes process-wide settings
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # absent viewer fonts


def render(draw, fmt: str, size: tuple[float, float] = (WIDTH_IN, HEIGHT_IN)) -> bytes:
    """Draw on a new figure with `draw(figure)` and save it as SVG or PNG bytes."""
    import matplotlib
    from matplotlib.figure import Figure

    names = fonts.families(required=fmt == "png")
    settings = {"svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": names,
                "svg.hashsalt": "patrol-api", "axes.unicode_minus": False,
                "text.parse_math": False}  # a "$" in a department name is just a dollar
    with _render_lock, matplotlib.rc_context(settings), warnings.catch_warnings():
        # SVG without a Korean font: the viewer's font draws the Hangul, not matplotlib.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure = Figure(figsize=size, layout="constrained")
        draw(figure)
        out = io.BytesIO()
        figure.savefig(out, format=fmt, dpi=DPI, metadata=_metadata(fmt))
    return out.getvalue()


def _metadata(fmt: str) -> dict:
    """No creation date, so the same data gives the same file."""
    return {"Date": None} if fmt == "svg" else {"Software": None}


def _percent(value) -> float:
    """A rate as a percentage, NaN (a gap) when there is none."""
    return math.nan if value is None else round(100 * value, 2)


def _series(rows: list[dict], key: str) -> dict:
    """{department_code: (name, {month: value})} over the metrics rows."""
    found: dict = {}
    for row in rows:
        entry = found.setdefault(printable(row["department_code"]),
                                 (_legend_label(row["department_name"]), {}))
        entry[1][row["month"]] = row.get(key)
    return found


def _legend_label(name: str) -> str:
    """A printable name that matplotlib keeps in the legend (it hides labels starting '_')."""
    name = printable(name)
    return " " + name if name.startswith("_") else name


def _style(index: int) -> dict:
    """Colour, dash and marker of the index-th line: 10 colours, then other dashes/markers."""
    return {"color": f"C{index % 10}", "linestyle": LINESTYLES[index // 10 % len(LINESTYLES)],
            "marker": MARKERS[index // 10 % len(MARKERS)], "markersize": 4}


def on_time_trend(rows: list[dict], months: list[str], title_scope: str = ""):
    """The drawing of the on-time rate per department over the months (departments with data):
    one chart with a legend beside it for up to SMALL_MULTIPLES_AFTER departments, else small
    multiples (a panel per department on shared axes, the others faint behind it)."""
    title_scope = printable(title_scope)

    def draw(figure):
        drawn = [(code, name, [_percent(values.get(month)) for month in months])
                 for code, (name, values) in sorted(_series(rows, "on_time_rate").items())
                 if any(values.get(month) is not None for month in months)]  # else no line
        title = f"부서별 기한내 처리율 추이 · On-time rate by department{title_scope}"
        if len(drawn) > SMALL_MULTIPLES_AFTER:
            _small_multiples(figure, drawn, months, title)
            return
        ax = figure.add_subplot()
        for index, (code, name, values) in enumerate(drawn):
            line, = ax.plot(months, values, label=name, **_style(index))
            line.set_gid(f"series-{code}")
        ax.set_ylim(0, 105)
        ax.set_ylabel(Y_LABEL)
        ax.set_xlabel(X_LABEL)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
        if drawn:  # beside the axes, never over the lines
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0, fontsize=7,
                      ncols=math.ceil(len(drawn) / LEGEND_ROWS))
        else:
            ax.text(0.5, 0.5, "자료 없음 · No data", ha="center", transform=ax.transAxes)
        if len(months) > 6:
            ax.tick_params(axis="x", labelrotation=90)
    return draw


def _small_multiples(figure, drawn: list, months: list[str], title: str) -> None:
    """A grid of small panels, one per department (titled with its name, no legend), shared
    axes; every other department a faint grey line behind, for comparison."""
    ncols = min(len(drawn), math.ceil(math.sqrt(len(drawn) * WIDTH_IN / HEIGHT_IN)))
    nrows = math.ceil(len(drawn) / ncols)
    axes = figure.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
    positions = list(range(len(months)))
    step = max(1, math.ceil(len(months) / 4))  # at most 4 month labels under a panel
    for ax, (code, name, values) in zip(axes, drawn, strict=False):
        for other_code, _, other in drawn:
            if other_code != code:
                ax.plot(positions, other, color="0.85", linewidth=0.6, zorder=1)
        line, = ax.plot(positions, values, color="C0", linewidth=1.6, marker="o",
                        markersize=2.5, zorder=3, label=name)
        line.set_gid(f"series-{code}")
        ax.set_title(name, fontsize=7, pad=2)
        ax.grid(axis="y", alpha=0.3)
        ax.tick_params(labelsize=6)
    for ax in axes[len(drawn):]:
        ax.set_visible(False)
    axes[0].set_ylim(0, 105)
    axes[0].set_xticks(positions[::step], months[::step])
    if len(months) > 1:
        axes[0].set_xlim(-0.3, len(months) - 0.7)
    for index, ax in enumerate(axes[:len(drawn)]):
        # month labels under the lowest panel of each column, rates left of each row
        below_is_empty = index + ncols >= len(drawn)
        ax.tick_params(labelbottom=below_is_empty, labelleft=index % ncols == 0,
                       axis="both")
        ax.tick_params(axis="x", labelrotation=90 if len(months[::step]) > 1 else 0)
    figure.supylabel(Y_LABEL, fontsize=9)
    figure.supxlabel(X_LABEL, fontsize=9)
    figure.suptitle(title, fontsize=11)


def backlog(rows: list[dict], months: list[str], title_scope: str = ""):
    """The drawing of the backlog (> 30 days) per department at the end of the range's last
    month, the first month's value marked for comparison; departments without backlog in
    either are counted in a note, not drawn."""
    title_scope = printable(title_scope)
    series = _series(rows, "backlog")
    first, last = months[0], months[-1]
    shown = (first, last) if first != last else (last,)
    order = sorted((code for code, (_, values) in series.items()
                    if any(values.get(month) for month in shown)),
                   key=lambda code: (-(series[code][1].get(last) or 0), code))
    clear = len(series) - len(order)

    def draw(figure):
        ax = figure.add_subplot()
        values = [series[code][1].get(last) or 0 for code in order]
        bars = ax.barh(range(len(order)), values, height=0.7, color="C1",
                       label=f"{last} 말 · end of {last}")
        for code, bar in zip(order, bars.patches, strict=True):
            bar.set_gid(f"series-{last}-{code}")
        ax.bar_label(bars, fontsize=7, padding=2)
        if first != last:
            for position, code in enumerate(order):
                marker, = ax.plot([series[code][1].get(first) or 0], [position], marker="D",
                                  color="black", linestyle="none", markersize=5,
                                  label=f"{first} 말 · end of {first}" if not position else None)
                marker.set_gid(f"series-{first}-{code}")
        ax.set_yticks(range(len(order)), [series[code][0] for code in order],
                      fontsize=8 if len(order) <= 30 else 6)
        ax.invert_yaxis()
        ax.set_xlabel("30일 초과 미처리 건수 · Open items older than 30 days at month end\n"
                      f"장기 미처리 없는 부서 {clear}곳 생략 · {clear} departments without "
                      "backlog not shown")
        ax.set_title(f"부서별 장기 미처리 · Backlog by department{title_scope}")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.margins(x=0.08)  # room for the value labels
        ax.grid(axis="x", alpha=0.3)
        if order:  # beside the axes, never over the bars
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    return draw


def _table_cell(key: str, row: dict) -> str:
    """A printed cell of the ranking table."""
    if key == "score_range":
        low, high = row.get("score_low"), row.get("score_high")
        return "–" if low is None or high is None else f"{low:.1f}–{high:.1f}"
    value = row.get(key)
    if isinstance(value, str):
        return printable(value)
    if key == "rank":
        return "제외 · n/a" if value is None else f"{value}{'=' if row.get('tied') else ''}"
    if value is None:
        return "–"
    if key in RATES:
        return f"{100 * value:.1f}%"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def table_size(tables: dict) -> tuple[float, float]:
    """Figure size (inches) for ranking tables: 10 wide, 0.32 per printed row, titles."""
    rows = sum(len(table) + 1 for table in tables.values())
    return WIDTH_IN, round(0.9 * len(tables) + 0.32 * rows + 0.3, 2)


def ranking_tables(month: str, tables: dict, note: str = ""):
    """The drawing of a month's ranking tables, one block per department kind given."""
    note = printable(note)

    def draw(figure):
        weights = [len(table) + 3 for table in tables.values()]
        axes = figure.subplots(len(tables), 1, squeeze=False,
                               gridspec_kw={"height_ratios": weights})[:, 0]
        for ax, (kind, table) in zip(axes, tables.items(), strict=True):
            ax.axis("off")
            ax.set_title(f"{month} {KIND_TITLES[kind]}{note}", loc="left", fontsize=11)
            cells = [[_table_cell(key, row) for key, _ in TABLE_COLUMNS] for row in table]
            if not cells:
                ax.text(0, 0.5, f"{KIND_LABELS[kind]} 자료 없음 · No departments", fontsize=9)
                continue
            drawn = ax.table(cellText=cells, colLabels=[label for _, label in TABLE_COLUMNS],
                             loc="upper center", cellLoc="center",
                             colWidths=[0.05, 0.15, 0.065, 0.09, 0.065, 0.07, 0.075, 0.065,
                                        0.065, 0.065, 0.065, 0.07, 0.09])
            drawn.auto_set_font_size(False)
            drawn.set_fontsize(7)
            drawn.scale(1, 1.5)
            for (row_index, _), cell in drawn.get_celld().items():
                if row_index == 0:
                    cell.set_facecolor("#dde6f0")
                    cell.set_height(cell.get_height() * 1.6)
            drawn.set_gid(f"ranking-table-{kind}")
    return draw
