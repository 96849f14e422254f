"""Schemas of the reporter's own reports (/me/reports) and of the patrol activity report."""
import marshmallow as ma
from marshmallow import fields, validate

from patrol_api.dates import Month
from patrol_api.models.observations import FATES
from patrol_api.patrols.activity import TABLES
from patrol_api.patrols.credit import CREDITS
from patrol_api.patrols.schemas import ID, KINDS


class MyReportArgs(ma.Schema):
    """Filters of the own-reports list."""

    credit = fields.String(validate=validate.OneOf(CREDITS))
    fate = fields.String(validate=validate.OneOf(FATES))


class DepartmentRef(ma.Schema):
    """A department's public face."""

    code = fields.String()
    name_ko = fields.String()
    name_en = fields.String()


class PublicUpdate(ma.Schema):
    """One public step of a finding (never a note, a comment or who acted)."""

    at = fields.DateTime()
    kind = fields.String()
    to_state = fields.String(allow_none=True)
    department = fields.Nested(DepartmentRef, allow_none=True)
    reason = fields.String(allow_none=True)
    reason_label_ko = fields.String(allow_none=True)
    reason_label_en = fields.String(allow_none=True)


class PublicFinding(ma.Schema):
    """The public state of the finding a report belongs to."""

    reference = fields.String()
    state = fields.String()
    state_label_ko = fields.String()
    state_label_en = fields.String()
    is_open = fields.Boolean()
    department = fields.Nested(DepartmentRef, allow_none=True)
    in_coordination = fields.Boolean()
    resolve_due_at = fields.DateTime(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    updates = fields.List(fields.Nested(PublicUpdate))


class MyReport(ma.Schema):
    """One of the caller's own reports with its fate and credit."""

    id = fields.Integer()
    client_id = fields.String()
    recorded_at = fields.DateTime()
    received_at = fields.DateTime()
    category_code = fields.String()
    category_name_ko = fields.String()
    category_name_en = fields.String()
    site_code = fields.String(allow_none=True)
    area_code = fields.String(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()
    note = fields.String()
    complete = fields.Boolean()
    fate = fields.String()
    fate_reason = fields.String(allow_none=True)
    credit = fields.String()
    credit_label_ko = fields.String()
    credit_label_en = fields.String()
    finding = fields.Nested(PublicFinding, allow_none=True)


class CreditSchema(ma.Schema):
    """The caller's credit: reports accepted, pending and rejected."""

    accepted = fields.Integer()
    pending = fields.Integer()
    rejected = fields.Integer()
    total = fields.Integer()
    definition = fields.String()


class ActivityArgs(ma.Schema):
    """Months (from, to: YYYY-MM, at most 36; default the current month) and filters."""

    from_month = Month(data_key="from")
    to_month = Month(data_key="to")
    area_id = fields.Integer(validate=ID, metadata={
        "description": "Runs that started in this dong; auditors' reports made in it"})
    kind = fields.String(validate=KINDS)
    team = fields.String(validate=validate.Length(1, 80), metadata={"description": "Exact team"})
    category_id = fields.Integer(validate=ID, metadata={
        "description": "Count only observations and auditors' reports of this category "
                       "(runs, hours and sites checked stay whole)"})


class ActivityCsvArgs(ActivityArgs):
    """The same, and which table to export."""

    table = fields.String(load_default="per_kind", validate=validate.OneOf(TABLES))


FIGURES = {"runs": fields.Integer(), "hours": fields.Float(),
           "sites_checked": fields.Integer(), "observations": fields.Integer()}
KindRow = ma.Schema.from_dict({"month": fields.String(), "kind": fields.String(),
                               "label_ko": fields.String(), "label_en": fields.String(),
                               **FIGURES}, name="ActivityKindRow")
CampaignRow = ma.Schema.from_dict({
    "month": fields.String(), "campaign_id": fields.Integer(), "code": fields.String(),
    "title_ko": fields.String(), "title_en": fields.String(), **FIGURES,
    "targeted": fields.Integer(), "inspected": fields.Integer(),
    "inspected_to_date": fields.Integer(), "coverage": fields.Float(allow_none=True)},
    name="ActivityCampaignRow")
TeamRow = ma.Schema.from_dict({"month": fields.String(), "team": fields.String(), **FIGURES},
                              name="ActivityTeamRow")
PersonRow = ma.Schema.from_dict({
    "month": fields.String(), "user_id": fields.Integer(), "display_name": fields.String(),
    "username": fields.String(), "role": fields.String(), "role_label_ko": fields.String(),
    "role_label_en": fields.String(), "team": fields.String(), **FIGURES},
    name="ActivityPersonRow")
AuditorRow = ma.Schema.from_dict({
    "month": fields.String(), "user_id": fields.Integer(), "display_name": fields.String(),
    "username": fields.String(), "team": fields.String(), "reports": fields.Integer(),
    "accepted": fields.Integer(), "pending": fields.Integer(), "rejected": fields.Integer()},
    name="ActivityAuditorRow")
TotalRow = ma.Schema.from_dict({"month": fields.String(), **FIGURES}, name="ActivityTotalRow")


class ActivitySchema(ma.Schema):
    """The patrol activity report: one list per table."""

    months = fields.List(fields.String())
    filters = fields.Dict()
    per_kind = fields.List(fields.Nested(KindRow))
    per_campaign = fields.List(fields.Nested(CampaignRow))
    per_team = fields.List(fields.Nested(TeamRow))
    per_officer = fields.List(fields.Nested(PersonRow))
    auditors = fields.List(fields.Nested(AuditorRow))
    totals = fields.List(fields.Nested(TotalRow))
