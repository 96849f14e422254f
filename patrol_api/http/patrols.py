"""Checklist templates and campaigns (managers), patrol runs and their kinds (read), the
caller's own reports with their credit, the monthly patrol activity report and its exports."""
import sqlalchemy as sa
from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields

from patrol_api import dates
from patrol_api.auth import access
from patrol_api.auth.access import AUTHENTICATED, allow
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.downloads import CSV, XLSX, produces
from patrol_api.http.etag import body_version, etag_of, if_match, takes_if_match
from patrol_api.http.pagination import PAGINATION, SelectPage
from patrol_api.models.patrols import (
    PATROL_KIND_LABELS,
    Campaign,
    ChecklistTemplate,
    PatrolRun,
)
from patrol_api.patrols import (
    activity,
    activity_export,
    campaigns,
    credit,
    lookup,
    my_reports,
    progress,
    templates,
    visibility,
)
from patrol_api.patrols.inspection_schemas import ProgressSchema
from patrol_api.patrols.report_schemas import (
    ActivityArgs,
    ActivityCsvArgs,
    ActivitySchema,
    CreditSchema,
    MyReport,
    MyReportArgs,
)
from patrol_api.patrols.schemas import (
    ID,
    KINDS,
    CampaignSchema,
    PublishSchema,
    RunDetailSchema,
    RunSchema,
    TemplateSchema,
)
from patrol_api.reference.service import save

blp = Blueprint("patrols", __name__, description="Patrols, checklists and campaigns")
blp.DEFAULT_PAGINATION_PARAMETERS = PAGINATION
MANAGERS = (Role.ADMIN, Role.MANAGER)
RUN_READERS = (Role.ADMIN, Role.MANAGER, Role.PATROL_OFFICER, Role.VIEWER)
REPORT_READERS = (Role.ADMIN, Role.MANAGER, Role.VIEWER)


class TemplateArgs(Schema):
    """Filters of the template list."""

    q = fields.String(metadata={"description": "Text in the code, any case"})
    published = fields.Boolean()


class CampaignArgs(Schema):
    """Filters of the campaign list."""

    active_on = dates.Date(metadata={"description": "Only campaigns running on this day"})


class RunArgs(Schema):
    """Filters of the run list."""

    kind = fields.String(validate=KINDS)
    campaign_id = fields.Integer(validate=ID)
    open = fields.Boolean(metadata={"description": "true: runs not ended yet"})


class KindSchema(Schema):
    """A patrol kind with its labels."""

    code = fields.String()
    label_ko = fields.String()
    label_en = fields.String()


class ReportPage(SelectPage):
    """A page of own reports, turned into their public records in bulk."""

    @property
    def items(self):
        """The page's observations as reports."""
        return my_reports.records(super().items)




@blp.route("/patrol-kinds")
class Kinds(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, KindSchema(many=True))
    def get(self):
        """The patrol kinds with their Korean and English labels."""
        return [{"code": str(kind), "label_ko": ko, "label_en": en}
                for kind, (ko, en) in PATROL_KIND_LABELS.items()]


