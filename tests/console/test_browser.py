"""The console in a real browser (Debian chromium through Playwright): a clerk's whole path,
a stale form's conflict message, axe-core on every page at 360 and 1280 px, screenshots."""
import random
from pathlib import Path

import pytest

from patrol_api.demo import photos as demo_photos
from patrol_api.extensions import db
from patrol_api.models import Finding
from patrol_api.models.base import utcnow
from tests.console.conftest import PASSWORD, SHOTS, WIDTHS

SERIOUS = ("serious", "critical")


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/console/inbox")


def axe_violations(page) -> list:
    """Serious and critical axe-core violations of the page as shown (axe-core loaded from the
    shipped copy: the page's CSP allows no inline script)."""
    origin = page.url.split("/console/")[0]
    page.add_script_tag(url=f"{origin}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in SERIOUS]


def shoot(page, name: str, width: int) -> None:
    """A screenshot for docs/console.md (PNG, the viewport only to keep it small)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))


def after_photo(finding, tmp_path) -> Path:
    """A JPEG taken now at the finding's spot, with EXIF GPS and time."""
    data = demo_photos.jpeg(random.Random(7), finding.lat, finding.lon, utcnow(), "after")
    path = tmp_path / "after.jpg"
    path.write_bytes(data)
    return path


def test_a_clerk_resolves_the_oldest_overdue_finding(live_server, district, browser_page,
                                                     tmp_path):
    oldest = district.findings[0]
    page = browser_page(360)
    sign_in(page, live_server, "clerk")
    page.click("a.tab >> text=기한 경과")
    first = page.locator("ol.list a.rowlink").first
    assert oldest.reference in first.inner_text()
    first.click()
    page.wait_for_url(f"**/console/findings/{oldest.id}")
    page.wait_for_selector("#map .leaflet-interactive")
    assert page.locator("#map .leaflet-interactive").count() >= 2  # the dong and the spot
    page.click("form.action button:has-text('확인')")
    page.wait_for_selector("div.alert.ok")
    assert "확인" in page.locator("h1 .state").inner_text()
    page.set_input_files("#resolve-photo", str(after_photo(oldest, tmp_path)))
    page.fill("#resolve-note", "포트홀 보수 완료")
    page.click("form.action button:has-text('처리완료')")
    page.wait_for_selector("div.alert.ok")
    assert page.locator("h1 .state").inner_text() == "처리완료"
    thumb = page.locator("ul.photos img")
    assert thumb.count() == 1
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('ul.photos img').complete")
    assert thumb.evaluate("img => img.naturalWidth") > 0  # the thumbnail is served
    page.goto(f"{live_server}/console/inbox")
    assert oldest.reference not in page.locator("main").inner_text()
    db.session.rollback()  # a fresh read of what the server thread committed
    assert db.session.get(Finding, oldest.id).state == "resolved"


def test_a_second_clerks_stale_form_gets_the_conflict_message(live_server, district,
                                                              browser_page):
    finding = district.findings[1]
    first, second = browser_page(1280), browser_page(360)
    for page, who in ((first, "clerk"), (second, "clerk2")):
        sign_in(page, live_server, who)
        page.goto(f"{live_server}/console/findings/{finding.id}")
    first.click("form.action button:has-text('확인')")
    first.wait_for_selector("div.alert.ok")
    second.click("form.action button:has-text('처리 시작')")  # still shows the old version
    message = second.locator("#action-error").inner_text()
    assert "다른 사용자가 이 건을 먼저 변경했습니다" in message
    db.session.rollback()  # a fresh read of what the server thread committed
    assert db.session.get(Finding, finding.id).state == "acknowledged"  # no lost update


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe_and_is_photographed(live_server, district, browser_page, width):
    page = browser_page(width)
    page.goto(f"{live_server}/console/login")
    assert axe_violations(page) == []
    shoot(page, "login", width)
    sign_in(page, live_server, "clerk")
    assert axe_violations(page) == []
    shoot(page, "inbox", width)
    page.goto(f"{live_server}/console/findings/{district.findings[0].id}")
    page.wait_for_selector("#map .leaflet-interactive")
    assert axe_violations(page) == []
    shoot(page, "finding", width)
    officer = browser_page(width)
    officer.goto(f"{live_server}/console/login")
    officer.fill("#username", "officer")
    officer.fill("#password", PASSWORD)
    officer.click("button[type=submit].primary")
    officer.wait_for_load_state()
    assert "볼 수 없는 페이지입니다" in officer.locator("h1").inner_text()
    assert axe_violations(officer) == []
    shoot(officer, "forbidden", width)


def _freeze(month: str, version: int, reason: str) -> None:
    """A stored snapshot of the month (as the freezing job stores it)."""
    from patrol_api import changefeed
    from patrol_api.models import RankingSnapshot
    from patrol_api.rankings import metrics, scoring, settings, snapshots

    db.session.add(RankingSnapshot(
        month=month, version=version, data_version=changefeed.current(db.session),
        formula_version=settings.FORMULA_VERSION, params=snapshots.params(),
        tables=scoring.tables(metrics.month_metrics(month)), reason=reason))
    db.session.commit()


def test_a_manager_picks_a_month_and_downloads_the_rankings(live_server, district,
                                                            browser_page, tmp_path):
    from openpyxl import load_workbook

    from patrol_api.console.labels import SEOUL

    month = district.findings[0].first_seen_at.astimezone(SEOUL).strftime("%Y-%m")
    _freeze(month, 1, "first freeze")
    _freeze(month, 2, "늦게 들어온 자료 반영")
    page = browser_page(1280)
    sign_in(page, live_server, "manager")
    page.click("header nav a:has-text('월별 평가')")
    page.wait_for_url(f"{live_server}/console/rankings")
    page.select_option("#month", month)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"**/console/rankings?month={month}")
    main = page.locator("main").inner_text()
    assert "roads과" in main and "늦게 들어온 자료 반영" in main and "v2" in main
    with page.expect_download() as caught:
        page.click("a:has-text('월별 지표 엑셀(XLSX)')")
    download = caught.value
    assert download.suggested_filename == f"metrics-{month}-{month}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path).active
    names = {cell.value for row in sheet.iter_rows() for cell in row}
    assert {"roads과", "parks과", "부서명"} <= names


@pytest.mark.parametrize("width", WIDTHS)
def test_the_rankings_page_passes_axe_and_is_photographed(live_server, district,
                                                          browser_page, width):
    from patrol_api.console.labels import SEOUL

    month = district.findings[0].first_seen_at.astimezone(SEOUL).strftime("%Y-%m")
    _freeze(month, 1, "first freeze")
    page = browser_page(width)
    sign_in(page, live_server, "manager")
    page.goto(f"{live_server}/console/rankings?month={month}")
    page.wait_for_function("document.querySelector('img.chart').complete")
    assert axe_violations(page) == []
    shoot(page, "rankings", width)
