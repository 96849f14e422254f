"""Recurrence (반복민원): an observation at the spot of a finding verified as fixed within the
category's recurrence window.

Rule: if that finding was closed at most FINDING_REOPEN_WITHIN_DAYS ago (default 14) it is
reopened (the fix did not hold) and the observation joins it; otherwise a new finding is
created with `recurrence_of_id` pointing at it. Either way the closed finding counts one more
recurrence (`recurrence_count`, event "recurred").
"""
from datetime import timedelta

from patrol_api.findings import creation, dispatch, fates, journal, merge, settings
from patrol_api.findings import lifecycle as lc
from patrol_api.models import Finding, Observation


def recent_closed(obs: Observation) -> Finding | None:
    """The nearest verified finding at the spot closed within the recurrence window."""
    category = obs.category
    since = obs.recorded_at - timedelta(days=category.recurrence_window_days)
    candidates = merge.nearby(obs, category, False,
                              [Finding.state == lc.VERIFIED, Finding.closed_at >= since])
    return merge.nearest(obs, candidates, category.merge_radius_m)


def take_in(obs: Observation, at) -> Finding | None:
    """Handle a recurrence: the reopened or the new linked finding; None if no recurrence."""
    previous = recent_closed(obs)
    if previous is None:
        return None
    if at - previous.closed_at <= timedelta(days=settings.get("FINDING_REOPEN_WITHIN_DAYS")):
        return reopen(previous, obs, at)
    new = creation.create([obs], at, data={"recurrence_of_id": previous.id})
    journal.append(previous, "recurred", at=at, data={"finding_id": new.id, "reopened": False})
    return new


def reopen(finding: Finding, obs: Observation, at) -> Finding:
    """Reopen a recently closed finding with the new observation; fresh due dates."""
    journal.append(finding, "recurred", at=at, data={"finding_id": finding.id,
                                                     "reopened": True})
    data = dispatch.assignment_data(finding, at) if finding.department_id else {}
    journal.append(finding, "reopen", to_state=lc.REOPENED, reason="recurred", at=at,
                   data={**data, "observation_id": obs.id})
    fates.refresh(finding)
    return creation.add(finding, [obs], at)
