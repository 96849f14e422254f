"""The intake channel of pushed observations follows the author's role (issue 18)."""
import sqlalchemy as sa

from patrol_api.auth.roles import Role
from patrol_api.extensions import db
from patrol_api.models import Observation


def _channels(user) -> set:
    db.session.expire_all()
    return set(db.session.execute(sa.select(Observation.channel).where(
        Observation.user_id == user.id)).scalars())


def test_a_patrol_officers_observations_are_patrol(phone):
    phone.pushed([phone.create(), phone.create(), phone.create()])  # a run of creates
    phone.one(phone.create())
    assert _channels(phone.user) == {"patrol"}


def test_a_citizen_auditors_observations_are_citizen_auditor(world, make_user, phone_of):
    auditor = phone_of(make_user(Role.CITIZEN_AUDITOR)[0])
    auditor.pushed([auditor.create(), auditor.create(), auditor.create()])
    auditor.one(auditor.create())
    assert _channels(auditor.user) == {"citizen_auditor"}
    assert db.session.query(Observation).count() == 4
