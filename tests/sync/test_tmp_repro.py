import logging
from tests.sync.syncapi import INSIDE
from patrol_api.models import Observation
from patrol_api.extensions import db
import sqlalchemy as sa

def test_repro(phone, caplog):
    good = phone.create()
    bad = phone.create(recorded_at="9999-12-31T23:59:59+14:00")
    good2 = phone.create()
    answer = phone.pushed([good, bad, good2])
    print([r["status"] for r in answer["results"]])
    print(caplog.text[-3000:])
    db.session.expire_all()
    print(db.session.execute(sa.select(Observation.fate, Observation.recorded_at, Observation.finding_id)).all())
