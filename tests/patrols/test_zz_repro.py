from datetime import date
from patrol_api.extensions import db
from patrol_api.patrols import warranty, schedules
from tests.patrols.conftest import District

def test_repro(ctx):
    d = District()
    s = d.site("w1", warranty_end=date(2027,1,1))
    db.session.commit()
    print(warranty.plan_job(), warranty.follow_job(), warranty.warn_job(), schedules.tick_job())
    s.warranty_end = date(1,1,1)
    db.session.commit()
    print(warranty.plan_job(), warranty.follow_job(), warranty.warn_job(), schedules.tick_job())
