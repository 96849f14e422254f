"""The console's pages over the test client: session, CSRF, role matrix, errors, headers."""
import re

import pytest
import sqlalchemy as sa

from patrol_api.auth import tokens
from patrol_api.extensions import db
from patrol_api.models import ApiToken, Finding
from tests.console.conftest import PASSWORD

RANKINGS = ("/console/rankings", "/console/rankings/metrics.csv",
            "/console/rankings/metrics.xlsx", "/console/rankings/chart.svg")


def csrf(client, path="/console/login") -> str:
    """The CSRF token of a form page."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, username, password=PASSWORD):
    return client.post("/console/login", data={"username": username, "password": password,
                                               "csrf_token": csrf(client)})


def test_sign_in_sets_a_hardened_session_cookie(ctx, district):
    client = ctx.test_client()
    answer = sign_in(client, "clerk")
    assert answer.status_code == 302 and answer.location.endswith("/console/")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # CONSOLE_SECURE_COOKIES is off in the tests
    assert client.get("/console/inbox").status_code == 200


def test_behind_tls_the_session_cookie_is_secure(app_factory, district):
    secure = app_factory(CONSOLE_SECURE_COOKIES=True)
    answer = secure.test_client().get("/console/login")  # the form's CSRF token: a session
    assert "Secure" in answer.headers["Set-Cookie"]
    assert "HttpOnly" in answer.headers["Set-Cookie"]


def test_wrong_password_is_refused_in_korean(ctx, district):
    client = ctx.test_client()
    answer = sign_in(client, "clerk", "wrong password here")
    assert answer.status_code == 401
    assert "아이디 또는 비밀번호가 맞지 않습니다." in answer.get_data(as_text=True)
    assert client.get("/console/inbox").status_code == 302  # still signed out


def test_the_api_and_the_console_share_one_login_throttle(ctx, district):
    """LOGIN_RATE_LIMIT is 5 per minute in the tests: failures on both edges add up."""
    client = ctx.test_client()
    for _ in range(3):
        assert client.post("/api/v1/auth/login", json={
            "username": "clerk", "password": "wrong password here"}).status_code == 401
    token = csrf(client)
    for _ in range(2):
        assert client.post("/console/login", data={"username": "clerk", "password": "nope",
                                                   "csrf_token": token}).status_code == 401
    refused = client.post("/console/login", data={"username": "clerk", "password": PASSWORD,
                                                  "csrf_token": token})
    assert refused.status_code == 429
    assert "요청이 너무 많습니다" in refused.get_data(as_text=True)
    assert client.post("/api/v1/auth/login", json={
        "username": "clerk", "password": PASSWORD}).status_code == 429


def test_forms_without_the_csrf_token_are_refused(ctx, district):
    client = ctx.test_client()
    answer = client.post("/console/login", data={"username": "clerk", "password": PASSWORD})
    assert answer.status_code == 400
    assert "화면이 오래되어" in answer.get_data(as_text=True)
    sign_in(client, "clerk")
    finding = district.findings[0]
    forged = client.post(f"/console/findings/{finding.id}/actions/acknowledge",
                         data={"version": finding.version})
    assert forged.status_code == 400
    db.session.expire_all()
    assert district.findings[0].state == "assigned"


def test_logout_ends_the_session_and_revokes_its_token(ctx, district):
    client = ctx.test_client()
    sign_in(client, "clerk")
    token = csrf(client, "/console/inbox")
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/inbox").status_code == 302
    db.session.expire_all()
    newest = db.session.execute(sa.select(ApiToken).where(
        ApiToken.user_id == district.users["clerk"].id).order_by(ApiToken.id.desc())).scalar()
    assert newest.revoked_at is not None  # the console session's token


@pytest.mark.parametrize("how", ["deactivation", "password change"])
def test_deactivation_and_password_change_end_console_sessions(ctx, district, how):
    client = ctx.test_client()
    sign_in(client, "clerk")
    assert client.get("/console/inbox").status_code == 200
    clerk = district.users["clerk"]
    if how == "deactivation":
        clerk.active = False
    tokens.revoke_user_tokens(clerk)  # what PATCH /users and POST /auth/password do
    db.session.commit()
    answer = client.get("/console/inbox")
    assert answer.status_code == 302 and "/console/login" in answer.location


@pytest.mark.parametrize("who", ["officer", "auditor"])
def test_field_roles_cannot_reach_staff_pages(ctx, district, who):
    client = ctx.test_client()
    assert sign_in(client, who).status_code == 302
    finding = district.findings[0]
    for path in ("/console/", "/console/inbox", f"/console/findings/{finding.id}", *RANKINGS):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert answer.mimetype == "text/html"
        assert "볼 수 없는 페이지입니다" in answer.get_data(as_text=True)
    token = csrf(client, "/console/login")
    acted = client.post(f"/console/findings/{finding.id}/actions/acknowledge",
                        data={"version": finding.version, "csrf_token": token})
    assert acted.status_code == 403


@pytest.mark.parametrize("who", ["clerk", "manager"])
def test_staff_reach_their_pages(ctx, district, who):
    client = ctx.test_client()
    sign_in(client, who)
    assert client.get("/console/inbox").status_code == 200
    assert client.get(f"/console/findings/{district.findings[0].id}").status_code == 200


def test_department_staff_get_the_403_page_for_the_rankings(ctx, district):
    client = ctx.test_client()
    sign_in(client, "clerk")
    for path in RANKINGS:
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert answer.mimetype == "text/html"
        assert "볼 수 없는 페이지입니다" in answer.get_data(as_text=True)
    assert "월별 평가" not in client.get("/console/inbox").get_data(as_text=True)


def test_managers_reach_the_rankings_and_the_api_export_bytes(ctx, district, make_user):
    from patrol_api.auth.roles import Role
    from patrol_api.rankings import months

    month = months.current()
    client = ctx.test_client()
    sign_in(client, "manager")
    assert "/console/rankings" in client.get("/console/inbox").get_data(as_text=True)  # nav
    page = client.get(f"/console/rankings?month={month}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "본청 부서" in html and "동 주민센터" in html and "roads과" in html
    assert "기한내처리 점수요소" in html and "신뢰도 n/(n+k)" in html  # the export's labels
    _user, bearer = make_user(Role.MANAGER)
    api = ctx.test_client()
    for console, path in (("metrics.csv", "metrics.csv"), ("metrics.xlsx", "metrics.xlsx")):
        mine = client.get(f"/console/rankings/{console}?month={month}")
        theirs = api.get(f"/api/v1/rankings/{path}?from={month}&to={month}", headers=bearer)
        assert mine.status_code == theirs.status_code == 200
        assert mine.mimetype == theirs.mimetype
        if console.endswith(".csv"):
            assert mine.data == theirs.data  # the same bytes from the same export function
        assert "attachment" in mine.headers["Content-Disposition"]
    chart = client.get(f"/console/rankings/chart.svg?month={month}")
    theirs = api.get(f"/api/v1/rankings/charts/ranking-table?month={month}&format=svg",
                     headers=bearer)
    assert chart.mimetype == "image/svg+xml" and chart.data == theirs.data
    assert client.get("/console/rankings?month=2026-13").status_code == 422


def test_the_rankings_page_defaults_to_the_last_completed_seoul_month(ctx, district):
    from datetime import UTC, datetime

    from patrol_api.console import rankings

    # 2026-12-01 00:30 in Seoul is still November in UTC: the running month is December
    assert rankings.last_completed(datetime(2026, 11, 30, 15, 30, tzinfo=UTC)) == "2026-11"
    assert rankings.last_completed(datetime(2026, 1, 15, tzinfo=UTC)) == "2025-12"
    client = ctx.test_client()
    sign_in(client, "manager")
    html = client.get("/console/rankings").get_data(as_text=True)
    assert f'value="{rankings.last_completed()}" selected' in html


def test_signed_out_visitors_go_to_the_sign_in_page(ctx, district):
    answer = ctx.test_client().get("/console/inbox")
    assert answer.status_code == 302 and "/console/login?next=" in answer.location


def test_console_errors_are_korean_html_not_api_json(ctx, district):
    client = ctx.test_client()
    sign_in(client, "clerk")
    missing = client.get("/console/findings/999999")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "찾는 건이 없거나" in missing.get_data(as_text=True)
    assert client.get("/api/v1/findings/999999").mimetype == "application/json"
    unknown = client.get("/console/no-such-page")
    assert unknown.status_code == 404 and unknown.mimetype == "text/html"
    assert "찾는 페이지가 없습니다" in unknown.get_data(as_text=True)


def test_console_pages_forbid_inline_script(ctx, district):
    client = ctx.test_client()
    page = client.get("/console/login")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "form-action 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["Cache-Control"] == "no-store"
    assert "<script>" not in page.get_data(as_text=True)


def test_inbox_lists_the_department_by_due_date_with_counts(ctx, district):
    client = ctx.test_client()
    sign_in(client, "clerk")
    html = client.get("/console/inbox").get_data(as_text=True)
    refs = [f.reference for f in district.findings]
    assert [html.index(ref) for ref in refs] == sorted(html.index(ref) for ref in refs)
    overdue = client.get("/console/inbox?view=overdue").get_data(as_text=True)
    assert refs[0] in overdue and refs[1] in overdue and refs[2] not in overdue
    assert re.search(r"기한 경과 <strong>2</strong>건", overdue)
    assert re.search(r"전체 <strong>3</strong>건", overdue)
    other = client.get("/console/inbox?dong=nowhere&category=parks")
    assert other.status_code == 200


def _act(client, finding_id, name, **form):
    token = csrf(client, f"/console/findings/{finding_id}")
    db.session.rollback()
    version = db.session.get(Finding, finding_id).version
    return client.post(f"/console/findings/{finding_id}/actions/{name}",
                       data={"csrf_token": token, "version": version, **form})


def test_hold_resume_transfer_and_comment_forms(ctx, district):
    client = ctx.test_client()
    sign_in(client, "clerk")
    finding = district.findings[2]
    refused = _act(client, finding.id, "hold")
    assert refused.status_code == 422
    assert "사유를 목록에서 선택하세요." in refused.get_data(as_text=True)
    assert _act(client, finding.id, "hold", reason="budget").status_code == 302
    page = client.get(f"/console/findings/{finding.id}").get_data(as_text=True)
    assert "보류 사유" in page and "예산 확보 대기" in page
    assert _act(client, finding.id, "resume").status_code == 302
    token = csrf(client, f"/console/findings/{finding.id}")
    assert client.post(f"/console/findings/{finding.id}/comments",
                       data={"csrf_token": token, "note": "현장 확인 예정"}).status_code == 302
    assert "현장 확인 예정" in client.get(f"/console/findings/{finding.id}").get_data(
        as_text=True)
    assert _act(client, finding.id, "transfer", reason="wrong_category",
                department_code="parks").status_code == 302
    db.session.rollback()
    moved = db.session.get(Finding, finding.id)
    assert moved.department.code == "parks" and moved.transfer_count == 1
    # no longer the clerk's: the page is gone for them, and acting on it is refused
    assert client.get(f"/console/findings/{finding.id}").status_code == 404
    assert _act(client, finding.id, "start").status_code == 403


def test_a_demo_clerk_opens_the_inbox_of_the_demo_district(ctx, demo):
    """The README's demo: a department's clerk signs in with the printed password."""
    from patrol_api.demo.district import DEMO_PASSWORD

    client = ctx.test_client()
    assert sign_in(client, "staff.roads", DEMO_PASSWORD).status_code == 302
    page = client.get("/console/inbox").get_data(as_text=True)
    assert "여의동" in page and "조현우" in page
