"""Push: apply a device's batch of mutations, each exactly once, each in its own savepoint.

The whole push is one transaction: every write and the ledger row recording it commit
together or not at all, so a crash anywhere before the commit leaves nothing to undo and a
retry applies the batch once. Mutations run in seq order; results come in request order.
"""
import logging
from datetime import datetime

from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from patrol_api import changefeed, database
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import intake
from patrol_api.models import Category, Device, Site, User
from patrol_api.models.base import utcnow
from sync import clock as clocks
from sync import fastpath, mutations, settings
from sync.batch import Batch
from sync.errors import Deferred, Rejected
from sync.handlers import HANDLERS, current_record
from sync.ledger import Ledger

log = logging.getLogger(__name__)
WITH_RECORD = ("applied", "conflict", "unchanged")  # the results that carry the entity


def push(user: User, device: Device, device_time: datetime, raw_mutations: list) -> dict:
    """Apply a batch from a device; per-item results, the device's marks and its clock offset.

    The caller commits.
    """
    received_at = utcnow()
    _check_size(raw_mutations)
    _check_device(user, device)
    session = db.session
    changefeed.allocate(session, 0)  # queue behind other writers: what we read stays true
    clock = clocks.reading(device, device_time, received_at)
    clocks.record(session, device, clock)
    items = mutations.parse_all(raw_mutations, HANDLERS)
    batch = _batch(user, device, clock, items)
    results = [None] * len(items)
    run = []
    for item in sorted(items, key=lambda m: (m.seq or 0, m.index)):
        prepared = fastpath.prepare(batch, item) if item.recordable else None
        if prepared is not None:
            batch.ledger.saw(item.seq)
            run.append(prepared)
            continue
        _store_run(batch, run, results)
        run = []
        results[item.index] = _process(batch, item)
    _store_run(batch, run, results)
    _take_in(batch.new_observation_ids())
    return {"results": results, **batch.ledger.close(),
            "server_time": received_at.isoformat(), "clock_offset_ms": clock.offset_ms}


def _store_run(batch: Batch, run: list, results: list) -> None:
    """Store a run of plain creates in bulk; on a database error, item by item instead."""
    if not run:
        return
    try:
        stored = fastpath.store(batch, run)
    except SQLAlchemyError as error:
        if database.transient_failure(error):
            raise  # the connection or the lock is lost: the whole push answers 503, retried
        log.exception("bulk store of %d creates of device %s failed; storing them one by "
                      "one", len(run), batch.device.id)
        for prepared in run:
            results[prepared.mutation.index] = _apply(batch, prepared.mutation)
        batch.ledger.release_claims()  # what was recorded holds its seq now
        return
    for prepared, result in zip(run, stored, strict=True):
        batch.ledger.remember(prepared.mutation, _ledger_form(result))
        results[prepared.mutation.index] = _item(prepared.mutation, result)
    batch.ledger.release_claims()


def _take_in(observation_ids: list[int]) -> None:
    """After the commit, the findings engine takes in the observations this push created."""
    if observation_ids:
        intake.schedule_many(observation_ids)


def _check_size(raw_mutations: list) -> None:
    """422 batch_too_large past the configured number of mutations."""
    limit = settings.get("SYNC_MAX_MUTATIONS")
    if len(raw_mutations) > limit:
        raise ApiError(422, "batch_too_large", f"At most {limit} mutations per push; this one "
                       f"has {len(raw_mutations)}. Send the rest in the next push.",
                       "mutations", max_mutations=limit)


def _check_device(user: User, device: Device) -> None:
    """A device pushes only as its own user."""
    if device.user_id != user.id:
        raise ApiError(403, "device_mismatch", "This device belongs to another user.")


def _batch(user: User, device: Device, clock, items: list) -> Batch:
    """The push state, with the ledger and the named observations loaded in bulk."""
    session = db.session
    ledger = Ledger(session, device.id, [m.id for m in items if m.recordable])
    batch = Batch(session, user, device, clock, ledger)
    batch.prefetch(sorted({m.entity_id for m in items if m.entity_id and not m.problem}))
    named = [m.data for m in items if m.problem is None and isinstance(m.data, dict)]
    batch.prefetch_references(Category, (data.get("category_code") for data in named))
    batch.prefetch_references(Site, (data.get("site_code") for data in named))
    return batch


def _process(batch: Batch, mutation) -> dict:
    """The result of one mutation: replayed from the ledger, applied, or refused."""
    if not mutation.recordable:
        return _item(mutation, _rejection(mutation, mutation.problem))
    batch.ledger.saw(mutation.seq)
    stored = batch.ledger.stored(mutation.id)
    if stored is not None:
        return _item(mutation, _replay(batch, mutation, stored))
    if batch.ledger.seq_taken(mutation.seq):
        return _item(mutation, _rejection(mutation, Rejected(
            "seq_reused", f"seq {mutation.seq} already numbers another mutation of this "
            "device. Number each new mutation with the next seq and never restart the "
            "counter (not at sign-in either).", "seq")))
    return _apply(batch, mutation)


def _replay(batch: Batch, mutation, stored: dict) -> dict:
    """already_applied: the result the mutation got first, and its entity as it is now."""
    original = stored
    if original.get("status") == "already_applied":  # ledger rows written before 2026-12
        original = {**original, "status": "unchanged"}
    result = {"status": "already_applied", "entity_id": original.get("entity_id"),
              "original": original}
    if original.get("status") in WITH_RECORD:
        record = current_record(batch, mutation.type, original.get("entity_id"))
        if record is not None:
            result.update(version=record["version"], record=record)
    return result


def _apply(batch: Batch, mutation) -> dict:
    """Run a new mutation in a savepoint and record its result in the same transaction."""
    try:
        result = _run(batch, mutation)
    except Deferred as deferred:
        batch.forget(mutation.entity_id)
        return _item(mutation, {**_rejection(mutation, deferred), "status": "deferred"})
    except Rejected as rejected:
        batch.forget(mutation.entity_id)
        result = _record_rejection(batch, mutation, rejected)
    except (IntegrityError, DataError):
        log.exception("mutation %s of device %s failed to store", mutation.id, batch.device.id)
        batch.forget(mutation.entity_id)
        return _item(mutation, _rejection(mutation, Rejected(
            "storage_error", "The server could not store this mutation; send it again.")))
    batch.ledger.remember(mutation, _ledger_form(result))
    return _item(mutation, result)


def _run(batch: Batch, mutation) -> dict:
    """Apply a valid mutation and write its ledger row, inside one savepoint."""
    if mutation.problem is not None:
        raise mutation.problem
    with batch.session.begin_nested():
        result = HANDLERS[mutation.type](batch, mutation)
        batch.ledger.add(mutation, _ledger_form(result))
    return result


def _record_rejection(batch: Batch, mutation, rejected: Rejected) -> dict:
    """Record a final rejection, so that a replay gets the same answer."""
    result = _rejection(mutation, rejected)
    with batch.session.begin_nested():
        batch.ledger.add(mutation, result)
    return result


def _rejection(mutation, rejected: Rejected) -> dict:
    """A rejected result."""
    return {"status": "rejected", "entity_id": mutation.entity_id,
            "error": rejected.as_error()}


def _ledger_form(result: dict) -> dict:
    """What the ledger keeps of a result: everything but the full record."""
    return {key: value for key, value in result.items() if key != "record"}


def _item(mutation, result: dict) -> dict:
    """A result with the mutation's id and seq first."""
    return {"id": mutation.id, "seq": mutation.seq, **result}
