"""The console's pages: sign-in, the department inbox, a finding and its actions.

Every view is PUBLIC for the bearer-token gate (patrol_api.auth.access) and checks the
console session itself (`session.require`). State changes go through the same domain services
as the API (patrol_api.findings.actions / comments, patrol_api.auth.signin).
"""
import hashlib
import logging
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from media.errors import MediaError
from patrol_api.auth import signin
from patrol_api.auth.access import PUBLIC, allow
from patrol_api.auth.roles import ROLE_LABELS, Role
from patrol_api.console import labels, messages
from patrol_api.console import session as console_session
from patrol_api.console.session import STAFF, require
from patrol_api.errors import ApiError
from patrol_api.extensions import db, limiter
from patrol_api.findings import actions, comments, inbox, visibility
from patrol_api.findings import lifecycle as lc
from patrol_api.http.media_types import accepts
from patrol_api.models import Area, Category, Department, Finding
from patrol_api.models.base import utcnow
from patrol_api.photos import catalog, serving
from patrol_api.photos.errors import refused
from patrol_api.photos.ingest import ingest
from patrol_api.preconditions import NONE, Precondition

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGE_SIZE = 100
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
VIEWS = {"all": "전체", "overdue": "기한 경과", "today": "오늘 마감", "week": "이번 주 마감"}
FORM_ACTIONS = ("acknowledge", "start", "hold", "resume", "resolve", "transfer")

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")


@bp.get("/static/<path:filename>")
@allow(PUBLIC)
def static(filename: str):
    """The console's own CSS and script (shipped with the project)."""
    response = send_from_directory(STATIC_DIR, filename, max_age=3600)
    response.cache_control.public = True
    return response


@bp.get("/")
@allow(PUBLIC)
@require()
def home():
    """Staff start at their inbox; other roles have no console page yet."""
    if Role(console_session.current().role) in STAFF:
        return redirect(url_for("console.inbox_page"))
    raise ApiError(403, "forbidden", "No console page for this role yet.")


def _login_key() -> str:
    return signin.key(request.form.get("username"))


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@accepts(*FORMS)
@limiter.shared_limit(signin.limit, signin.SCOPE, key_func=_login_key,
                      deduct_when=signin.failed, exempt_when=lambda: request.method == "GET")
def login():
    """The sign-in form; the same password check and throttle as POST /api/v1/auth/login."""
    error, status = None, 200
    if request.method == "POST":
        try:
            user = signin.check_credentials(request.form.get("username", "")[:80],
                                            request.form.get("password", "")[:200])
        except ApiError as refusal:
            error, status = messages.korean(refusal), 401
        else:
            console_session.start(user)
            db.session.commit()
            target = request.args.get("next", "")
            if not target.startswith("/console/") or target.startswith("//"):
                target = url_for("console.home")
            return redirect(target)
    return render_template("console/login.html", error=error), status


@bp.post("/logout")
@allow(PUBLIC)
@accepts(*FORMS)
def logout():
    """Sign out: the session's token is revoked."""
    console_session.end()
    db.session.commit()
    flash("로그아웃했습니다.")
    return redirect(url_for("console.login"))


def _window(view: str, now: datetime) -> dict:
    """The due-date bounds of an inbox view, in Korean days."""
    today = now.astimezone(labels.SEOUL).replace(hour=0, minute=0, second=0, microsecond=0)
    if view == "overdue":
        return {"due_before": now}
    if view == "today":
        return {"due_after": now, "due_before": today + timedelta(days=1)}
    if view == "week":
        return {"due_after": now, "due_before": today + timedelta(days=7 - today.weekday())}
    return {}


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        stmt.order_by(None).subquery()))


def _by_code(model, code: str | None):
    if not code:
        return None
    return db.session.execute(sa.select(model).where(model.code == code)).scalar()


@bp.get("/inbox")
@allow(PUBLIC)
@require(*STAFF)
def inbox_page():
    """The department's open findings by due date, with the views' counts (the API's
    GET /findings?open=true&sort=due query; resolved findings wait for a check, not for the
    department, and leave the inbox)."""
    user = console_session.current().user
    view = request.args.get("view", "all")
    view = view if view in VIEWS else "all"
    category = _by_code(Category, request.args.get("category"))
    area = _by_code(Area, request.args.get("dong"))
    base = {"open": True, "states": lc.OPEN_STATES, "sort": "due",
            "category_id": category and category.id, "area_id": area and area.id}
    now = utcnow()
    counts = {name: _count(inbox.select_findings(user, {**base, **_window(name, now)}))
              for name in VIEWS}
    rows = db.session.execute(inbox.select_findings(user, {**base, **_window(view, now)})
                              .limit(PAGE_SIZE)).scalars().all()
    return render_template(
        "console/inbox.html", rows=rows, counts=counts, view=view, views=VIEWS, now=now,
        categories=db.session.execute(sa.select(Category).where(Category.deleted_at.is_(None))
                                      .order_by(Category.code)).scalars().all(),
        areas=db.session.execute(sa.select(Area).where(Area.deleted_at.is_(None))
                                 .order_by(Area.code)).scalars().all(),
        category=category, area=area, page_size=PAGE_SIZE)


