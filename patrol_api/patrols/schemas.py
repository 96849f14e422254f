"""Marshmallow schemas of templates, campaigns and runs (shared by HTTP and sync)."""
import marshmallow as ma
from marshmallow import fields, validate

from patrol_api import dates
from patrol_api.models.patrols import PATROL_KIND_LABELS, SCHEDULE_TARGETS, PatrolKind
from patrol_api.patrols import runs
from patrol_api.patrols.items import ItemSchema, check_item_list

ID = validate.Range(1, 2**31 - 1)
CODE = validate.Regexp(r"^[A-Za-z0-9._-]{1,40}$", error="Use 1-40 letters, digits, '.', '_', '-'.")
TITLE = validate.Length(1, 200)
KINDS = validate.OneOf([kind.value for kind in PatrolKind])


class TemplateSchema(ma.Schema):
    """A checklist template; `revision` and `published_at` are set by the server."""

    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=CODE)
    revision = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    title_ko = fields.String(required=True, validate=TITLE)
    title_en = fields.String(required=True, validate=TITLE)
    items = fields.List(fields.Nested(ItemSchema), required=True,
                        validate=validate.Length(max=200))
    published_at = fields.DateTime(dump_only=True, allow_none=True)

    @ma.validates("items")
    def _unique_keys(self, value, **kwargs):
        """Item keys are unique within a template."""
        check_item_list(value)


class PublishSchema(ma.Schema):
    """Publish the template at the version the manager reviewed."""

    version = fields.Integer(required=True, validate=ID)


class CampaignSchema(ma.Schema):
    """A themed campaign; target sites follow its facility types and areas."""

    id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=CODE)
    theme = fields.String(required=True, validate=validate.Length(1, 80))
    title_ko = fields.String(required=True, validate=TITLE)
    title_en = fields.String(required=True, validate=TITLE)
    starts_on = dates.Date(required=True)
    ends_on = dates.Date(required=True)
    template_id = fields.Integer(required=True, validate=ID)
    facility_type_ids = fields.List(fields.Integer(validate=ID), load_default=list,
                                    validate=validate.Length(max=100))
    area_ids = fields.List(fields.Integer(validate=ID), load_default=list,
                           validate=validate.Length(max=100))
    teams = fields.List(fields.String(validate=validate.Length(1, 80)), load_default=list,
                        validate=validate.Length(max=50))
    target_site_ids = fields.Function(
        lambda c: sorted(t.site_id for t in c.targets), dump_only=True)


class RunSchema(ma.Schema):
    """A patrol run as listed (the raw track is not shown, only its simplified line)."""

    id = fields.Integer()
    client_id = fields.String()
    version = fields.Integer()
    kind = fields.String()
    kind_label_ko = fields.Function(lambda r: PATROL_KIND_LABELS[PatrolKind(r.kind)][0])
    kind_label_en = fields.Function(lambda r: PATROL_KIND_LABELS[PatrolKind(r.kind)][1])
    team = fields.String()
    leader_id = fields.Integer()
    participant_user_ids = fields.List(fields.Integer())
    auditor_user_ids = fields.List(fields.Integer())
    resident_count = fields.Integer()
    resident_names = fields.List(fields.String())
    campaign_id = fields.Integer(allow_none=True)
    started_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)
    auto_closed = fields.Boolean()
    started_at_device = fields.DateTime(allow_none=True)
    start_clock_offset_ms = fields.Integer(allow_none=True)
    ended_at_device = fields.DateTime(allow_none=True)
    end_clock_offset_ms = fields.Integer(allow_none=True)
    time_flags = fields.List(fields.String())
    duration_s = fields.Integer(allow_none=True)
    area_id = fields.Integer(allow_none=True)
    track_points = fields.Function(lambda r: len(r.track))
    track_simplified = fields.List(fields.List(fields.Float()))


class ScheduleSchema(ma.Schema):
    """A recurring patrol (kind, team) or inspection (site) by RRULE."""

    id = fields.Integer(dump_only=True)
    code = fields.String(required=True, validate=CODE)
    title_ko = fields.String(required=True, validate=TITLE)
    title_en = fields.String(required=True, validate=TITLE)
    target = fields.String(required=True, validate=validate.OneOf(SCHEDULE_TARGETS))
    patrol_kind = fields.String(allow_none=True, load_default=None, validate=KINDS)
    team = fields.String(allow_none=True, load_default=None, validate=validate.Length(1, 80))
    site_id = fields.Integer(allow_none=True, load_default=None, validate=ID)
    rrule = fields.String(required=True, validate=validate.Length(1, 500),
                          metadata={"description": "RFC 5545 RRULE, e.g. FREQ=WEEKLY;BYDAY=MO"})
    dtstart = dates.AwareDateTime(required=True)
    until = dates.AwareDateTime(allow_none=True, load_default=None)
    grace_hours = fields.Integer(load_default=24, validate=validate.Range(0, 24 * 90))
    active = fields.Boolean(load_default=True)


class OccurrenceSchema(ma.Schema):
    """One occurrence of a schedule and what became of it."""

    id = fields.Integer()
    schedule_id = fields.Integer()
    schedule_code = fields.Function(lambda o: o.schedule.code)
    due_at = fields.DateTime()
    status = fields.String()
    run_id = fields.Integer(allow_none=True)
    inspection_id = fields.Integer(allow_none=True)
    settled_at = fields.DateTime(allow_none=True)


class WarrantyPlanSchema(ma.Schema):
    """Plan the semi-annual warranty inspections of a site from a day."""

    site_id = fields.Integer(required=True, validate=ID)
    start_on = dates.Date(required=True)


class WarrantyNoticeSchema(ma.Schema):
    """A warning sent before a warranty ends."""

    id = fields.Integer()
    site_id = fields.Integer()
    warranty_end = fields.Date()
    department_id = fields.Integer(allow_none=True)
    notified_at = fields.DateTime()
    queued_messages = fields.Integer()


class RunDetailSchema(RunSchema):
    """A run with the observations its members made during it."""

    observation_ids = fields.Function(lambda r: runs.observation_ids(r))
