"""Inspections and site checks as recorded (far-from-site and campaign flags), and the site
coverage view: what the caller may read of them (see patrol_api.patrols.visibility)."""
from flask.views import MethodView

from patrol_api.auth import access
from patrol_api.auth.access import allow
from patrol_api.http.blueprint import Blueprint
from patrol_api.http.pagination import PAGINATION, SelectPage
from patrol_api.patrols import coverage, listing
from patrol_api.patrols.inspection_schemas import (
    CoverageArgs,
    CoverageSchema,
    InspectionArgs,
    InspectionSchema,
    SiteCheckArgs,
    SiteCheckSchema,
)
from patrol_api.patrols.visibility import READERS
from patrol_api.photos import exif_privacy

blp = Blueprint("inspections", __name__, description="Inspections, site checks, site coverage")
blp.DEFAULT_PAGINATION_PARAMETERS = PAGINATION


class InspectionPage(SelectPage):
    """A page of inspections, each shown to the caller's role (EXIF facts: see exif_privacy)."""

    @property
    def items(self):
        """The page's inspections, wrapped for the caller."""
        return exif_privacy.shown_to(access.current().user.role, super().items)


class CheckPage(SelectPage):
    """A page of site checks, each with the campaign of its run."""

    @property
    def items(self):
        """The page's checks."""
        return listing.with_campaigns(super().items)


class CoveragePage(SelectPage):
    """A page of sites, turned into their coverage in bulk."""

    @property
    def items(self):
        """The page's sites with their latest inspection and check."""
        return coverage.records(access.current().user, super().items)


@blp.route("/inspections")
class Inspections(MethodView):
    @allow(*READERS)
    @blp.arguments(InspectionArgs, location="query")
    @blp.response(200, InspectionSchema(many=True))
    @blp.paginate(InspectionPage)
    def get(self, args):
        """Inspections, latest first: far_from_site, campaign flags, answers and failures.

        Patrol officers see their own, their team's and their runs'; citizen auditors their
        own. The answer photo's position and distance (`photo_lat`, `photo_lon`,
        `photo_distance_m`) are shown to managers and admins only."""
        return listing.inspections(access.current().user, args)


@blp.route("/site-checks")
class SiteChecks(MethodView):
    @allow(*READERS)
    @blp.arguments(SiteCheckArgs, location="query")
    @blp.response(200, SiteCheckSchema(many=True))
    @blp.paginate(CheckPage)
    def get(self, args):
        """Site checks (ok: inspected, no problem), latest first, on a run or not.

        Patrol officers see their own, their team's and their runs'; citizen auditors their
        own."""
        return listing.site_checks(access.current().user, args)


@blp.route("/sites/coverage")
class Coverage(MethodView):
    @allow(*READERS)
    @blp.arguments(CoverageArgs, location="query")
    @blp.response(200, CoverageSchema(many=True))
    @blp.paginate(CoveragePage)
    def get(self, args):
        """Per live site: last inspection, last site check (on a run or not), latest result.

        Never-seen sites first, then the longest unseen. Counts what the caller may read."""
        return coverage.select_sites(access.current().user, args)
