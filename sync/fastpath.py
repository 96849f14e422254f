"""The push fast path: a run of plain observation creates stored with a few bulk statements.

A run is consecutive (in seq order) creates of new entities whose data validates and whose
references resolve. Their observations, photo rows and ledger rows are inserted with Core
executemany in ONE savepoint with ONE change-counter allocation, in the same transaction as
the rest of the push. The results are exactly what the per-item path would give. If the
savepoint fails (an unexpected database error), it is rolled back and the caller sends the
run through the per-item path, so one bad item still never blocks the rest.
"""
import sqlalchemy as sa

from patrol_api import changefeed
from patrol_api.findings import channels
from patrol_api.models import AppliedMutation, Observation, ObservationPhoto
from patrol_api.models.base import utcnow
from patrol_api.reference.geo import AreaIndex
from sync import fastcheck, photos, pulltext, schemas
from sync.bulkinsert import BulkInsert
from sync.errors import Rejected
from sync.handlers.observations import UNITS
from sync.records import _iso as iso

CREATE = "observation.create"
_OBSERVATIONS = BulkInsert(Observation.__table__)
_LEDGER = BulkInsert(AppliedMutation.__table__)
_CREATE_SCHEMA = schemas.ObservationCreate()


class Prepared:
    """One create ready for the bulk insert: its mutation, validated data and references."""

    __slots__ = ("mutation", "data", "category", "site", "area")

    def __init__(self, mutation, data, category, site, area):
        self.mutation, self.data = mutation, data
        self.category, self.site, self.area = category, site, area


def prepare(batch, mutation):
    """A Prepared create when the mutation can take the fast path, else None."""
    if mutation.type != CREATE or mutation.problem is not None:
        return None
    if batch.ledger.stored(mutation.id) is not None or batch.ledger.seq_taken(mutation.seq):
        return None  # a replay, or a reused seq: answered per item
    if (batch.observations.get(mutation.entity_id) is not None
            or mutation.entity_id in batch.fast_entities):
        return None  # a re-create: merged per item
    data = fastcheck.create(mutation.data)
    if data is None:
        try:
            data = schemas.load(_CREATE_SCHEMA, mutation.data, "data")
        except Rejected:
            return None  # the per-item path rejects it (and records the rejection)
    category = batch.category(data["category_code"])
    site = batch.site(data["site_code"]) if data["site_code"] is not None else None
    if category is None or (data["site_code"] is not None and site is None):
        return None
    batch.fast_entities.add(mutation.entity_id)
    batch.ledger.claim(mutation.seq)
    return Prepared(mutation, data, category, site, None)


def _areas(batch, run: list[Prepared]) -> list:
    """(id, code) of each create's area: its site's, else the live area containing it."""
    found = [_site_area(item) for item in run]
    unplaced = [number for number, area in enumerate(found) if area is None]
    if unplaced:
        index = batch.__dict__.get("_area_index")
        if index is None:
            index = batch.__dict__["_area_index"] = AreaIndex(batch.session)
        located = index.containing_many([(run[number].data["lat"], run[number].data["lon"])
                                         for number in unplaced])
        for number, area in zip(unplaced, located, strict=True):
            found[number] = area
    return found


def _site_area(item: Prepared):
    """(id, code) of the area of the create's registered site, or None."""
    site_area = item.site.area if item.site is not None else None
    return (site_area.id, site_area.code) if site_area is not None else None


