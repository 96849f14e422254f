"""The web console for department staff (issue 15): server-rendered Korean pages at /console/.

The pages use the same domain services as the API (one domain, several edges) and a cookie
session (patrol_api.console.session) instead of bearer tokens. CSRF tokens (Flask-WTF) are
checked on every state-changing request of this blueprint only; the API keeps its bearer
tokens and never reads the cookie. Errors of console pages render a Korean HTML page instead
of the API's JSON error body.
"""
from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from patrol_api.console import messages, rankings, views  # noqa: F401 - rankings adds pages
from patrol_api.errors import ApiError

csrf = CSRFProtect()

TITLES = {401: "로그인이 필요합니다", 403: "볼 수 없는 페이지입니다", 404: "찾는 페이지가 없습니다",
          405: "허용되지 않는 요청입니다", 413: "파일이 너무 큽니다", 429: "요청이 너무 많습니다",
          500: "일시적인 오류가 발생했습니다"}
HINTS = {403: "이 페이지를 볼 권한이 없습니다. 민원 처리 화면은 처리부서 담당자와 감사담당관, 월별 "
              "평가는 감사담당관만 볼 수 있습니다. 필요한 권한은 관리자에게 요청하세요.",
         404: "주소를 확인하거나 받은 편지함에서 다시 찾아 주세요.",
         429: "잠시 후 다시 시도하세요.",
         500: "잠시 후 다시 시도하세요. 계속되면 관리자에게 알려 주세요."}


def init_app(app: Flask) -> None:
    """Register the console, its session cookie settings and its CSRF check."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked in the console only
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    app.config.update(SESSION_COOKIE_NAME="patrol_console", SESSION_COOKIE_PATH="/console",
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=bool(app.config.get("CONSOLE_SECURE_COOKIES")))
    csrf.init_app(app)
    app.register_blueprint(views.bp)


def _check_csrf() -> None:
    # Flask-WTF caches the form token in g, and an app context may outlive one request
    # (tests): each request derives it from its own session
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def page(status: int, message: str | None = None):
    """The Korean error page."""
    return render_template("console/error.html", status=status,
                           title=TITLES.get(status, "요청을 처리하지 못했습니다"),
                           message=message or HINTS.get(status, ""),
                           **views.template_globals()), status


def _api_error(error: ApiError):
    return page(error.status, messages.korean(error) if error.status != 403 else None)


def _csrf_error(_error):
    return page(400, messages.MESSAGES["csrf"])


def _http_error(error: HTTPException):
    return page(error.code or 500)


def _unexpected(error: Exception):
    views.log.exception("console page failed", exc_info=error)
    return page(500)


views.bp.before_request(_check_csrf)
views.bp.context_processor(views.template_globals)
views.bp.register_error_handler(ApiError, _api_error)
views.bp.register_error_handler(CSRFError, _csrf_error)
views.bp.register_error_handler(HTTPException, _http_error)
views.bp.register_error_handler(Exception, _unexpected)
