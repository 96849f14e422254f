"""Monthly evaluation: metrics, ranking tables, frozen snapshots, awards, exports, charts.

Managers and admins compute snapshots; viewers read. The views only parse and call
`patrol_api.rankings`.
"""
from flask import Response, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from patrol_api import jobs
from patrol_api.api import MAX_ID
from patrol_api.auth import access
from patrol_api.auth.access import allow
from patrol_api.auth.roles import Role
from patrol_api.dates import EARLIEST, LATEST, Month
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.downloads import CHART, CSV, XLSX, produces
from patrol_api.models.reference import DEPARTMENT_KINDS
from patrol_api.rankings import awards, charts, export, service, snapshots, xlsx

blp = Blueprint("rankings", __name__, url_prefix="/rankings",
                description="Monthly evaluation of departments (신속성·신뢰성) and awards")

READERS = (Role.ADMIN, Role.MANAGER, Role.VIEWER)
MANAGERS = (Role.ADMIN, Role.MANAGER)


class FilterArgs(Schema):
    """Filters shared by metrics and rankings."""

    kind = fields.String(validate=validate.OneOf(DEPARTMENT_KINDS))
    area_id = fields.Integer(validate=validate.Range(1, MAX_ID))
    category_id = fields.Integer(validate=validate.Range(1, MAX_ID))


class RangeArgs(FilterArgs):
    """A month range (at most 36 months; default: the current month) and filters."""

    from_month = Month(data_key="from")
    to_month = Month(data_key="to")


class MonthArgs(FilterArgs):
    """One month and filters."""

    month = Month(required=True)


class ChartFormat(Schema):
    """svg or png; without it the Accept header decides (SVG by default)."""

    format = fields.String(validate=validate.OneOf(tuple(charts.MIMETYPES)))


class RangeChartArgs(RangeArgs, ChartFormat):
    """A month range, filters and the picture format."""


class MonthChartArgs(MonthArgs, ChartFormat):
    """One month, filters and the picture format."""


class SnapshotListArgs(Schema):
    """An optional month range."""

    from_month = Month(data_key="from")
    to_month = Month(data_key="to")


class ComputeArgs(Schema):
    """The month to freeze, and why (a correction of a frozen month says so)."""

    month = Month(required=True)
    reason = fields.String(validate=validate.Length(1, 200), metadata={
        "description": "Why this version is made; shown with the snapshot and the awards"})


class YearArgs(Schema):
    """The award year."""

    year = fields.Integer(required=True, validate=validate.Range(EARLIEST.year, LATEST.year))


class SnapshotSchema(Schema):
    """A frozen ranking: month, version, the data and formula versions it used."""

    id = fields.Integer()
    month = fields.String()
    version = fields.Integer()
    data_version = fields.Integer()
    formula_version = fields.String()
    params = fields.Dict()
    created_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    reason = fields.String(allow_none=True, metadata={
        "description": "Why this version was made: first freeze, late data, a correction"})


class SnapshotDetailSchema(SnapshotSchema):
    """A snapshot with its tables (headquarters, dong_office)."""

    tables = fields.Nested(lambda: TablesSchema())


def _numbers(names: str, field) -> dict:
    """Fields of one type for space-separated names."""
    return {name: field(allow_none=True) for name in names.split()}


MetricRowSchema = Schema.from_dict({
    "month": fields.String(), "department_id": fields.Integer(),
    "department_code": fields.String(), "department_name": fields.String(),
    "department_kind": fields.String(), "area_id": fields.Integer(allow_none=True),
    **_numbers("received transferred rejected resolved reopened due on_time verified failed "
               "backlog ack_p50_s ack_p90_s resolve_p50_s resolve_p90_s carried_late "
               "lost_late holds holds_unapproved", fields.Integer),
    **_numbers("on_time_rate reopen_rate transfer_rate rejection_rate verification_pass_rate "
               "relative_time speed", fields.Float)}, name="MetricRow")
RankRowSchema = Schema.from_dict({
    **MetricRowSchema._declared_fields, "rank": fields.Integer(allow_none=True),
    "tied": fields.Boolean(), "ranked": fields.Boolean(), "volume": fields.Integer(),
    "score": fields.Float(allow_none=True), "note": fields.String(),
    **_numbers("score_exact score_low score_high credibility on_time_component "
               "speed_component reopen_component verification_component transfer_component "
               "rejection_component", fields.Float)}, name="RankRow")
TablesSchema = Schema.from_dict({
    "headquarters": fields.List(fields.Nested(RankRowSchema)),
    "dong_office": fields.List(fields.Nested(RankRowSchema))}, name="RankingTables")
AwardRowSchema = Schema.from_dict({
    "department_id": fields.Integer(), "department_code": fields.String(),
    "department_name": fields.String(), "department_kind": fields.String(),
    "months_ranked": fields.Integer(),
    "score": fields.Float(), "rank": fields.Integer(), "tied": fields.Boolean(),
    "award": fields.String(allow_none=True)}, name="AwardRow")
