"""The kinds a phone pulls, each a function: a window of the change stream -> its entries.

An entry is (seq, UTF-8 JSON of {kind, op, seq, id, record}; see sync.window): op "upsert"
with the record, or "delete" with null. Each source returns at most `window.limit` rows'
entries, oldest first.
"""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import Finding, Observation
from patrol_api.models.patrols import Campaign, ChecklistTemplate
from patrol_api.reference.kinds import KINDS
from sync import pulled_campaigns, pulled_findings, pulltext
from sync.exits import FindingExit
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
_statements: dict = {}


def _observation_statement(dialect: str):
    """The statement reading a window of a user's observation entries (built once)."""
    if dialect not in _statements:
        _statements[dialect] = (
            sa.select(_OBS.c.change_seq, pulltext.stored_or_rendered(dialect))
            .where(_OBS.c.change_seq > sa.bindparam("since"),
                   _OBS.c.change_seq <= sa.bindparam("upto"),
                   _OBS.c.user_id == sa.bindparam("user_id"))
            .order_by(_OBS.c.change_seq).limit(sa.bindparam("limit")))
    return _statements[dialect]


def observations(window: Window) -> list:
    """The user's own observations, with their current fate: the entries stored as JSON."""
    stmt = _observation_statement(window.dialect)
    rows = db.session.execute(stmt, {"since": window.since, "upto": window.upto,
                                     "user_id": window.scope.user_id,
                                     "limit": window.limit}).all()
    if window.dialect == "sqlite":
        return rows  # (seq, bytes) already
    return [(seq, text.encode()) for seq, text in rows]


# Each source with the change-sequence column of the rows its entries come from: a source
# whose column has no value in a window has nothing to say about it.
SOURCES = [(Observation.change_seq, observations), (Finding.change_seq, pulled_findings.findings),
           (FindingExit.seq, pulled_findings.exits),
           *((KINDS[name].model.change_seq, reference(name)) for name in REFERENCE_KINDS),
           (Campaign.change_seq, pulled_campaigns.campaigns),
           (ChecklistTemplate.change_seq, pulled_campaigns.templates)]


def active(window: Window) -> list:
    """The sources with changes in the window, found with one statement."""
    flags = db.session.execute(sa.select(*(
        sa.exists().where(*window.of(column)) for column, _ in SOURCES))).one()
    return [source for (_, source), present in zip(SOURCES, flags, strict=True) if present]
