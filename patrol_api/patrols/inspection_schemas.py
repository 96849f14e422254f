"""Schemas of the inspection and site check lists, the site coverage view and campaign
progress."""
import marshmallow as ma
from marshmallow import fields, validate

from patrol_api import dates
from patrol_api.models.patrols import CAMPAIGN_FLAG_LABELS, CHECK_RESULTS
from patrol_api.patrols import inspections, presence
from patrol_api.patrols.coverage import RESULT_LABELS
from patrol_api.patrols.schemas import ID
from patrol_api.photos import exif_privacy


class DayRange(ma.Schema):
    """Seoul calendar days, both included."""

    from_day = dates.Date(data_key="from", metadata={"description": "From this Seoul day"})
    to_day = dates.Date(data_key="to", metadata={"description": "Up to this Seoul day, "
                                                  "included"})

    @ma.validates_schema
    def _forward(self, data, **kwargs):
        """`to` is not before `from`."""
        if data.get("from_day") and data.get("to_day") and data["to_day"] < data["from_day"]:
            raise ma.ValidationError("to is before from.", "to")


class RecordArgs(DayRange):
    """Filters both lists share."""

    far_from_site = fields.Boolean(metadata={"description": "Beyond PATROL_FAR_FROM_SITE_M"})
    campaign_id = fields.Integer(validate=ID)
    site_code = fields.String(validate=validate.Length(1, 40))
    patrol_run_id = fields.Integer(validate=ID, metadata={"description": "Server id of a run"})


class InspectionArgs(RecordArgs):
    """Filters of the inspection list."""

    not_campaign_target = fields.Boolean()
    outside_campaign_window = fields.Boolean()


class SiteCheckArgs(RecordArgs):
    """Filters of the site check list (campaign_id: the campaign of the check's run)."""

    result = fields.String(validate=validate.OneOf(CHECK_RESULTS))


class CoverageArgs(ma.Schema):
    """Filters of the site coverage view."""

    area_id = fields.Integer(validate=ID, metadata={"description": "Sites in this dong"})
    facility_type_id = fields.Integer(validate=ID)
    not_seen_since = dates.Date(metadata={
        "description": "Only sites neither inspected nor checked on or after this Seoul day"})


def _labels(codes: list[str], labels: dict) -> list[dict]:
    """Codes with their Korean and English labels."""
    return [{"code": code, "label_ko": labels[code][0], "label_en": labels[code][1]}
            for code in codes]


PRIVATE = "From the answer photo's (EXIF) position: managers and admins only"


