"""Schedules of recurring patrols and inspections, their occurrences, the warranty programme."""
from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from patrol_api import dates
from patrol_api.auth.access import AUTHENTICATED, allow
from patrol_api.auth.roles import Role
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.pagination import PAGINATION, SelectPage
from patrol_api.models import Site
from patrol_api.models.base import utcnow
from patrol_api.models.patrols import (
    OCCURRENCE_STATES,
    Schedule,
    ScheduleOccurrence,
    WarrantyNotice,
)
from patrol_api.patrols import lookup, schedules, warranty
from patrol_api.patrols.schemas import (
    ID,
    OccurrenceSchema,
    ScheduleSchema,
    WarrantyNoticeSchema,
    WarrantyPlanSchema,
)
from patrol_api.reference.service import save

blp = Blueprint("schedules", __name__, description="Patrol and inspection schedules, warranty")
blp.DEFAULT_PAGINATION_PARAMETERS = PAGINATION
MANAGERS = (Role.ADMIN, Role.MANAGER)


class OccurrenceArgs(Schema):
    """Filters of the occurrence list."""

    status = fields.String(validate=validate.OneOf(OCCURRENCE_STATES))
    schedule_id = fields.Integer(validate=ID)
    since = dates.Date(metadata={"description": "Only occurrences due on or after this day"})


@blp.route("/patrol-schedules")
class Schedules(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, ScheduleSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """List schedules."""
        return sa.select(Schedule).order_by(Schedule.code, Schedule.id)

    @allow(*MANAGERS)
    @blp.arguments(ScheduleSchema)
    @blp.response(201, ScheduleSchema)
    def post(self, data):
        """Create a schedule; its occurrences are generated ahead at once."""
        schedule = schedules.create(data)
        schedules.generate(schedule, utcnow())
        save()
        return schedule, 201


@blp.route("/patrol-schedules/<int:schedule_id>")
class ScheduleItem(MethodView):
    @allow(AUTHENTICATED)
    @blp.response(200, ScheduleSchema)
    def get(self, schedule_id):
        """One schedule."""
        return lookup.get(Schedule, schedule_id, "schedule")

    @allow(*MANAGERS)
    @blp.arguments(ScheduleSchema(partial=True))
    @blp.response(200, ScheduleSchema)
    def patch(self, data, schedule_id):
        """Change a schedule (future planned occurrences are generated anew)."""
        schedule = lookup.get(Schedule, schedule_id, "schedule")
        now = utcnow()
        schedules.update(schedule, data, now)
        if schedule.active:
            schedules.generate(schedule, now)
        save()
        return schedule


@blp.route("/patrol-schedules/occurrences")
class Occurrences(MethodView):
    @allow(AUTHENTICATED)
    @blp.arguments(OccurrenceArgs, location="query")
    @blp.response(200, OccurrenceSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, args):
        """Occurrences by due time; status=missed lists the missed ones."""
        stmt = sa.select(ScheduleOccurrence)
        if args.get("status"):
            stmt = stmt.where(ScheduleOccurrence.status == args["status"])
        if args.get("schedule_id"):
            stmt = stmt.where(ScheduleOccurrence.schedule_id == args["schedule_id"])
        if args.get("since"):
            since = datetime.combine(args["since"], time(0), UTC)
            stmt = stmt.where(ScheduleOccurrence.due_at >= since)
        return stmt.order_by(ScheduleOccurrence.due_at, ScheduleOccurrence.id)


@blp.route("/warranty/plans")
class WarrantyPlans(MethodView):
    @allow(*MANAGERS)
    @blp.arguments(WarrantyPlanSchema)
    @blp.response(201, ScheduleSchema)
    def post(self, data):
        """Schedule the semi-annual inspections of a site until its warranty ends."""
        site = lookup.get(Site, data["site_id"], "site")
        schedule = warranty.plan(site, data["start_on"])
        schedules.generate(schedule, utcnow())
        save()
        return schedule, 201


@blp.route("/warranty/notices")
class WarrantyNotices(MethodView):
    @allow(*MANAGERS)
    @blp.response(200, WarrantyNoticeSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """The warnings sent to departments before warranties end, latest first."""
        return sa.select(WarrantyNotice).order_by(WarrantyNotice.notified_at.desc(),
                                                  WarrantyNotice.id)
