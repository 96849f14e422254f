"""Open311 client applications: admins issue and revoke their API keys."""
import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from patrol_api.auth.access import allow
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.http.blueprint import Blueprint
from patrol_api.models import Open311Client
from patrol_api.models.base import utcnow
from patrol_api.open311 import service as o311

blp = Blueprint("open311_clients", __name__, url_prefix="/open311/clients",
                description="Open311 client applications and their API keys (admins)")


class ClientIn(Schema):
    """A client application to issue a key for."""

    name = fields.String(required=True, validate=validate.Length(1, 120))


class ClientOut(Schema):
    """A client application (its key only in the answer that issued it)."""

    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    api_key = fields.String(metadata={"description": "Shown once, when issued"})


@blp.route("")
class Clients(MethodView):
    @allow(Role.ADMIN)
    @blp.response(200, ClientOut(many=True))
    def get(self):
        """The client applications (without keys)."""
        return list(db.session.execute(sa.select(Open311Client)
                                       .order_by(Open311Client.id)).scalars())

    @allow(Role.ADMIN)
    @blp.arguments(ClientIn)
    @blp.response(201, ClientOut)
    def post(self, data):
        """Issue an API key for a new client application."""
        if db.session.execute(sa.select(Open311Client).where(
                Open311Client.name == data["name"])).scalar() is not None:
            raise ApiError(409, "name_taken", "A client application has this name.", "name")
        client, key = o311.issue_client(data["name"])
        db.session.commit()
        return {"id": client.id, "name": client.name, "created_at": client.created_at,
                "revoked_at": None, "api_key": key}


@blp.route("/<int:client_id>")
class ClientItem(MethodView):
    @allow(Role.ADMIN)
    @blp.response(200, ClientOut)
    def delete(self, client_id):
        """Revoke a client application's key (its requests stay)."""
        client = db.session.get(Open311Client, client_id)
        if client is None:
            raise ApiError(404, "not_found", f"No client application {client_id}.")
        client.revoked_at = client.revoked_at or utcnow()
        db.session.commit()
        return client
