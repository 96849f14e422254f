"""Helpers of the reporting tests: phones for users, routing, observations at sites."""
from datetime import date, timedelta

from patrol_api.auth import devices, tokens
from patrol_api.extensions import db
from patrol_api.models import RoutingRule
from tests.sync.syncapi import Phone, iso, now


def phone_of(client, user) -> Phone:
    """A registered phone of the user (registered a year ago), driving the sync API."""
    device = devices.register(user, {"client_uid": f"phone-{user.id}"})
    db.session.flush()
    device.registered_at -= timedelta(days=365)
    raw = tokens.issue(user, device, timedelta(days=1))
    db.session.commit()
    made = Phone(client, {"Authorization": f"Bearer {raw}"})
    made.user = user
    return made


def route_to_owner(district) -> None:
    """Findings of the district's category go to its owning department."""
    db.session.add(RoutingRule(category=district.category, owner_department=district.owner,
                               target_department=district.owner,
                               effective_from=date(2020, 1, 1)))
    db.session.commit()


def report_at(phone, site, recorded_at=None, note: str = "쉼터 출입문 파손") -> dict:
    """An observation.create of the district category at a site."""
    return phone.create(category_code="safety", site_code=site.code, lat=site.lat,
                        lon=site.lon, note=note, recorded_at=iso(recorded_at or now()))
