"""The periodic freeze: once a month is over its ranking is frozen; late data adds a version.

`tick()` looks at the previous Seoul month only. Without a snapshot it computes version 1.
With one, it recomputes only when a finding changed after the latest snapshot (and after
the last check): the findings' data version is the highest `change_seq` of any finding, on
the same change counter as the snapshots' `data_version`. A recomputation whose tables and
settings equal the latest snapshot's is not stored; a different one becomes the next version.
"""
import json
from datetime import datetime

import sqlalchemy as sa

from patrol_api import changefeed
from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Finding, SequenceCounter
from patrol_api.models.base import utcnow
from patrol_api.rankings import metrics, refresh, scoring, settings, snapshots

CHECKED = "ranking_tick"  # the findings' data version last found unchanged in effect


def previous_month(now: datetime) -> str:
    """The Seoul calendar month before the one `now` falls in."""
    local = now.astimezone(SEOUL)
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def findings_version() -> int:
    """The data version of the findings: their highest change sequence."""
    return db.session.execute(sa.select(sa.func.max(Finding.change_seq))).scalar() or 0


def _checked() -> int:
    """The data version of the last check that found nothing new (locks its row)."""
    changefeed.allocate(db.session, 0, CHECKED)
    return db.session.execute(sa.select(SequenceCounter.value).where(
        SequenceCounter.name == CHECKED)).scalar() or 0


def _mark_checked(value: int) -> None:
    """Remember that the findings at `value` gave the latest snapshot again."""
    table = SequenceCounter.__table__
    db.session.execute(sa.update(table).where(table.c.name == CHECKED).values(value=value))


def _same(snapshot, tables: dict) -> bool:
    """Whether freshly computed tables and settings equal a stored snapshot's."""
    fresh = json.loads(json.dumps({"tables": tables, "params": snapshots.params()}))
    return (fresh == {"tables": snapshot.tables, "params": snapshot.params}
            and snapshot.formula_version == settings.FORMULA_VERSION)


def tick(now: datetime | None = None) -> dict:
    """Freeze the previous month or add a version after late data; the caller commits."""
    now = now or utcnow()
    month = previous_month(now)
    refresh.refresh()  # holds the facts watermark row: two ticks never interleave
    checked = _checked()
    latest = snapshots.latest(month)
    if latest is None:
        made = snapshots.compute(month, now=now)
        return {"month": month, "status": "frozen", "version": made.version}
    version = findings_version()
    if version <= max(latest.data_version, checked):
        return {"month": month, "status": "unchanged", "version": latest.version}
    if _same(latest, scoring.tables(metrics.month_metrics(month))):
        _mark_checked(version)
        return {"month": month, "status": "unchanged", "version": latest.version}
    made = snapshots.compute(month, reason=f"late data: findings changed after version "
                             f"{latest.version} (data version {latest.data_version} → {version})",
                             now=now)
    return {"month": month, "status": "new_version", "version": made.version}


def tick_job() -> dict:
    """Job: one tick, committed."""
    result = tick()
    db.session.commit()
    return result
