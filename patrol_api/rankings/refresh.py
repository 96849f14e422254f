"""Keep the stint facts in step with the finding events, incrementally.

Findings whose change sequence passed the watermark (a named row of sequence_counter) are
re-cut into stints. The change sequence follows commit order, so no committed change is
skipped; the watermark row is locked while refreshing, so two refreshes never interleave.

The refresh is a write, so it runs as a job, never inside a read: every transaction that
changes a finding enqueues one when it commits. Readers only check whether the facts are
behind (`request_if_stale`), which asks for a refresh when a change slipped past that path.
"""
import threading
from itertools import chain, groupby

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from patrol_api import changefeed, jobs
from patrol_api.extensions import db
from patrol_api.findings import aftercommit, deadlines
from patrol_api.models import Finding, FindingEvent, RankingFact, SequenceCounter
from patrol_api.rankings import facts, settings

# Renamed whenever the cut of events into stints changes (2: withdrawals and managers'
# rejections end stints; 3: the ranking's own deadline per cycle, accountability, approved
# holds, recurrences; 4: a manager's or an admin's transfer ends as `manager_transfer`): the
# new row starts at 0, so the next refresh re-cuts every finding.
WATERMARK = "ranking_facts_4"
BATCH = 500
_lock = threading.Lock()


def refresh() -> int:
    """Re-cut the stints of every finding changed since the last refresh; how many findings."""
    mark = changefeed.allocate(db.session, 0, WATERMARK) - 1  # locks the watermark row
    changed = db.session.execute(sa.select(Finding.id, Finding.change_seq).where(
        Finding.change_seq > mark).order_by(Finding.change_seq)).all()
    for start in range(0, len(changed), BATCH):
        rebuild([row.id for row in changed[start:start + BATCH]])
    if changed:
        refresh_marker(changed[-1].change_seq)
    return len(changed)


def refresh_job() -> int:
    """Job: refresh the facts and commit; how many findings were re-cut."""
    _requested().clear()  # from now on a reader finding the facts behind asks again
    changed = refresh()
    db.session.commit()
    return changed


def stale() -> bool:
    """Whether a committed finding change is not yet in the facts (reads only)."""
    mark = changefeed.current(db.session, WATERMARK)
    newest = db.session.execute(sa.select(sa.func.max(Finding.change_seq))).scalar() or 0
    return newest > mark


def request_if_stale() -> None:
    """For readers: when the facts are behind, have them refreshed without writing here.

    With a job runner (rq, or the embedded server's job thread) the refresh is queued and
    this read answers from the facts as they are. Without one (tests, CLI: jobs run inline
    by design, nothing runs concurrently) it refreshes now, as every inline job does.
    """
    if not stale():
        return
    requested = _requested()
    if jobs.queue() is None and requested.is_set():
        return  # the job thread has one queued already: readers do not pile up more
    requested.set()
    jobs.enqueue(refresh_job)


def _requested() -> threading.Event:
    """Set while a refresh asked for by a reader waits on this process's job thread."""
    with _lock:
        return current_app.extensions.setdefault("rankings_refresh_requested",
                                                 threading.Event())


@event.listens_for(Session, "before_flush")
def _refresh_after_commit(session: Session, _flush_context, _instances) -> None:
    """A transaction that changes a finding refreshes the facts once it has committed."""
    if not has_app_context() or session is not db.session():
        return  # a session of its own (scripts, benchmarks) refreshes when it wants
    if any(isinstance(obj, Finding) for obj in chain(session.new, session.dirty)):
        aftercommit.enqueue(refresh_job)


def refresh_marker(value: int) -> None:
    """Move the watermark to `value` (creating it when missing)."""
    changefeed.allocate(db.session, 0, WATERMARK)
    table = SequenceCounter.__table__
    db.session.execute(sa.update(table).where(table.c.name == WATERMARK).values(value=value))


def rebuild(finding_ids: list[int]) -> None:
    """Replace the stint facts of these findings (and of the findings they recur)."""
    originals = db.session.execute(sa.select(Finding.recurrence_of_id).where(
        Finding.id.in_(finding_ids), Finding.recurrence_of_id.is_not(None))).scalars()
    finding_ids = sorted(set(finding_ids) | set(originals))
    db.session.execute(sa.delete(RankingFact).where(RankingFact.finding_id.in_(finding_ids)))
    events = db.session.execute(sa.select(FindingEvent).where(
        FindingEvent.finding_id.in_(finding_ids)).order_by(
        FindingEvent.finding_id, FindingEvent.seq)).scalars().all()
    findings = {f.id: f for f in db.session.execute(
        sa.select(Finding).where(Finding.id.in_(finding_ids))).scalars()}
    recurred: dict[int, list] = {}
    for row in db.session.execute(sa.select(Finding.recurrence_of_id, Finding.first_seen_at)
                                  .where(Finding.recurrence_of_id.in_(finding_ids))):
        recurred.setdefault(row.recurrence_of_id, []).append(row.first_seen_at)
    rows = []
    for finding_id, mine in groupby(events, key=lambda event: event.finding_id):
        rows += fact_rows(findings[finding_id], list(mine), recurred.get(finding_id))
    if rows:
        db.session.execute(sa.insert(RankingFact), rows)


def fact_rows(finding: Finding, events, recurred: list | None = None) -> list[dict]:
    """The fact rows of one finding; `recurred`: first-seen times of its recurrences."""
    cal = deadlines.calendar()
    ack_hours, resolve_days = deadlines.targets(finding.category, finding.priority)
    common = {"finding_id": finding.id, "category_id": finding.category_id,
              "area_id": finding.area_id, "expected_ack_s": round(ack_hours * 3600),
              "expected_resolve_s": resolve_days * workday_seconds(cal)}
    allowance = settings.get("RANKING_HOLD_ALLOWANCE_HOURS") * 3600
    cut = facts.stints(events, cal, resolve_days, allowance, recurred)
    return [{**common, **stint, "stint": n} for n, stint in enumerate(cut, start=1)]


def workday_seconds(cal) -> int:
    """Working seconds in one business day (8 h by default)."""
    return sum((end.hour * 3600 + end.minute * 60) - (start.hour * 3600 + start.minute * 60)
               for start, end in cal.periods)
