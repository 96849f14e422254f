"""Warranty defects (하자): a finding at a registered site still under warranty, of a category
whose group is a defect group (FINDING_DEFECT_GROUPS), reported on or before the warranty end.

Such a finding is routed to the site's owning department (which has the contractor fix it)
and its resolve due date is the warranty deadline when that comes before the business-time
target: the close of business of the warranty's last day (the last business day on or before
it). A warranty deadline already past when the department receives the finding does not cap
anything (the defect was reported in time; the normal target applies).
"""
from datetime import date, datetime, timedelta

from patrol_api.findings import deadlines, settings
from patrol_api.findings.calendar import SEOUL
from patrol_api.models import Finding, Site

WARRANTY = "warranty"  # routing_outcome of a defect routed to the site's owner


def warranty_site(finding: Finding) -> Site | None:
    """The finding's site when the finding is a warranty defect of it, else None."""
    site = finding.site
    if site is None or site.warranty_end is None or finding.category is None:
        return None
    if finding.category.group not in settings.get("FINDING_DEFECT_GROUPS"):
        return None
    if finding.first_seen_at.astimezone(SEOUL).date() > site.warranty_end:
        return None
    return site


def deadline(warranty_end: date) -> datetime:
    """Close of business of the last business day on or before the warranty end."""
    cal = deadlines.calendar()
    day = warranty_end
    while not cal.is_business_day(day):
        day -= timedelta(days=1)
    return cal.working_periods(day)[-1][1]


def capped(finding: Finding, dues: dict, start: datetime) -> dict:
    """Due dates with the resolve date moved to the warranty deadline when that is earlier."""
    site = warranty_site(finding)
    if site is None or dues.get("resolve_due_at") is None:
        return dues
    end = deadline(site.warranty_end)
    if start < end < dues["resolve_due_at"]:
        return {**dues, "resolve_due_at": end, "due_reason": "warranty_end"}
    return dues


def routing_facts(site: Site) -> dict:
    """What the routed event records about the warranty."""
    return {"routing_rule_id": None, "routing_outcome": WARRANTY,
            "warranty_end": site.warranty_end.isoformat(), "contractor": site.contractor}
