"""Observations changed on the phone after intake: the finding follows the edit or the delete.

Called by the sync handlers inside the push transaction, in the savepoint of the mutation,
so the reaction commits with the edit and its ledger row or not at all: a replayed mutation
is answered from the ledger and never reacts twice, and no crash can leave an edit without
its reaction (an after-commit job could be lost between the commit and its run). The push
already holds the findings writers' lock (the change counter), and edits are rare next to
creates, whose intake stays after commit.

- Edit of category, site or position of an observation in a finding: if it still belongs
  there (compatible category, and the same registered site or within the category's radius
  of the finding's other observations), only the derived values are recomputed (event
  `observation_changed`). Otherwise it is split off by the system (event `detached` with the
  reason) and taken in again like a new observation (merge, recurrence or a new finding).
- Delete: the observation is detached (reason `deleted`) and the derived values recomputed.
- An open finding left with no observation is closed as rejected, reason `withdrawn`, by
  the system; a resolved or closed one keeps its state (the work or decision stands).
"""
from types import SimpleNamespace

from patrol_api.extensions import db
from patrol_api.findings import intake, journal, members, merge
from patrol_api.findings import lifecycle as lc
from patrol_api.models import Finding, Observation

# Edited units that can move an observation out of its finding, strongest reason first.
EDIT_REASONS = {"category_code": "category_changed", "site_code": "site_changed",
                "position": "moved"}


def observation_edited(obs: Observation, units) -> Finding | None:
    """React to an edit; returns the observation's finding afterwards (None: not taken in)."""
    touched = [unit for unit in EDIT_REASONS if unit in units]
    finding = _finding_of(obs)
    if not touched or finding is None or obs.deleted_at is not None:
        return finding
    at = journal.now()
    others = [o for o in members.observations_of(finding.id) if o.id != obs.id]
    if belongs(obs, finding, others):
        journal.append(finding, "observation_changed", at=at, data={
            **members.summary([*others, obs]), "observation_id": obs.id, "fields": touched})
        return finding
    detach(finding, obs, others, EDIT_REASONS[touched[0]], at)
    obs.fate, obs.fate_reason = "received", None  # its fate is decided afresh by the intake
    db.session.flush()
    return intake.take_in(obs)


def observation_deleted(obs: Observation) -> None:
    """React to a delete: detach the observation from its finding."""
    finding = _finding_of(obs)
    if finding is None:
        return
    others = [o for o in members.observations_of(finding.id) if o.id != obs.id]
    detach(finding, obs, others, "deleted", journal.now())


def belongs(obs: Observation, finding: Finding, others: list[Observation]) -> bool:
    """True when the observation still matches its finding (see the module docstring)."""
    if obs.category_id not in merge.compatible_category_ids(finding.category):
        return False
    position = members.summary(others) if others else {"lat": finding.lat, "lon": finding.lon}
    reference = SimpleNamespace(site_id=finding.site_id, lat=position["lat"],
                                lon=position["lon"])
    return merge.distance_to(obs, reference, obs.category.merge_radius_m) is not None


def detach(finding: Finding, obs: Observation, others: list[Observation], reason: str,
           at) -> None:
    """Take the observation off the finding (system event); close an emptied open finding."""
    data = members.summary(others) if others else {"observation_count": 0}
    journal.append(finding, "detached", reason=reason, at=at,
                   data={**data, "observation_ids": [obs.id]})
    obs.finding_id = None
    if not others and finding.state in lc.OPEN_STATES:
        journal.append(finding, "withdrawn", to_state=lc.REJECTED, reason=lc.WITHDRAWN, at=at)


def _finding_of(obs: Observation) -> Finding | None:
    """The finding the observation is in, if any."""
    return db.session.get(Finding, obs.finding_id) if obs.finding_id is not None else None
