"""Charts for the monthly report: SVG parsed as XML (labels, series), PNG size, no-font error."""
import io
import warnings
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from scenario import build

from patrol_api import spreadsheet
from patrol_api.auth.roles import Role
from patrol_api.rankings import charts, fonts

SVG = "{http://www.w3.org/2000/svg}"
pytest.importorskip("matplotlib")


@pytest.fixture
def manager(make_user):
    """Authorization header of a manager."""
    return make_user(Role.MANAGER)[1]


@pytest.fixture
def korean_font(ctx):
    """Skip where no Korean font is installed (scripts/test installs fonts-nanum)."""
    if fonts.korean_family() is None:
        pytest.skip("no Korean font installed (apt-get install fonts-nanum)")


def _svg(answer) -> ET.Element:
    """The parsed SVG of a chart response."""
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "image/svg+xml"
    return ET.fromstring(answer.data)  # noqa: S314 - our own server's SVG


def _texts(root: ET.Element) -> str:
    """All text of the SVG (text kept as text, not paths)."""
    return " ".join("".join(node.itertext()) for node in root.iter(f"{SVG}text"))


def _groups(root: ET.Element, prefix: str) -> list[str]:
    """Ids of the SVG groups whose id starts with prefix."""
    return [node.get("id") for node in root.iter(f"{SVG}g")
            if (node.get("id") or "").startswith(prefix)]


def _png_size(answer) -> tuple[int, int]:
    """Pixel size of a PNG response."""
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "image/png" and answer.data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(answer.data)).size


def test_on_time_trend_svg_has_a_line_per_department_with_data(client, manager):
    build()
    root = _svg(client.get("/api/v1/rankings/charts/on-time-trend?from=2026-09&to=2026-10"
                           "&format=svg", headers=manager))
    # September: nothing due for anyone but road (F5); October: road, clean, dong1 have due items.
    assert sorted(_groups(root, "series-")) == ["series-clean", "series-dong1", "series-road"]
    text = _texts(root)
    assert "부서별 기한내 처리율 추이" in text and "On-time rate" in text
    assert {"road과", "clean과", "dong1과", "2026-09", "2026-10"} <= set(text.split())


def test_trend_kind_filter_and_accept_header(client, manager):
    build()
    answer = client.get("/api/v1/rankings/charts/on-time-trend?from=2026-10&to=2026-10"
                        "&kind=dong_office", headers={**manager, "Accept": "image/svg+xml"})
    root = _svg(answer)
    assert _groups(root, "series-") == ["series-dong1"]
    assert "동 주민센터" in _texts(root)


def test_backlog_svg_has_a_bar_series_per_month(client, manager):
    build()
    root = _svg(client.get("/api/v1/rankings/charts/backlog?from=2026-09&to=2026-10",
                           headers=manager))
    # only road has backlog (F5, open since September, counted at the end of October)
    assert sorted(_groups(root, "series-")) == ["series-2026-09-road", "series-2026-10-road"]
    text = _texts(root)
    assert "부서별 장기 미처리" in text and "Backlog" in text and "road과" in text
    assert "없는 부서 2곳 생략" in text and "clean과" not in text


def test_ranking_table_svg_lists_both_kinds(client, manager, ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "RANKING_MIN_VOLUME", 2)
    build()
    root = _svg(client.get("/api/v1/rankings/charts/ranking-table?month=2026-10",
                           headers=manager))
    assert _groups(root, "ranking-table-") == ["ranking-table-headquarters",
                                               "ranking-table-dong_office"]
    text = _texts(root)
    assert "본청 부서" in text and "동 주민센터" in text and "순위" in text
    assert "45.78" in text and "44.57" in text and "28.6%" in text  # clean, road; road on time
    assert "88.98" in text  # dong1, three items due: ranked (credibility-weighted)


@pytest.mark.usefixtures("korean_font")
def test_ranking_table_png_size_follows_the_rows(client, manager):
    build()
    answer = client.get("/api/v1/rankings/charts/ranking-table?month=2026-10"
                        "&kind=headquarters&format=png", headers=manager)
    width, height = _png_size(answer)
    expected = charts.table_size({"headquarters": [{}, {}]})  # road and clean
    assert (width, height) == (round(expected[0] * charts.DPI),
                               round(expected[1] * charts.DPI))


