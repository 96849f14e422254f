"""Warranty programme: warnings three months ahead, once; semi-annual inspections."""
from datetime import date, timedelta

import pytest

from patrol_api.extensions import db
from patrol_api.findings import notify
from patrol_api.models import Notification
from patrol_api.models.patrols import ScheduleOccurrence, WarrantyNotice
from patrol_api.patrols import schedules, warranty

TODAY = date(2026, 7, 1)


@pytest.fixture
def sites(district):
    made = {"soon": district.site("w1", warranty_end=date(2026, 9, 15), contractor="한강건설"),
            "later": district.site("w2", warranty_end=date(2027, 3, 1)),
            "past": district.site("w3", warranty_end=date(2026, 6, 1)),
            "none": district.site("w4")}
    db.session.commit()
    return made


def test_departments_are_warned_once_ahead_of_the_end(sites):
    assert [s.code for s in warranty.expiring(TODAY)] == ["w1"]
    assert warranty.warn(TODAY) == 1
    assert warranty.warn(TODAY) == 0
    notice = db.session.query(WarrantyNotice).one()
    soon = sites["soon"]
    assert (notice.site_id, notice.department_id) == (soon.id, soon.owner_department_id)


def test_warning_goes_to_the_outbox_when_the_sender_knows_the_topic(sites, monkeypatch):
    labels = ("하자보수기간 만료 예정", "Warranty ending")
    monkeypatch.setitem(notify.TOPICS, warranty.TOPIC, labels)
    warranty.warn(TODAY)
    row = db.session.query(Notification).one()
    assert (row.target, row.topic) == ("parks@example.go.kr", "warranty_expiring")
    assert row.payload["site"]["contractor"] == "한강건설"


def test_a_new_warranty_end_is_warned_again(sites):
    warranty.warn(TODAY)
    sites["soon"].warranty_end = date(2026, 9, 20)
    db.session.flush()
    assert warranty.warn(TODAY) == 1


def test_semi_annual_inspections_until_the_warranty_ends(sites):
    schedule = warranty.plan_inspections(sites["later"], TODAY)
    assert schedules.generate(schedule, schedule.dtstart) == 1  # 30 days ahead
    due = schedules.due_times(schedule, schedule.dtstart, schedule.until + timedelta(days=900))
    assert [t.date() for t in due] == [date(2026, 7, 1), date(2027, 1, 1)]
    assert db.session.query(ScheduleOccurrence).count() == 1
