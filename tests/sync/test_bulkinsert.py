"""BulkInsert stores exactly what SQLAlchemy's executemany stores, on either database."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models import AppliedMutation, Device
from sync.bulkinsert import BulkInsert

KST = timezone(timedelta(hours=9))
TABLE = AppliedMutation.__table__


def _rows(device_id: int, shared_time: datetime, shared_result: dict) -> list[dict]:
    """Ledger rows with a shared time and result object and one of their own each."""
    return [{"device_id": device_id, "mutation_id": str(uuid.uuid4()), "device_seq": seq,
             "type": "observation.create", "entity_id": None if seq == 2 else str(uuid.uuid4()),
             "status": "applied", "result": shared_result if seq < 3 else {"번호": seq},
             "applied_at": shared_time if seq < 3 else datetime(2026, 1, seq, tzinfo=KST)}
            for seq in (1, 2, 3)]


def _stored(mutation_ids: list[str]) -> list[tuple]:
    """The rows as the database holds them (raw text, not ORM values), in seq order."""
    rows = db.session.execute(sa.text(
        "SELECT device_seq, type, entity_id, status, CAST(result AS TEXT), "
        "CAST(applied_at AS TEXT) FROM applied_mutation WHERE mutation_id IN :ids "
        "ORDER BY device_seq").bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": mutation_ids}).all()
    return [tuple(row) for row in rows]


def test_rows_are_stored_as_sqlalchemy_stores_them(phone):
    device_id = db.session.execute(sa.select(Device.id)).scalars().first()
    shared_time = datetime(2026, 12, 4, 12, 30, 15, 123456, tzinfo=KST)
    shared_result = {"status": "applied", "note": "여의도 공원", "nothing": None}
    ours = _rows(device_id, shared_time, shared_result)
    theirs = [{**row, "mutation_id": str(uuid.uuid4())} for row in ours]
    BulkInsert(TABLE).run(db.session.connection(), ours)
    db.session.execute(sa.insert(TABLE), theirs)
    assert _stored([r["mutation_id"] for r in ours]) == \
        _stored([r["mutation_id"] for r in theirs])
    loaded = db.session.execute(sa.select(AppliedMutation).where(
        AppliedMutation.mutation_id == ours[0]["mutation_id"])).scalar_one()
    assert loaded.result == shared_result and loaded.applied_at == shared_time


def test_rows_missing_a_defaulted_column_are_refused(phone):
    device_id = db.session.execute(sa.select(Device.id)).scalars().first()
    row = _rows(device_id, datetime.now(KST), {})[0]
    del row["applied_at"]  # SQLAlchemy would fill it from the column default
    with pytest.raises(ValueError, match="applied_at"):
        BulkInsert(TABLE).run(db.session.connection(), [row])