@blp.route("/checklist-templates")
class Templates(MethodView):
    @allow(AUTHENTICATED)
    @blp.arguments(TemplateArgs, location="query")
    @blp.response(200, TemplateSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List live templates, newest revision first within a code."""
        stmt = sa.select(ChecklistTemplate).where(ChecklistTemplate.deleted_at.is_(None))
        if args.get("q"):
            stmt = stmt.where(ChecklistTemplate.code.icontains(args["q"], autoescape=True))
        if "published" in args:
            column = ChecklistTemplate.published_at
            stmt = stmt.where(column.isnot(None) if args["published"] else column.is_(None))
        return stmt.order_by(ChecklistTemplate.code, ChecklistTemplate.revision.desc(),
                             ChecklistTemplate.id)

    @allow(*MANAGERS)
    @blp.arguments(TemplateSchema)
    @blp.response(201, TemplateSchema)
    def post(self, data):
        """Create a draft; an existing code gets its next revision."""
        template = templates.create(data)
        save()
        return template, 201, {"ETag": etag_of(template)}


@blp.route("/checklist-templates/<int:template_id>")
class TemplateItem(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, TemplateSchema)
    def get(self, template_id):
        """One template."""
        template = lookup.get(ChecklistTemplate, template_id, "checklist template")
        return template, 200, {"ETag": etag_of(template)}

    @allow(*MANAGERS)
    @blp.arguments(TemplateSchema(partial=True))
    @blp.response(200, TemplateSchema)
    @takes_if_match(blp)
    def patch(self, data, template_id):
        """Change a draft (409 once published; create a new revision instead)."""
        template = lookup.get(ChecklistTemplate, template_id, "checklist template")
        if_match(TemplateSchema().dump).check(template)
        if "code" in data and data["code"] != template.code:
            raise ApiError(422, "validation_error", "The code of a template cannot change.",
                           "code")
        templates.update(template, data)
        save()
        return template, 200, {"ETag": etag_of(template)}


@blp.route("/checklist-templates/<int:template_id>/publish")
class Publish(MethodView):
    @allow(*MANAGERS)
    @blp.arguments(PublishSchema)
    @blp.response(200, TemplateSchema)
    def post(self, data, template_id):
        """Publish the draft at the version you reviewed; it is frozen from then on."""
        template = lookup.get(ChecklistTemplate, template_id, "checklist template")
        body_version(data["version"], TemplateSchema().dump).check(template)
        templates.publish(template)
        save()
        return template, 200, {"ETag": etag_of(template)}


@blp.route("/campaigns")
class Campaigns(MethodView):
    @allow(AUTHENTICATED)
    @blp.arguments(CampaignArgs, location="query")
    @blp.response(200, CampaignSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List live campaigns, latest start first."""
        stmt = sa.select(Campaign).where(Campaign.deleted_at.is_(None))
        if args.get("active_on"):
            day = args["active_on"]
            stmt = stmt.where(Campaign.starts_on <= day, Campaign.ends_on >= day)
        return stmt.order_by(Campaign.starts_on.desc(), Campaign.id)

    @allow(*MANAGERS)
    @blp.arguments(CampaignSchema)
    @blp.response(201, CampaignSchema)
    def post(self, data):
        """Create a campaign; its target sites are selected from the registry."""
        campaign = campaigns.create(data)
        save()
        return campaign, 201, {"ETag": etag_of(campaign)}


@blp.route("/campaigns/<int:campaign_id>")
class CampaignItem(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, CampaignSchema)
    def get(self, campaign_id):
        """One campaign with its target site ids."""
        campaign = lookup.get(Campaign, campaign_id, "campaign")
        return campaign, 200, {"ETag": etag_of(campaign)}

    @allow(*MANAGERS)
    @blp.arguments(CampaignSchema(partial=True))
    @blp.response(200, CampaignSchema)
    @takes_if_match(blp)
    def patch(self, data, campaign_id):
        """Change a campaign; a changed filter selects the target sites again."""
        campaign = lookup.get(Campaign, campaign_id, "campaign")
        if_match(CampaignSchema().dump).check(campaign)
        campaigns.update(campaign, data)
        save()
        return campaign, 200, {"ETag": etag_of(campaign)}


@blp.route("/campaigns/<int:campaign_id>/progress")
class CampaignProgress(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, ProgressSchema)
    def get(self, campaign_id):
        """Sites inspected of those targeted, observations and findings raised, flagged
        inspections; per team (with its targeted sites) and per area."""
        return progress.progress(lookup.get(Campaign, campaign_id, "campaign"))


@blp.route("/patrol-runs")
class Runs(MethodView):
    @allow(*RUN_READERS)
    @blp.arguments(RunArgs, location="query")
    @blp.response(200, RunSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """List runs, latest first: patrol officers see the runs they are on and their team's."""
        stmt = sa.select(PatrolRun).where(PatrolRun.deleted_at.is_(None),
                                          *visibility.run_conditions(access.current().user))
        if args.get("kind"):
            stmt = stmt.where(PatrolRun.kind == args["kind"])
        if args.get("campaign_id"):
            stmt = stmt.where(PatrolRun.campaign_id == args["campaign_id"])
        if "open" in args:
            column = PatrolRun.ended_at
            stmt = stmt.where(column.is_(None) if args["open"] else column.isnot(None))
        return stmt.order_by(PatrolRun.started_at.desc(), PatrolRun.id)


@blp.route("/patrol-runs/<int:run_id>")
class RunItem(MethodView):
    @allow(*RUN_READERS)
    @blp.response(200, RunDetailSchema)
    def get(self, run_id):
        """One run with its simplified track and the observations made during it (404 for a
        run the caller may not read, as for a missing one)."""
        run = lookup.get(PatrolRun, run_id, "patrol run")
        if not visibility.may_read_run(access.current().user, run):
            raise ApiError(404, "not_found", f"No patrol run with id {run_id}.")
        return run


@blp.route("/me/reports")
class MyReports(MethodView):
    @allow(AUTHENTICATED)
    @blp.arguments(MyReportArgs, location="query")
    @blp.response(200, MyReport(many=True))
    @blp.paginate(ReportPage)
    def get(self, args):
        """Your own reports, newest first: fate, the finding's public state and trail, credit.

        Internal notes, comments and who acted are never shown."""
        return my_reports.select_reports(access.current().user, args)


@blp.route("/me/reports/credit")
class MyCredit(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, CreditSchema)
    def get(self):
        """Your reports counted as accepted, pending and rejected (see `definition`)."""
        return {**credit.of_user(access.current().user.id),
                "definition": credit.__doc__.split("\n\n", 1)[1].strip()}


def _download(body: bytes, mimetype: str, name: str) -> Response:
    """A file download."""
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


def _name(report: dict) -> str:
    """patrol-activity-2026-07 or patrol-activity-2026-06_2026-08."""
    first, last = report["months"][0], report["months"][-1]
    return "patrol-activity-" + (first if first == last else f"{first}_{last}")


@blp.route("/patrol-activity")
class Activity(MethodView):
    @allow(*REPORT_READERS)
    @blp.arguments(ActivityArgs, location="query")
    @blp.response(200, ActivitySchema)
    def get(self, args):
        """Patrol activity per month: per kind, campaign (coverage), team, person, auditors."""
        return activity.report(activity.filters_from(args))


@blp.route("/patrol-activity.csv")
class ActivityCsv(MethodView):
    @allow(*REPORT_READERS)
    @blp.arguments(ActivityCsvArgs, location="query")
    @produces(blp, "One table as CSV with Korean headers (UTF-8 with BOM)", CSV)
    def get(self, args):
        """One table of the activity report as CSV with Korean headers (UTF-8 with BOM)."""
        report = activity.report(activity.filters_from(args))
        return _download(activity_export.table_csv(report, args["table"]), CSV,
                         f"{_name(report)}-{args['table']}.csv")


@blp.route("/patrol-activity.xlsx")
class ActivityXlsx(MethodView):
    @allow(*REPORT_READERS)
    @blp.arguments(ActivityArgs, location="query")
    @produces(blp, "An XLSX workbook, one sheet per table", XLSX)
    def get(self, args):
        """The activity report as an XLSX workbook for printing, one sheet per table."""
        report = activity.report(activity.filters_from(args))
        return _download(activity_export.report_xlsx(report), XLSX, f"{_name(report)}.xlsx")