def _allowed(finding: Finding, role: str) -> list[str]:
    """The form actions this role may take on the finding in its state now."""
    allowed = []
    for name in FORM_ACTIONS:
        try:
            lc.check(name, finding.state, role)
        except ApiError:
            continue
        allowed.append(name)
    return allowed


def _finding_page(finding_id: int, error: str | None = None, status: int = 200):
    user = console_session.current().user
    finding = visibility.get(user, finding_id)
    departments = db.session.execute(sa.select(Department).where(
        Department.deleted_at.is_(None), Department.id != finding.department_id)
        .order_by(Department.name_ko)).scalars().all()
    return render_template(
        "console/finding.html", finding=finding, events=inbox.events(user, finding),
        observations=inbox.observations(user, finding), error=error,
        allowed=_allowed(finding, user.role), departments=departments,
        may_comment=Role(user.role) in STAFF, now=utcnow()), status


@bp.get("/findings/<int:finding_id>")
@allow(PUBLIC)
@require(*STAFF)
def finding_page(finding_id: int):
    """One finding: facts, map, photos, due date and why, timeline, allowed actions."""
    return _finding_page(finding_id)


def _version() -> Precondition:
    """The form's version as the action's precondition (a stale page gets the conflict message)."""
    value = request.form.get("version", "")
    if not value.isdigit() or len(value) > 18:
        return NONE
    return Precondition(frozenset({int(value)}), lambda finding: {}, "version")


def _evidence(user) -> dict | None:
    """The uploaded "after" photo, verified and stored like any upload; its evidence entry."""
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return None
    with tempfile.TemporaryDirectory(prefix="patrol-console-") as folder:
        path = Path(folder) / "photo"
        upload.save(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            sha256, _created = ingest(path, digest, user.id, None)
        except MediaError as error:
            raise refused(error) from error
    return {"sha256": sha256, "lat": None, "lon": None, "role": "after"}


@bp.post("/findings/<int:finding_id>/actions/<name>")
@allow(PUBLIC)
@accepts(*FORMS)
@require(*STAFF)
def act(finding_id: int, name: str):
    """Take a lifecycle action from its form (the version in the form guards against a stale
    page: another clerk's change first gets the Korean conflict message)."""
    if name not in FORM_ACTIONS:
        abort(404)
    user = console_session.current().user
    payload = {"reason": request.form.get("reason") or None,
               "note": (request.form.get("note") or "").strip()[:4000] or None,
               "department_code": request.form.get("department_code") or None}

    def perform():
        if name == "resolve":
            payload["evidence"] = _evidence(user)
        actions.perform(user, finding_id, name, payload, _version())
    return _commit_or_explain(finding_id, perform, f"{labels.ACTIONS[name]} 처리했습니다.")


@bp.post("/findings/<int:finding_id>/comments")
@allow(PUBLIC)
@accepts(*FORMS)
@require(*STAFF)
def comment(finding_id: int):
    """Leave an internal comment."""
    note = (request.form.get("note") or "").strip()[:4000]
    if not note:
        return _finding_page(finding_id, "의견 내용을 입력하세요.", 422)
    user = console_session.current().user
    return _commit_or_explain(finding_id, lambda: comments.comment(user, finding_id, note, []),
                              "의견을 남겼습니다.")


def _commit_or_explain(finding_id: int, change, done: str):
    """Make the change and commit, then back to the finding page with `done` flashed; a
    refusal re-renders the page with its Korean explanation (403/404: the error page)."""
    try:
        change()
        db.session.commit()
    except ApiError as error:
        db.session.rollback()
        if error.status in (403, 404):  # not theirs (any more): the error page says so
            raise
        return _finding_page(finding_id, messages.korean(error), error.status)
    flash(done)
    return redirect(url_for("console.finding_page", finding_id=finding_id))


@bp.get("/photos/<sha256>/<kind>")
@allow(PUBLIC)
@require(*STAFF)
def photo(sha256: str, kind: str):
    """A photo's thumbnail or screen-size copy, as the API serves it to this user."""
    if kind not in ("thumb", "screen"):
        abort(404)
    stored = catalog.derivative(console_session.current().user, sha256, kind)
    return serving.send(stored, request, ranges=False)


def template_globals() -> dict:
    """Names every console template may use."""
    return {"labels": labels, "principal": console_session.current, "role_labels": ROLE_LABELS,
            "lc": lc}
