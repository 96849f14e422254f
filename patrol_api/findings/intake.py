"""Intake: every synced observation joins an open finding, recurs a closed one, or starts one.

`process_observation` is the job the sync layer enqueues after an observation is committed;
it is idempotent (an observation already linked is skipped) and writers are serialised on the
change counter, so two workers never create two findings for one problem.

Only complete observations are taken in (guarantee 6 of docs/sync.md): one still awaiting
its photos waits, and is scheduled when its last photo verifies (sync.photos).

One observation never stops the others: each is taken in in its own transaction, and one
the intake fails on for any reason but a passing database fault is *parked* (a row in
`intake_parked` with the error) instead of failing the job; the sweep leaves parked rows
alone, admins list and retry them (`GET /api/v1/intake/parked`). A passing database fault
(connection lost, database locked) fails the job, which is retried (patrol_api.jobs).
"""
import logging

import sqlalchemy as sa

from patrol_api import jobs
from patrol_api.extensions import db
from patrol_api.findings import aftercommit, creation, journal, locks, merge, recurrence
from patrol_api.models import Finding, Observation, ParkedIntake
from patrol_api.models.base import utcnow

log = logging.getLogger(__name__)
PENDING_FATES = ("received",)  # "awaiting_photos" waits for its photos
MAX_ERROR = 1000


def schedule(observation_id: int) -> None:
    """Enqueue the intake of an observation once the current transaction commits."""
    aftercommit.enqueue(process_observation, observation_id)


def schedule_many(observation_ids: list[int]) -> None:
    """Enqueue one intake job for several observations once the transaction commits."""
    aftercommit.enqueue(process_observations, list(observation_ids))


def process_observations(observation_ids: list[int]) -> int:
    """Job: take in each observation on its own (parked ones are skipped, a failing one is
    parked); returns how many got a finding.

    One transaction per observation on purpose: on SQLite the job thread shares the single
    write lock with pushes, and a batch held in one transaction stalled them (measured: push
    77/s instead of 186/s with 100-observation batches).
    """
    parked = _parked_among(observation_ids)
    return sum(take_in_isolated(obs_id) is not None
               for obs_id in observation_ids if obs_id not in parked)


def process_observation(observation_id: int) -> int | None:
    """Job: link one observation to its finding; returns the finding id (None while the
    observation awaits photos, or is gone). Commits."""
    locks.queue_behind_writers()
    obs = db.session.get(Observation, observation_id)
    if obs is None or obs.deleted_at is not None or not (obs.finding_id or ready(obs)):
        db.session.commit()
        return None
    finding_id = obs.finding_id or take_in(obs).id
    db.session.commit()
    return finding_id


def ready(obs: Observation) -> bool:
    """True when the observation may become a finding: all its photos arrived and verified."""
    return obs.complete and obs.fate in PENDING_FATES


def take_in(obs: Observation) -> Finding:
    """Merge the observation into the matching open finding, a recurrence, or a new one."""
    at = journal.now()
    finding = merge.find_open(obs)
    if finding is not None:
        return creation.add(finding, [obs], at)
    return recurrence.take_in(obs, at) or creation.create([obs], at)


def take_in_isolated(observation_id: int) -> int | None:
    """`process_observation`, parking the observation when it fails (a passing database
    fault is raised instead: the job is retried); the finding id or None."""
    return _attempt(observation_id)[0]


def _attempt(observation_id: int) -> tuple[int | None, bool]:
    """(finding id or None, True when it failed and is parked now)."""
    try:
        return process_observation(observation_id), False
    except Exception as error:
        db.session.rollback()
        if jobs.is_transient(error):
            raise
        park(observation_id, error)
        return None, True


def park(observation_id: int, error: Exception) -> None:
    """Record (and commit) that the intake failed on an observation, with the error."""
    text = f"{type(error).__name__}: {error}"[:MAX_ERROR]
    log.error("intake of observation %s failed, parked: %s", observation_id, text,
              exc_info=error)
    row = db.session.get(ParkedIntake, observation_id)
    if row is None:
        if db.session.get(Observation, observation_id) is None:
            db.session.commit()
            return
        db.session.add(ParkedIntake(observation_id=observation_id, error=text, attempts=1))
    else:
        row.error, row.attempts, row.last_failed_at = text, row.attempts + 1, utcnow()
    db.session.commit()


def retry_parked(observation_id: int) -> int | None:
    """Take a parked observation in again: unparked unless it fails again (then it stays
    parked with one more attempt); the finding id, or None."""
    finding_id, failed = _attempt(observation_id)
    if not failed:
        db.session.execute(sa.delete(ParkedIntake).where(
            ParkedIntake.observation_id == observation_id))
        db.session.commit()
    return finding_id


def _parked_among(observation_ids: list[int]) -> set[int]:
    """Those of the ids that are parked."""
    if not observation_ids:
        return set()
    parked = set(db.session.execute(sa.select(ParkedIntake.observation_id).where(
        ParkedIntake.observation_id.in_(observation_ids))).scalars())
    db.session.commit()
    return parked


def process_pending(limit: int = 500) -> int:
    """Job (periodic sweep): take in complete observations that no finding holds yet (their
    job was lost, failed or is still to come: taking in twice is harmless) and that are not
    parked; returns how many got a finding."""
    parked = sa.select(ParkedIntake.observation_id).where(
        ParkedIntake.observation_id == Observation.id)
    ids = list(db.session.execute(sa.select(Observation.id).where(
        Observation.finding_id.is_(None), Observation.deleted_at.is_(None),
        Observation.complete.is_(True), Observation.fate.in_(PENDING_FATES),
        ~parked.exists()).order_by(Observation.id).limit(limit)).scalars())
    db.session.commit()
    return sum(take_in_isolated(obs_id) is not None for obs_id in ids)
