"""Each observation's pull entry stored as JSON text, written in the transaction of each change.

A pull then reads ready texts (`observation.pull_json`) instead of rendering every record of
every page. The push fast path writes the text of the records it builds anyway
(`upsert_text`); any other write (an ORM flush of an observation or of its photos, a changed
category, site or area code) has the database re-render the entries it touched. A row
without a stored text (written before the column existed) is rendered on the fly by the
pull. Both renderings give exactly the values of `sync.records.observation_record`.
"""
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from patrol_api.models import Area, Category, Observation, ObservationPhoto, Site
from sync import jsonsql, window

_OBS = Observation.__table__
_PHOTO = ObservationPhoto.__table__
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
# reference records whose code an observation's entry shows, by the column naming them
_CODES = {Category: _OBS.c.category_id, Site: _OBS.c.site_id, Area: _OBS.c.area_id}
_entries: dict = {}
_by_ids: dict = {}


def _code_of(model, column):
    """The code of the reference record an observation column names (or NULL)."""
    table = model.__table__
    return sa.select(table.c.code).where(table.c.id == column).scalar_subquery()


def _record(d: jsonsql.Dialect):
    """observation_record rendered by the database."""
    values = {name: d.text(_OBS.c[name]) for name in _TEXT}
    values |= {name: d.integer(_OBS.c[name]) for name in _INTEGER}
    values |= {name: d.real(_OBS.c[name]) for name in _REAL}
    values |= {name: d.time(_OBS.c[name]) for name in _TIMES}
    values |= {"category_code": d.text(_code_of(Category, _OBS.c.category_id)),
               "site_code": d.text(_code_of(Site, _OBS.c.site_id)),
               "area_code": d.text(_code_of(Area, _OBS.c.area_id)),
               "time_flags": d.json(_OBS.c.time_flags),
               "complete": d.boolean(_OBS.c.complete),
               "deleted": sa.literal("false", jsonsql.Text),
               "photos": d.array_of_objects(
                   {"sha256": _PHOTO.c.sha256, "role": _PHOTO.c.role}, _PHOTO.c.position,
                   _PHOTO, _PHOTO.c.observation_id == _OBS.c.id)}
    return d.object([(name, values[name]) for name in _ORDER])


def entry(dialect: str):
    """The SQL expression of an observation's pull entry (built once per dialect)."""
    if dialect not in _entries:
        d = jsonsql.Dialect(dialect)
        head = jsonsql.concat('{"kind":"observations","seq":', d.integer(_OBS.c.change_seq),
                              ',"id":', d.text(_OBS.c.client_id))
        _entries[dialect] = sa.case((_OBS.c.deleted_at.is_(None), jsonsql.concat(
            head, ',"op":"upsert","record":', _record(d), "}")),
            else_=jsonsql.concat(head, ',"op":"delete","record":null}'))
    return _entries[dialect]


def upsert_text(record: dict) -> str:
    """The entry of a live observation's record (an observation_record dict) as JSON text."""
    return window.entry(record["change_seq"], "observations", "upsert", record["client_id"],
                        record)[1].decode()


def stored_or_rendered(dialect: str):
    """The stored entry, or one rendered now for a row written before entries were stored;
    SQLite hands it over as UTF-8 bytes (the page is sent as bytes: no decoding and
    encoding again of megabytes per page), PostgreSQL as text."""
    text = sa.func.coalesce(_OBS.c.pull_json, entry(dialect))
    return sa.cast(text, sa.LargeBinary) if dialect == "sqlite" else text


def refresh(connection, where) -> None:
    """Re-render the stored entries of the observations matching `where`."""
    connection.execute(_update(connection.dialect.name).where(where))


def refresh_ids(connection, ids: list[int]) -> None:
    """Re-render the stored entries of these observations (a statement built once)."""
    dialect = connection.dialect.name
    if dialect not in _by_ids:
        _by_ids[dialect] = _update(dialect).where(
            _OBS.c.id.in_(sa.bindparam("ids", expanding=True)))
    connection.execute(_by_ids[dialect], {"ids": ids})


def _update(dialect: str):
    """UPDATE observation SET pull_json = its entry (to be narrowed by a WHERE)."""
    return sa.update(_OBS).values(
        pull_json=entry(dialect),
        updated_at=_OBS.c.updated_at)  # not a change of the observation: no onupdate stamp


def _touched(session: Session) -> tuple[list, list]:
    """The observations whose entries this flush changes: their ids, and WHERE clauses
    naming those that show a reference code the flush changed."""
    ids = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Observation) and obj not in session.deleted:
            ids.add(obj.id)
        elif isinstance(obj, ObservationPhoto):
            ids.add(obj.observation_id)
    clauses = []
    for obj in session.dirty:
        column = _CODES.get(type(obj))
        if column is not None and sa.inspect(obj).attrs.code.history.has_changes():
            clauses.append(column == obj.id)
    return sorted(i for i in ids if i is not None), clauses


@event.listens_for(Session, "after_flush")
def _rerender(session: Session, flush_context) -> None:
    """Re-render the entries of the observations this flush wrote, in its transaction."""
    ids, clauses = _touched(session)
    if ids:
        refresh_ids(session.connection(), ids)
    if clauses:
        refresh(session.connection(), sa.or_(*clauses))
