"""Fixtures of the console tests: a small district with overdue findings, the app served on a
loopback port (werkzeug, in a thread) and a headless Debian chromium driven by Playwright."""
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from patrol_api.auth import devices
from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.findings import intake, journal
from patrol_api.models import Finding, Observation
from patrol_api.models.base import utcnow
from tests.findings.conftest import SPOT, _build, offset

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
PASSWORD = "correct horse battery"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
WIDTHS = (360, 1280)


class District:
    """What the console tests use: the world, users by name, findings oldest-due first."""

    def __init__(self, world):
        self.world = world
        self.users = {}
        self.findings: list[Finding] = []


def _observe(world, user, point, days_ago: float) -> Finding:
    """An observation recorded (and taken in) `days_ago` days ago; its finding."""
    moment = utcnow() - timedelta(days=days_ago)
    obs = Observation(client_id=str(uuid.uuid4()), user_id=user.id, device_id=user.device.id,
                      category=world.category("roads"), lat=point[0], lon=point[1],
                      accuracy_m=5.0, area=world.area, note="", recorded_at_device=moment,
                      recorded_at=moment, received_at=moment, fate="received", time_flags=[],
                      field_versions={}, photos=[])
    db.session.add(obs)
    db.session.commit()
    original = journal.now
    journal.now = lambda: moment  # the intake stamps its events then: due dates in the past
    try:
        finding_id = intake.process_observation(obs.id)
    finally:
        journal.now = original
    return db.session.get(Finding, finding_id)


@pytest.fixture
def district(ctx, make_user) -> District:
    """Departments, a dong, two road clerks, a manager, a patrol officer, a citizen auditor,
    and three open road findings: two overdue (the oldest first) and one due later."""
    world = _build()
    here = District(world)
    roads = world.department("roads")
    for name, role, department in (("clerk", Role.DEPARTMENT_STAFF, roads),
                                   ("clerk2", Role.DEPARTMENT_STAFF, roads),
                                   ("manager", Role.MANAGER, None),
                                   ("officer", Role.PATROL_OFFICER, None),
                                   ("auditor", Role.CITIZEN_AUDITOR, None)):
        here.users[name] = make_user(role, username=name, department=department)[0]
    officer = here.users["officer"]
    officer.device = devices.register(officer, {"client_uid": f"phone-{uuid.uuid4()}"})
    db.session.commit()
    for days_ago, metres in ((20, 0), (12, 200), (0, 400)):
        here.findings.append(_observe(world, officer, offset(SPOT, metres), days_ago))
    db.session.commit()
    return here


@pytest.fixture
def live_server(ctx, district):
    """The app served on a loopback port in a thread, over the test database; its base URL."""
    server = make_server("127.0.0.1", 0, ctx, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    db.session.remove()


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian chromium; the tests are skipped loudly when it cannot start."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="SKIPPED: playwright is not installed")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"SKIPPED: no browser at {CHROMIUM} (scripts/test installs chromium)")
    manager = sync_api.sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:  # noqa: BLE001 - any launch failure means no browser tests
        manager.stop()
        pytest.skip(f"SKIPPED: chromium could not start: {error}")
    yield browser
    browser.close()
    manager.stop()


@pytest.fixture
def browser_page(chromium):
    """Make a fresh browser context (own cookies) and page at a width; closed afterwards."""
    contexts = []

    def factory(width: int = 360):
        context = chromium.new_context(viewport={"width": width, "height": 800},
                                       locale="ko-KR", timezone_id="Asia/Seoul")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        return page
    yield factory
    for context in contexts:
        context.close()