@pytest.mark.usefixtures("korean_font")
def test_png_charts_have_the_report_size(client, manager):
    build()
    for name in ("on-time-trend", "backlog"):
        answer = client.get(f"/api/v1/rankings/charts/{name}?from=2026-09&to=2026-10",
                            headers={**manager, "Accept": "image/png"})
        assert _png_size(answer) == (charts.WIDTH_IN * charts.DPI, charts.HEIGHT_IN * charts.DPI)


def test_snapshot_chart(client, manager):
    build()
    made = client.post("/api/v1/rankings/snapshots", json={"month": "2026-10"}, headers=manager)
    root = _svg(client.get(f"/api/v1/rankings/snapshots/{made.json['snapshot_id']}/chart",
                           headers=manager))
    assert len(_groups(root, "ranking-table-")) == 2 and "확정 v1" in _texts(root)


def test_png_without_korean_font_is_a_structured_error(client, manager, monkeypatch):
    monkeypatch.setattr(fonts, "korean_family", lambda: None)
    answer = client.get("/api/v1/rankings/charts/backlog?format=png", headers=manager)
    assert answer.status_code == 503
    assert answer.json["code"] == "chart_font_missing" and answer.json["field"] == "format"
    svg = client.get("/api/v1/rankings/charts/backlog?format=svg", headers=manager)
    assert svg.status_code == 200 and "NanumGothic" in svg.get_data(as_text=True)


def test_configured_font_without_hangul_is_not_used(ctx, monkeypatch):
    from matplotlib import get_data_path

    monkeypatch.setitem(ctx.config, "RANKING_CHART_FONT",
                        f"{get_data_path()}/fonts/ttf/DejaVuSans.ttf")
    assert fonts.korean_family() is None


def test_bad_format_is_422(client, manager):
    answer = client.get("/api/v1/rankings/charts/backlog?format=gif", headers=manager)
    assert answer.status_code == 422 and answer.json["field"] == "format"


def test_viewer_reads_charts_officer_does_not(client, make_user):
    viewer, officer = make_user(Role.VIEWER)[1], make_user(Role.PATROL_OFFICER)[1]
    url = "/api/v1/rankings/charts/on-time-trend?format=svg"
    assert client.get(url, headers=viewer).status_code == 200
    assert client.get(url, headers=officer).status_code == 403


def _row(month, code, on_time_rate=None, backlog=0):
    return {"month": month, "department_code": code, "department_name": f"{code}과",
            "on_time_rate": on_time_rate, "backlog": backlog}


def test_trend_values_are_percentages_with_gaps():
    from matplotlib.figure import Figure

    months = ["2026-09", "2026-10", "2026-11"]
    rows = [_row("2026-09", "a", 0.5), _row("2026-10", "a"), _row("2026-11", "a", 0.6667),
            *(_row(month, "b") for month in months)]  # b: nothing due, no line
    figure = Figure()
    charts.on_time_trend(rows, months)(figure)
    (line,) = figure.axes[0].get_lines()
    assert line.get_gid() == "series-a" and line.get_label() == "a과"
    assert str([float(value) for value in line.get_ydata()]) == "[50.0, nan, 66.67]"


def test_backlog_bars_are_the_last_month_and_markers_the_first():
    from matplotlib.figure import Figure

    months = ["2026-09", "2026-10", "2026-11"]
    rows = [_row("2026-09", "a", backlog=4), _row("2026-11", "a", backlog=1),
            _row("2026-10", "b", backlog=9), _row("2026-11", "c", backlog=3)]
    figure = Figure()
    charts.backlog(rows, months)(figure)
    ax = figure.axes[0]
    bars = {patch.get_gid(): patch.get_width() for patch in ax.patches}
    assert bars == {"series-2026-11-c": 3, "series-2026-11-a": 1}  # b: none at either end
    markers = {line.get_gid(): line.get_xdata()[0] for line in ax.get_lines()}
    assert markers == {"series-2026-09-c": 0, "series-2026-09-a": 4}
    assert [label.get_text() for label in ax.get_yticklabels()] == ["c과", "a과"]


