"""Records by id for the API and sync layers: 404 when missing."""
from patrol_api.errors import ApiError
from patrol_api.extensions import db


def get(model, record_id: int, what: str):
    """A live record by id, or a 404 naming what was looked for."""
    record = db.session.get(model, record_id)
    if record is None or getattr(record, "deleted_at", None) is not None:
        raise ApiError(404, "not_found", f"No {what} with id {record_id}.")
    return record