class Located(ma.Schema):
    """What inspections and site checks share: who, where, the phone's time, presence."""

    id = fields.Integer()
    client_id = fields.String()
    site_id = fields.Integer()
    site_code = fields.Function(lambda r: r.site.code)
    user_id = fields.Integer()
    run_id = fields.Integer(allow_none=True)
    campaign_id = fields.Integer(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    distance_m = fields.Float(allow_none=True, metadata={"description": "The phone's, in m"})
    far_from_site = fields.Boolean()
    far_reason = fields.Function(presence.far_reason, allow_none=True, metadata={
        "description": "phone, photo or both: whose distance is beyond "
                       "PATROL_FAR_FROM_SITE_M (null when not far)"})
    clock_offset_ms = fields.Integer(allow_none=True)
    time_flags = fields.List(fields.String())
    created_at = fields.DateTime()


class InspectionSchema(Located):
    """An inspection with its answers, failures, presence and campaign flags; the answer
    photo's position and distance for managers and admins only (dump a `Shown`)."""

    template_id = fields.Integer()
    template_revision = fields.Integer()
    inspected_at = fields.DateTime()
    inspected_at_device = fields.DateTime(allow_none=True)
    answers = fields.Dict()
    failures = fields.List(fields.Dict())
    photo_lat = fields.Float(allow_none=True, metadata={"description": PRIVATE})
    photo_lon = fields.Float(allow_none=True, metadata={"description": PRIVATE})
    photo_distance_m = fields.Float(allow_none=True, metadata={"description": PRIVATE})
    not_campaign_target = fields.Boolean()
    outside_campaign_window = fields.Boolean()
    campaign_flags = fields.Function(inspections.flags_of, metadata={
        "description": "not_campaign_target, outside_campaign_window (flagged, not refused)"})
    campaign_flag_labels = fields.Function(
        lambda r: _labels(inspections.flags_of(r), CAMPAIGN_FLAG_LABELS))

    @ma.pre_dump
    def _record(self, shown, **kwargs):
        """The inspection inside a Shown."""
        return shown.record if isinstance(shown, exif_privacy.Shown) else shown

    @ma.post_dump(pass_original=True)
    def _public(self, data, shown, **kwargs):
        """Without the photo's EXIF facts unless the reader's role shows them (an inspection
        not wrapped in a Shown has no reader: public keys only)."""
        role = shown.role if isinstance(shown, exif_privacy.Shown) else None
        return exif_privacy.public("inspection", data, role)


class SiteCheckSchema(Located):
    """A site check: ok (inspected, no problem) or problem."""

    result = fields.String()
    result_label_ko = fields.Function(lambda r: RESULT_LABELS[r.result][0])
    result_label_en = fields.Function(lambda r: RESULT_LABELS[r.result][1])
    checked_at = fields.DateTime()
    checked_at_device = fields.DateTime(allow_none=True)


class LastInspection(ma.Schema):
    """The latest inspection of a site."""

    id = fields.Integer()
    at = fields.DateTime()
    result = fields.String(metadata={"description": "problem when an item failed"})
    failures = fields.Integer()
    campaign_id = fields.Integer(allow_none=True)
    run_id = fields.Integer(allow_none=True)
    far_from_site = fields.Boolean()
    far_reason = fields.String(allow_none=True, metadata={"description": "phone, photo, both"})


class LastCheck(ma.Schema):
    """The latest site check of a site."""

    id = fields.Integer()
    at = fields.DateTime()
    result = fields.String()
    run_id = fields.Integer(allow_none=True)
    far_from_site = fields.Boolean()
    far_reason = fields.String(allow_none=True, metadata={"description": "phone"})


class CoverageSchema(ma.Schema):
    """When a site was last inspected and checked, and the latest result."""

    site_id = fields.Integer()
    site_code = fields.String()
    name_ko = fields.String()
    name_en = fields.String(allow_none=True)
    area_code = fields.String(allow_none=True)
    facility_type_code = fields.String(allow_none=True)
    last_inspection = fields.Nested(LastInspection, allow_none=True)
    last_check = fields.Nested(LastCheck, allow_none=True)
    last_seen_at = fields.DateTime(allow_none=True)
    last_seen_by = fields.String(allow_none=True, metadata={
        "description": "inspection or site_check"})
    last_result = fields.String(allow_none=True)
    last_result_label_ko = fields.String(allow_none=True)
    last_result_label_en = fields.String(allow_none=True)


class TeamProgress(ma.Schema):
    """A team's share of a campaign."""

    team = fields.String()
    assigned = fields.Boolean(metadata={"description": "Listed in the campaign's teams"})
    targeted = fields.Integer(allow_none=True, metadata={
        "description": "Target sites in the dongs the team patrols (assigned teams only)"})
    inspected = fields.Integer()
    observations_raised = fields.Integer()
    findings_raised = fields.Integer()


class AreaProgress(ma.Schema):
    """A dong's share of a campaign."""

    area = fields.String(allow_none=True)
    targeted = fields.Integer()
    inspected = fields.Integer()
    observations_raised = fields.Integer()
    findings_raised = fields.Integer()


class ProgressSchema(ma.Schema):
    """Progress of a campaign."""

    targeted = fields.Integer()
    inspected = fields.Integer()
    inspections = fields.Integer()
    observations_raised = fields.Integer()
    findings_raised = fields.Integer()
    flagged = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Inspections per campaign flag"})
    per_team = fields.List(fields.Nested(TeamProgress))
    per_area = fields.List(fields.Nested(AreaProgress))