def _drawn(draw):
    """A drawing laid out (constrained layout run) on a report-sized figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(charts.WIDTH_IN, charts.HEIGHT_IN), layout="constrained")
    FigureCanvasAgg(figure)
    with warnings.catch_warnings():  # the layout measures Hangul without a Korean font
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        draw(figure)
        figure.draw_without_rendering()
    return figure


def _legends_clear_of_axes(figure) -> int:
    """How many legends the figure has; asserts none overlaps any visible axes."""
    legends = [ax.get_legend() for ax in figure.axes if ax.get_legend() is not None]
    legends += list(figure.legends)
    renderer = figure.canvas.get_renderer()
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in figure.axes:
            if ax.get_visible():
                assert not box.overlaps(ax.bbox), (legend, ax)
    return len(legends)


def _trend_rows(count: int, months: list[str]) -> list[dict]:
    return [_row(month, f"d{index:02d}", (index + position) % 10 / 10)
            for index in range(count) for position, month in enumerate(months)]


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count=st.integers(9, 30), span=st.integers(1, 13))
def test_many_departments_get_small_multiples_on_shared_axes(app, count, span):
    """More than 8 departments (the demo has 17+): a panel per department, shared axes, the
    department's own line named series-<code> in it, no legend."""
    months = [f"{2026 + (9 + i) // 12}-{(9 + i) % 12 + 1:02d}" for i in range(span)]
    with app.app_context():
        figure = _drawn(charts.on_time_trend(_trend_rows(count, months), months))
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert len(panels) == count
    gids = [[line.get_gid() for line in ax.get_lines() if line.get_gid()] for ax in panels]
    assert gids == [[f"series-d{index:02d}"] for index in range(count)]  # one each, in order
    assert [ax.get_title() for ax in panels] == [f"d{index:02d}과" for index in range(count)]
    first = panels[0]
    assert all(first.get_shared_y_axes().joined(first, ax) for ax in panels)
    assert all(first.get_shared_x_axes().joined(first, ax) for ax in panels)
    assert first.get_ylim() == (0, 105)
    assert _legends_clear_of_axes(figure) == 0


def test_small_multiples_svg_keeps_a_series_id_per_department(app):
    months = ["2026-09", "2026-10", "2026-11"]
    with app.app_context():
        root = ET.fromstring(  # noqa: S314 - our own SVG
            charts.render(charts.on_time_trend(_trend_rows(17, months), months), "svg"))
    assert sorted(_groups(root, "series-")) == [f"series-d{index:02d}" for index in range(17)]
    assert "부서별 기한내 처리율 추이" in _texts(root) and "d16과" in _texts(root)


@pytest.mark.parametrize("count", [1, 8])
def test_few_departments_share_one_chart_with_the_legend_beside_it(app, count):
    months = ["2026-09", "2026-10", "2026-11"]
    with app.app_context():
        figure = _drawn(charts.on_time_trend(_trend_rows(count, months), months))
    assert len(figure.axes) == 1 and len(figure.axes[0].get_lines()) == count
    assert _legends_clear_of_axes(figure) == 1


def test_backlog_legend_is_not_over_the_bars(app):
    months = ["2026-09", "2026-11"]
    rows = [_row(month, f"d{index:02d}", backlog=index + 1) for index in range(17)
            for month in months]
    with app.app_context():
        figure = _drawn(charts.backlog(rows, months))
    assert _legends_clear_of_axes(figure) == 1


_HOSTILE = st.text(st.sampled_from("$^\\{}_\x00\x01\x0b\ud800\ufffe=가a "), min_size=1, max_size=8)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_HOSTILE, code=_HOSTILE)
def test_every_chart_is_well_formed_svg_whatever_the_names(app, name, code):
    """Names and codes from reference data may hold any character (controls, lone surrogates):
    each chart still parses as XML, the name shown with forbidden characters replaced."""
    months = ["2026-10", "2026-11"]
    rows = [{**_row(month, code, 0.5, backlog=3), "department_name": name} for month in months]
    table = [{"rank": 1, "department_name": name, "score": 80.0, "volume": 12,
              "on_time_rate": 0.5}]
    drawings = [charts.on_time_trend(rows, months, f" · {name}"), charts.backlog(rows, months),
                charts.ranking_tables("2026-11", {"headquarters": table}, f" {name}")]
    for draw in drawings:
        with app.app_context():
            root = ET.fromstring(charts.render(draw, "svg"))  # noqa: S314 - our own SVG
        assert spreadsheet.printable(name).strip() in _texts(root)