AwardsSchema = Schema.from_dict({
    "year": fields.Integer(), "snapshots": fields.List(fields.Dict()),
    "months_missing": fields.List(fields.String(), metadata={
        "description": "Months of the year without a snapshot (the scores leave them out)"}),
    "warning": fields.String(allow_none=True, metadata={
        "description": "Set when months are missing: the awards are from fewer than 12"}),
    "tables": fields.Dict(keys=fields.String(),
                          values=fields.List(fields.Nested(AwardRowSchema)))}, name="Awards")
ComputeResultSchema = Schema.from_dict({
    "month": fields.String(), "snapshot_id": fields.Integer(allow_none=True),
    "status": fields.String()}, name="ComputeResult")


def _csv(body: bytes, name: str, headers: dict | None = None) -> Response:
    """A CSV download."""
    return Response(body, mimetype=CSV, headers={
        "Content-Disposition": f'attachment; filename="{name}.csv"', **(headers or {})})


def _xlsx(body: bytes, name: str, headers: dict | None = None) -> Response:
    """An XLSX download."""
    return Response(body, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{name}.xlsx"', **(headers or {})})


def _missing_header(result: dict) -> dict:
    """X-Months-Missing: the award year's months without a snapshot (when any)."""
    missing = result["months_missing"]
    return {"X-Months-Missing": ",".join(missing)} if missing else {}


def _picture_format(args: dict) -> str:
    """The asked format: `format`, else the preferred of the Accept header, else SVG."""
    if args.get("format"):
        return args["format"]
    by_type = {mimetype: fmt for fmt, mimetype in charts.MIMETYPES.items()}
    best = request.accept_mimetypes.best_match(list(by_type), default=charts.MIMETYPES["svg"])
    return by_type[best]


def _picture(draw, fmt: str, name: str, size=None) -> Response:
    """A chart as an inline SVG or PNG response."""
    body = charts.render(draw, fmt, *([size] if size else []))
    return Response(body, mimetype=charts.MIMETYPES[fmt], headers={
        "Content-Disposition": f'inline; filename="{name}.{fmt}"', "Vary": "Accept"})


@blp.route("/metrics")
class Metrics(MethodView):
    @allow(*READERS)
    @blp.arguments(RangeArgs, location="query")
    @blp.response(200, MetricRowSchema(many=True))
    def get(self, args):
        """Metrics per department per month (counts, rates, business times in seconds)."""
        rows = service.metric_rows(args)
        return rows


@blp.route("/metrics.csv")
class MetricsCsv(MethodView):
    @allow(*READERS)
    @blp.arguments(RangeArgs, location="query")
    @produces(blp, "CSV with Korean headers (UTF-8 with BOM)", CSV)
    def get(self, args):
        """The metrics as CSV with Korean headers (UTF-8 with BOM)."""
        body = export.to_csv(service.metric_rows(args))
        return _csv(body, "metrics")


@blp.route("/metrics.xlsx")
class MetricsXlsx(MethodView):
    @allow(*READERS)
    @blp.arguments(RangeArgs, location="query")
    @produces(blp, "An XLSX workbook", XLSX)
    def get(self, args):
        """The metrics as an XLSX sheet for printing (Korean headers, rates as percentages)."""
        months = service.month_range(args)
        body = xlsx.metrics_xlsx(months, service.metric_rows(args), service.scope_label(args))
        name = f"metrics-{months[0]}-{months[-1]}.xlsx"
        return Response(body, mimetype=XLSX, headers={
            "Content-Disposition": f'attachment; filename="{name}"'})


def _range_chart(args: dict, chart, stem: str):
    """A chart of the month range's metric rows, as the format asked, named stem-first-last."""
    months, rows = service.month_range(args), service.metric_rows(args)
    draw = chart(rows, months, service.scope_label(args))
    return _picture(draw, _picture_format(args), f"{stem}-{months[0]}-{months[-1]}")


@blp.route("/charts/on-time-trend")
class OnTimeTrendChart(MethodView):
    @allow(*READERS)
    @blp.arguments(RangeChartArgs, location="query")
    @produces(blp, "A chart: SVG (default) or PNG, by `format` or Accept", *CHART)
    def get(self, args):
        """Chart: on-time rate per department over the month range (SVG or PNG)."""
        return _range_chart(args, charts.on_time_trend, "on-time")


@blp.route("/charts/backlog")
class BacklogChart(MethodView):
    @allow(*READERS)
    @blp.arguments(RangeChartArgs, location="query")
    @produces(blp, "A chart: SVG (default) or PNG, by `format` or Accept", *CHART)
    def get(self, args):
        """Chart: open items older than 30 days at each month end, per department."""
        return _range_chart(args, charts.backlog, "backlog")


@blp.route("/charts/ranking-table")
class RankingTableChart(MethodView):
    @allow(*READERS)
    @blp.arguments(MonthChartArgs, location="query")
    @produces(blp, "A chart: SVG (default) or PNG, by `format` or Accept", *CHART)
    def get(self, args):
        """Chart: a month's ranking tables computed now (both kinds, or the `kind` asked)."""
        tables = service.live_tables(args)
        note = service.scope_label({**args, "kind": None}) + " (잠정 · provisional)"
        draw = charts.ranking_tables(args["month"], tables, note)
        return _picture(draw, _picture_format(args), f"ranking-{args['month']}",
                        charts.table_size(tables))


@blp.route("")
class Tables(MethodView):
    @allow(*READERS)
    @blp.arguments(MonthArgs, location="query")
    @blp.response(200, TablesSchema)
    def get(self, args):
        """A month's ranking tables computed now (not frozen), headquarters and dong offices."""
        tables = service.live_tables(args)
        return tables


@blp.route("/snapshots")
class Snapshots(MethodView):
    @allow(*READERS)
    @blp.arguments(SnapshotListArgs, location="query")
    @blp.response(200, SnapshotSchema(many=True))
    def get(self, args):
        """Frozen snapshots, newest first."""
        return snapshots.listing(args.get("from_month"), args.get("to_month"))

    @allow(*MANAGERS)
    @blp.arguments(ComputeArgs)
    @blp.response(202, ComputeResultSchema)
    def post(self, args):
        """Compute and freeze a completed month's ranking as its next version, with the
        `reason` given: done at once (the answer names the snapshot) unless jobs run on rq,
        where it is queued. 422
        `month_not_over` for the running or a future month, `month_before_data` before the
        year of the first finding."""
        snapshots.check_final(args["month"])  # at the door, not in a queued job
        result = jobs.enqueue_or_run_now(snapshots.compute_job, args["month"],
                                         access.current().user.id, args.get("reason"))
        snapshot_id = result if isinstance(result, int) else None
        return {"month": args["month"], "snapshot_id": snapshot_id,
                "status": "done" if snapshot_id else "queued"}


@blp.route("/snapshots/<int:snapshot_id>")
class SnapshotDetail(MethodView):
    @allow(*READERS)
    @blp.response(200, SnapshotDetailSchema)
    def get(self, snapshot_id):
        """One snapshot with its tables."""
        return snapshots.get(snapshot_id)


@blp.route("/snapshots/<int:snapshot_id>/csv")
class SnapshotCsv(MethodView):
    @allow(*READERS)
    @produces(blp, "CSV with Korean headers (UTF-8 with BOM)", CSV)
    def get(self, snapshot_id):
        """A snapshot's tables as CSV with Korean headers (UTF-8 with BOM)."""
        snapshot = snapshots.get(snapshot_id)
        return _csv(export.tables_csv(snapshot.tables),
                    f"ranking-{snapshot.month}-v{snapshot.version}")


@blp.route("/snapshots/<int:snapshot_id>/xlsx")
class SnapshotXlsx(MethodView):
    @allow(*READERS)
    @produces(blp, "An XLSX workbook", XLSX)
    def get(self, snapshot_id):
        """A snapshot's tables as an XLSX workbook for printing (one sheet per kind)."""
        snapshot = snapshots.get(snapshot_id)
        body = xlsx.tables_xlsx(snapshot.month, snapshot.version, snapshot.tables)
        name = f"ranking-{snapshot.month}-v{snapshot.version}.xlsx"
        return Response(body, mimetype=XLSX, headers={
            "Content-Disposition": f'attachment; filename="{name}"'})


@blp.route("/snapshots/<int:snapshot_id>/chart")
class SnapshotChart(MethodView):
    @allow(*READERS)
    @blp.arguments(ChartFormat, location="query")
    @produces(blp, "A chart: SVG (default) or PNG, by `format` or Accept", *CHART)
    def get(self, args, snapshot_id):
        """A frozen snapshot's ranking tables as a picture (SVG or PNG)."""
        snapshot = snapshots.get(snapshot_id)
        note = f" (확정 v{snapshot.version} · final)"
        draw = charts.ranking_tables(snapshot.month, snapshot.tables, note)
        return _picture(draw, _picture_format(args),
                        f"ranking-{snapshot.month}-v{snapshot.version}",
                        charts.table_size(snapshot.tables))


@blp.route("/awards")
class Awards(MethodView):
    @allow(*READERS)
    @blp.arguments(YearArgs, location="query")
    @blp.response(200, AwardsSchema)
    def get(self, args):
        """The year's awards (최우수, 우수) per department kind from the latest snapshots."""
        return awards.awards(args["year"])


@blp.route("/awards.csv")
class AwardsCsv(MethodView):
    @allow(*READERS)
    @blp.arguments(YearArgs, location="query")
    @produces(blp, "CSV with Korean headers (UTF-8 with BOM)", CSV)
    def get(self, args):
        """The year's awards as CSV with Korean headers; X-Months-Missing names absent months."""
        result = awards.awards(args["year"])
        return _csv(export.awards_csv(result), f"awards-{args['year']}", _missing_header(result))


@blp.route("/awards.xlsx")
class AwardsXlsx(MethodView):
    @allow(*READERS)
    @blp.arguments(YearArgs, location="query")
    @produces(blp, "An XLSX workbook", XLSX)
    def get(self, args):
        """The year's awards as an XLSX workbook for printing (one sheet per kind, warning)."""
        result = awards.awards(args["year"])
        return _xlsx(xlsx.awards_xlsx(result), f"awards-{args['year']}", _missing_header(result))
