"""The kinds a phone pulls, each a function: a window of the change stream -> its entries.

An entry is (seq, kind, op, id, record): op "upsert" with the record, or "delete" with None.
Each source returns at most `window.limit` rows' entries, oldest first.
"""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import Area, Category, Observation, ObservationPhoto, Site
from patrol_api.reference.kinds import KINDS
from sync import jsonsql, pulled_campaigns, pulled_findings
from sync.window import Window, upsert_or_delete

REFERENCE_KINDS = ("departments", "areas", "categories", "facility-types", "sites")


def reference(name: str):
    """A reference kind as a source (every user holds all of it)."""
    kind = KINDS[name]
    dump = kind.schema().dump

    def source(window: Window) -> list:
        model = kind.model
        rows = db.session.execute(sa.select(model).where(*window.of(model.change_seq))
                                  .order_by(model.change_seq).limit(window.limit)).scalars()
        return [upsert_or_delete(r.change_seq, name, r.id, None if r.deleted_at else dump(r),
                                 r.deleted_at is not None) for r in rows]
    return source


_OBS = Observation.__table__
_PHOTO = ObservationPhoto.__table__
_CATEGORY, _SITE, _AREA = (Category.__table__.alias("c"), Site.__table__.alias("s"),
                           Area.__table__.alias("a"))
_TEXT = ("client_id", "note", "fate", "fate_reason")
_INTEGER = ("version", "change_seq", "clock_offset_ms", "photos_expected", "photos_verified",
            "finding_id")
_REAL = ("lat", "lon", "accuracy_m")
_TIMES = ("recorded_at_device", "recorded_at", "received_at", "created_at", "updated_at")
# sync.records.observation_record, key by key
_ORDER = ("client_id", "version", "change_seq", "category_code", "site_code", "area_code",
          "lat", "lon", "accuracy_m", "note", "recorded_at_device", "clock_offset_ms",
          "recorded_at", "time_flags", "received_at", "photos", "photos_expected",
          "photos_verified", "complete", "fate", "fate_reason", "finding_id", "created_at",
          "updated_at", "deleted")
_statements: dict = {}


def _observation_record_sql(d: jsonsql.Dialect):
    """observation_record rendered by the database."""
    values = {name: d.text(_OBS.c[name]) for name in _TEXT}
    values |= {name: d.integer(_OBS.c[name]) for name in _INTEGER}
    values |= {name: d.real(_OBS.c[name]) for name in _REAL}
    values |= {name: d.time(_OBS.c[name]) for name in _TIMES}
    values |= {"category_code": d.text(_CATEGORY.c.code), "site_code": d.text(_SITE.c.code),
               "area_code": d.text(_AREA.c.code), "time_flags": d.json(_OBS.c.time_flags),
               "complete": d.boolean(_OBS.c.complete),
               "deleted": sa.literal("false", jsonsql.Text),
               "photos": d.array_of_objects(
                   {"sha256": _PHOTO.c.sha256, "role": _PHOTO.c.role}, _PHOTO.c.position,
                   _PHOTO, _PHOTO.c.observation_id == _OBS.c.id)}
    return d.object([(name, values[name]) for name in _ORDER])


def _observation_statement(dialect: str):
    """The statement rendering a window of a user's observation entries (built once)."""
    if dialect not in _statements:
        d = jsonsql.Dialect(dialect)
        head = jsonsql.concat('{"kind":"observations","seq":', d.integer(_OBS.c.change_seq),
                              ',"id":', d.text(_OBS.c.client_id))
        text = sa.case((_OBS.c.deleted_at.is_(None), jsonsql.concat(
            head, ',"op":"upsert","record":', _observation_record_sql(d), "}")),
            else_=jsonsql.concat(head, ',"op":"delete","record":null}'))
        _statements[dialect] = (
            sa.select(_OBS.c.change_seq, text)
            .select_from(_OBS.join(_CATEGORY, _CATEGORY.c.id == _OBS.c.category_id)
                         .outerjoin(_SITE, _SITE.c.id == _OBS.c.site_id)
                         .outerjoin(_AREA, _AREA.c.id == _OBS.c.area_id))
            .where(_OBS.c.change_seq > sa.bindparam("since"),
                   _OBS.c.change_seq <= sa.bindparam("upto"),
                   _OBS.c.user_id == sa.bindparam("user_id"))
            .order_by(_OBS.c.change_seq).limit(sa.bindparam("limit")))
    return _statements[dialect]


def observations(window: Window) -> list:
    """The user's own observations, with their current fate, as JSON the database wrote."""
    stmt = _observation_statement(window.dialect)
    return db.session.execute(stmt, {"since": window.since, "upto": window.upto,
                                     "user_id": window.scope.user_id,
                                     "limit": window.limit}).all()


SOURCES = [observations, pulled_findings.findings, pulled_findings.exits,
           *(reference(name) for name in REFERENCE_KINDS), pulled_campaigns.campaigns,
           pulled_campaigns.templates]