def store(batch, run: list[Prepared]) -> list[dict]:
    """Insert a run of creates in one savepoint; their results in run order. Raises on a
    database error (the savepoint is then rolled back)."""
    session, clock = batch.session, batch.clock
    device_id, user_id = batch.device.id, batch.user.id
    digests = sorted({p["sha256"] for item in run for p in item.data["photos"]})
    verified = photos.verified(session, digests)
    now = utcnow()
    field_versions = {unit: [1, device_id] for unit in UNITS}
    channel = channels.for_role(batch.user.role)
    rows, extras = [], []
    for item, area in zip(run, _areas(batch, run), strict=True):
        data = item.data
        listed = data["photos"]
        expected = len(listed)
        got = sum(p["sha256"] in verified for p in listed)
        complete = got == expected
        recorded = data["recorded_at"]
        rows.append({
            "client_id": item.mutation.entity_id, "user_id": user_id, "device_id": device_id,
            "category_id": item.category.id, "site_id": item.site.id if item.site else None,
            "lat": data["lat"], "lon": data["lon"], "accuracy_m": data["accuracy_m"],
            "area_id": area[0] if area else None, "note": data["note"], "channel": channel,
            "recorded_at_device": recorded, "clock_offset_ms": clock.offset_ms,
            "recorded_at": clock.correct(recorded), "time_flags": clock.flags(recorded),
            "received_at": clock.server_time, "photos_expected": expected,
            "photos_verified": got, "complete": complete,
            "fate": "received" if complete else "awaiting_photos", "fate_reason": None,
            "finding_id": None, "field_versions": field_versions, "version": 1,
            "created_at": now, "updated_at": now, "deleted_at": None})
        extras.append(area[1] if area else None)
    session.flush()  # pending ORM rows (clock sample, sync state) go first
    with session.begin_nested():
        first = changefeed.allocate(session, len(rows))
        results = []
        for offset, (row, item, area_code) in enumerate(zip(rows, run, extras, strict=True)):
            row["change_seq"] = first + offset
            result = _result(row, item, area_code)
            row["pull_json"] = pulltext.upsert_text(result["record"])
            results.append(result)
        table = Observation.__table__
        _OBSERVATIONS.run(session.connection(), rows)
        # change_seq is unique and follows run order: one select maps rows to their ids
        # (RETURNING with parameter order falls back to one INSERT per row on SQLite)
        ids = session.execute(sa.select(table.c.id).where(
            table.c.change_seq.between(first, first + len(rows) - 1))
            .order_by(table.c.change_seq)).scalars().all()
        photo_rows = [{"observation_id": obs_id, "sha256": p["sha256"], "role": p["role"],
                       "position": position}
                      for obs_id, item in zip(ids, run, strict=True)
                      for position, p in enumerate(item.data["photos"])]
        if photo_rows:
            session.execute(sa.insert(ObservationPhoto.__table__), photo_rows)
        _LEDGER.run(session.connection(), [
            {"device_id": device_id, "mutation_id": item.mutation.id,
             "device_seq": item.mutation.seq, "type": item.mutation.type[:40],
             "entity_id": item.mutation.entity_id, "status": "applied",
             "result": {key: value for key, value in result.items() if key != "record"},
             "applied_at": now}
            for item, result in zip(run, results, strict=True)])
    batch.created_ids.extend(ids)
    for item in run:  # a later item naming it loads the stored row
        batch.observations.pop(item.mutation.entity_id, None)
    return results


def _result(row: dict, item: Prepared, area_code) -> dict:
    """The item result, with the record exactly as observation_record would give it."""
    record = {
        "client_id": row["client_id"], "version": 1, "change_seq": row["change_seq"],
        "category_code": item.category.code,
        "site_code": item.site.code if item.site is not None else None,
        "area_code": area_code, "lat": row["lat"], "lon": row["lon"],
        "accuracy_m": row["accuracy_m"], "note": row["note"],
        "recorded_at_device": iso(row["recorded_at_device"]),
        "clock_offset_ms": row["clock_offset_ms"], "recorded_at": iso(row["recorded_at"]),
        "time_flags": list(row["time_flags"]), "received_at": iso(row["received_at"]),
        "photos": [{"sha256": p["sha256"], "role": p["role"]} for p in item.data["photos"]],
        "photos_expected": row["photos_expected"], "photos_verified": row["photos_verified"],
        "complete": row["complete"], "fate": row["fate"], "fate_reason": None,
        "finding_id": None, "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]), "deleted": False,
    }
    return {"status": "applied", "entity_id": row["client_id"], "version": 1,
            "record": record}
