"""Parked intake rows (observations the findings intake failed on): admins list and retry."""
import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import Schema, fields

from patrol_api.auth.access import allow
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import intake
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.pagination import PAGINATION, SelectPage
from patrol_api.models import ParkedIntake

blp = Blueprint("intake", __name__, url_prefix="/intake",
                description="Observations the findings intake failed on (admins)")
blp.DEFAULT_PAGINATION_PARAMETERS = PAGINATION


class ParkedSchema(Schema):
    """A parked observation, the error it failed with and how often it was tried."""

    observation_id = fields.Integer()
    client_id = fields.String(attribute="observation.client_id")
    user_id = fields.Integer(attribute="observation.user_id")
    device_id = fields.Integer(attribute="observation.device_id")
    recorded_at_device = fields.DateTime(attribute="observation.recorded_at_device")
    received_at = fields.DateTime(attribute="observation.received_at")
    error = fields.String(metadata={"description": "The exception of the last attempt"})
    attempts = fields.Integer()
    parked_at = fields.DateTime()
    last_failed_at = fields.DateTime()


class RetryResult(Schema):
    """What a retry did: a finding, or parked again (with the new error)."""

    observation_id = fields.Integer()
    finding_id = fields.Integer(allow_none=True)
    parked = fields.Boolean(metadata={"description": "True: it failed again and stays parked"})
    error = fields.String(allow_none=True)
    attempts = fields.Integer(allow_none=True)


@blp.route("/parked")
class Parked(MethodView):
    @allow(Role.ADMIN)
    @blp.response(200, ParkedSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """Parked observations, most recently failed first (the sweep leaves them alone)."""
        return sa.select(ParkedIntake).order_by(ParkedIntake.last_failed_at.desc(),
                                                ParkedIntake.observation_id.desc())


@blp.route("/parked/<int:observation_id>/retry")
class RetryParked(MethodView):
    @allow(Role.ADMIN)
    @blp.response(200, RetryResult)
    def post(self, observation_id):
        """Take a parked observation in again (after fixing its cause): unparked when it
        works, parked again with the new error and one more attempt when it fails."""
        if db.session.get(ParkedIntake, observation_id) is None:
            raise ApiError(404, "not_found", f"Observation {observation_id} is not parked.")
        db.session.commit()
        finding_id = intake.retry_parked(observation_id)
        row = db.session.get(ParkedIntake, observation_id)
        return {"observation_id": observation_id, "finding_id": finding_id,
                "parked": row is not None, "error": row.error if row else None,
                "attempts": row.attempts if row else None}
