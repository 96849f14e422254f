"""Creating a finding from observations: reference, position, events, routing, fates."""
from datetime import datetime

from patrol_api.extensions import db
from patrol_api.findings import dispatch, fates, journal, members, references
from patrol_api.findings import lifecycle as lc
from patrol_api.models import Finding, Observation


def create(observations: list[Observation], at: datetime, *, actor=None, category=None,
           data: dict | None = None) -> Finding:
    """A new finding of these observations, created and routed (no department: coordination).

    `data` adds facts to the created event (recurrence_of_id, split_from_id).
    """
    first = observations[0]
    category = category or first.category
    summary = members.summary(observations)
    identity = {"category_id": category.id, "site_id": first.site_id,
                "area_id": first.area_id, "priority": category.default_priority}
    finding = Finding(reference=references.next_reference(at), state=lc.NEW, is_open=True,
                      event_count=0, category=category, channel=first.channel,
                      **identity, **summary)
    db.session.add(finding)
    db.session.flush()
    ids = [obs.id for obs in observations]
    journal.append(finding, "created", actor=actor, to_state=lc.NEW, department_id=None,
                   at=at, data={**identity, **summary, **(data or {}), "observation_ids": ids,
                         "channel": first.channel})
    members.link(finding, observations)
    dispatch.route(finding, at, actor)
    db.session.flush()
    for obs in observations:
        fates.set_fate(finding, obs)
    return finding



def add(finding: Finding, observations: list[Observation], at, kind: str = "observed",
           actor=None, data: dict | None = None) -> Finding:
    """Merge observations into an open finding (an event; their fate: merged)."""
    summary = members.summary_after_adding(finding, observations)
    ids = [obs.id for obs in observations]
    journal.append(finding, kind, actor=actor, at=at,
                   data={**summary, **(data or {}), "observation_ids": ids})
    members.link(finding, observations)
    for obs in observations:
        fates.set_fate(finding, obs, merged=True)
    return finding
