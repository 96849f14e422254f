"""The data of the patrol mutations phones push (patrol_run.*, track.append, site_check,
inspection.submit)."""
import marshmallow as ma
from marshmallow import fields, validate

from patrol_api.models.patrols import CHECK_RESULTS
from patrol_api.patrols.schemas import ID, KINDS
from patrol_api.timebounds import EPOCH_SECONDS, Moment
from sync.schemas import JsonFloat  # numbers are JSON numbers: text ("37.5") is refused

SHA256 = validate.Regexp(r"^[0-9a-fA-F]{64}$")


class Position(ma.Schema):
    """A WGS84 position, with the GPS accuracy as observations send it."""

    lat = JsonFloat(required=True, validate=validate.Range(-90, 90))
    lon = JsonFloat(required=True, validate=validate.Range(-180, 180))
    accuracy_m = JsonFloat(allow_none=True, load_default=None,
                           validate=validate.Range(0, 100_000))


# null in an optional field of a run is its empty value: no team, nobody, no residents
RUN_EMPTY = {"team": "", "participant_user_ids": [], "auditor_user_ids": [],
             "resident_count": 0, "resident_names": []}


class RunChange(ma.Schema):
    """patrol_run.update data: the team, the participants, the campaign."""

    @ma.pre_load
    def _null_is_empty(self, data, **kwargs):
        """An optional field sent as null is cleared (campaign_id null already means none)."""
        if not isinstance(data, dict):
            return data
        return {key: RUN_EMPTY[key] if value is None and key in RUN_EMPTY else value
                for key, value in data.items()}

    team = fields.String(validate=validate.Length(max=80))
    participant_user_ids = fields.List(fields.Integer(strict=True, validate=ID),
                                       validate=validate.Length(max=100))
    auditor_user_ids = fields.List(fields.Integer(strict=True, validate=ID),
                                   validate=validate.Length(max=100))
    resident_count = fields.Integer(strict=True, validate=validate.Range(0, 10_000))
    resident_names = fields.List(fields.String(validate=validate.Length(1, 80)),
                                 validate=validate.Length(max=200))
    campaign_id = fields.Integer(strict=True, allow_none=True, validate=ID)


class RunStart(RunChange):
    """patrol_run.start data."""

    kind = fields.String(required=True, validate=KINDS)
    started_at = Moment(required=True)


class RunEnd(ma.Schema):
    """patrol_run.end data."""

    ended_at = Moment(required=True)


class TrackAppend(ma.Schema):
    """track.append data: [lat, lon, unix seconds] points, any order, repeats harmless."""

    points = fields.List(fields.Tuple((
        JsonFloat(validate=validate.Range(-90, 90)),
        JsonFloat(validate=validate.Range(-180, 180)),
        fields.Integer(strict=True, validate=EPOCH_SECONDS))), required=True,
        validate=validate.Length(1, 5000))


class SiteCheckRecord(ma.Schema):
    """site_check.record data."""

    site_code = fields.String(required=True, validate=validate.Length(1, 40))
    result = fields.String(required=True, validate=validate.OneOf(CHECK_RESULTS))
    checked_at = Moment(required=True)
    run_id = fields.UUID(allow_none=True, load_default=None)
    position = fields.Nested(Position, allow_none=True, load_default=None)


class Answer(ma.Schema):
    """The answer to one checklist item: a value and/or photos."""

    value = fields.Raw(allow_none=True, load_default=None)
    photos = fields.List(fields.String(validate=SHA256), load_default=list,
                         validate=validate.Length(max=10))


class InspectionSubmit(ma.Schema):
    """inspection.submit data."""

    template_id = fields.Integer(strict=True, required=True, validate=ID)
    site_code = fields.String(required=True, validate=validate.Length(1, 40))
    inspected_at = Moment(required=True)
    answers = fields.Dict(keys=fields.String(validate=validate.Length(1, 40)),
                          values=fields.Nested(Answer), required=True,
                          validate=validate.Length(max=200))
    run_id = fields.UUID(allow_none=True, load_default=None)
    campaign_id = fields.Integer(strict=True, allow_none=True, load_default=None, validate=ID)
    position = fields.Nested(Position, allow_none=True, load_default=None)
    photo_position = fields.Nested(Position, allow_none=True, load_default=None)
