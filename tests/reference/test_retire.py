"""Retiring a record that live records or users still refer to is refused."""
import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.models.reference import FacilityType, Site
from patrol_api.reference.service import by_code


def _delete(client, admin, kind, record_id):
    """DELETE a reference record."""
    return client.delete(f"/api/v1/{kind}/{record_id}", headers=admin)


def test_facility_type_in_use_cannot_be_retired(client, admin, demo):
    drain = by_code(FacilityType, "storm_drain")
    response = _delete(client, admin, "facility-types", drain.id)
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "in_use" and body["referenced_by"]["sites"] > 0


def test_retired_after_its_sites_are_retired(client, admin, demo):
    toilet = by_code(FacilityType, "public_toilet")
    site_ids = db.session.execute(sa.select(Site.id).where(
        Site.facility_type_id == toilet.id)).scalars().all()
    for site_id in site_ids:
        assert _delete(client, admin, "sites", site_id).status_code == 204
    assert _delete(client, admin, "facility-types", toilet.id).status_code == 204


def test_department_with_active_staff_cannot_be_retired(client, admin, make_user):
    user, _ = make_user("department_staff")
    response = _delete(client, admin, "departments", user.department_id)
    assert response.status_code == 409
    assert response.get_json()["referenced_by"] == {"users": 1}
