"""Campaigns and checklist templates in the pull: only the user's active campaigns.

A user holds a campaign that is live, has not ended (Seoul date) and lists their team
(managers, admins and viewers hold every such campaign; a citizen auditor also each campaign
of a run they are on), and the published templates those campaigns use. Joining a campaign
run changes an auditor's scope, so their next pull with an older cursor is answered
`full_resync_required` and the full download brings the campaign (see sync.scope). A
changed campaign the user does not hold travels as a tombstone, and so does its template
when no held campaign uses it; the template of a newly held campaign travels with it, at the
campaign's seq (unless the template changed in the same window itself). Tombstones may name
records a phone never had: it ignores them. `restamp_ended` (run by `patrols tick`) gives
campaigns that ended a new seq so their tombstones reach the phones.
"""
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from patrol_api.extensions import db
from patrol_api.findings.calendar import SEOUL
from patrol_api.models.patrols import Campaign, ChecklistTemplate
from patrol_api.patrols.schemas import CampaignSchema, TemplateSchema
from sync.scope import Scope
from sync.window import Window, entry

CAMPAIGNS, TEMPLATES = "campaigns", "checklist-templates"
_campaign_dump, _template_dump = CampaignSchema().dump, TemplateSchema().dump


def today() -> date:
    """The district's date (campaign windows are local dates)."""
    return datetime.now(SEOUL).date()


def holds(scope: Scope, campaign: Campaign, on: date) -> bool:
    """True when the user's phone holds this campaign."""
    live = campaign.deleted_at is None and campaign.ends_on >= on
    return live and (scope.sees_all or (scope.team is not None and scope.team in campaign.teams)
                     or campaign.id in scope.run_campaign_ids)


def _held_template_ids(scope: Scope, on: date) -> set[int]:
    """Templates used by the campaigns the user holds."""
    live = db.session.execute(sa.select(Campaign).where(
        Campaign.deleted_at.is_(None), Campaign.ends_on >= on)).scalars()
    return {c.template_id for c in live if holds(scope, c, on)}


def campaigns(window: Window) -> list:
    """Changed campaigns: held ones with their template, the others as tombstones."""
    rows = db.session.execute(sa.select(Campaign).where(*window.of(Campaign.change_seq))
                              .order_by(Campaign.change_seq).limit(window.limit)).scalars().all()
    if not rows:
        return []
    on = today()
    held_templates = _held_template_ids(window.scope, on)
    entries = []
    for campaign in rows:
        seq, template = campaign.change_seq, campaign.template
        if holds(window.scope, campaign, on):
            if template.change_seq <= window.since and template.published_at is not None \
                    and template.deleted_at is None:  # else `templates` sends it
                entries.append(entry(seq, TEMPLATES, "upsert", template.id,
                                     _template_dump(template)))
            entries.append(entry(seq, CAMPAIGNS, "upsert", campaign.id, _campaign_dump(campaign)))
            continue
        if template.id not in held_templates:
            entries.append(entry(seq, TEMPLATES, "delete", template.id, None))
        entries.append(entry(seq, CAMPAIGNS, "delete", campaign.id, None))
    return entries


def templates(window: Window) -> list:
    """Changed templates: upserts of those held campaigns use, tombstones of the others."""
    rows = db.session.execute(
        sa.select(ChecklistTemplate).where(*window.of(ChecklistTemplate.change_seq))
        .order_by(ChecklistTemplate.change_seq).limit(window.limit)).scalars().all()
    if not rows:
        return []
    held = _held_template_ids(window.scope, today())
    return [entry(t.change_seq, TEMPLATES, "upsert", t.id, _template_dump(t))
            if t.id in held and t.published_at is not None and t.deleted_at is None
            else entry(t.change_seq, TEMPLATES, "delete", t.id, None) for t in rows]


def restamp_ended(on: date | None = None) -> int:
    """Job: give a new change seq to campaigns that ended and were not changed since; commits.

    A campaign whose last change predates the end of its last day is touched once; the touch
    moves updated_at past that moment, so a later run leaves it alone.
    """
    on = on or today()
    ended = db.session.execute(sa.select(Campaign).where(
        Campaign.deleted_at.is_(None), Campaign.ends_on < on)).scalars().all()
    touched = 0
    for campaign in ended:
        end = datetime.combine(campaign.ends_on + timedelta(days=1), time(), SEOUL)
        if campaign.updated_at < end:
            campaign.updated_at = max(datetime.now(SEOUL), end)
            touched += 1
    db.session.commit()
    return touched
