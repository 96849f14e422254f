"""Managers' corrections: merge two findings, split observations off one, undo either.

Every step is an event on each finding involved, with the reason; undo reads the original
event to know which observations to move back and which state to restore.
"""
from patrol_api.auth.roles import Role
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.findings import creation, fates, journal, members
from patrol_api.findings import lifecycle as lc
from patrol_api.findings.actions import load
from patrol_api.models import Finding, FindingEvent, Observation, User


def managers_only(user: User) -> None:
    """403 unless the user is a manager or an admin."""
    if Role(user.role) not in lc.MANAGERS:
        raise ApiError(403, "forbidden", "Only managers merge, split and undo.")


def _remaining_summary(finding: Finding, leaving: set[int]) -> dict:
    """The finding's position summary without the leaving observations (none left: {})."""
    staying = [obs for obs in members.observations_of(finding.id) if obs.id not in leaving]
    return members.summary(staying) if staying else {}


def merge(user: User, source_id: int, target_id: int, reason: str, note: str | None) -> Finding:
    """Merge the source finding into the target; returns the target."""
    source = load(user, source_id)
    target = load(user, target_id)
    lc.check("merge", source.state, user.role)
    lc.check_reason("merge", reason)
    if target.id == source.id or not target.is_open:
        raise ApiError(409, "invalid_merge_target", "Merge into another open finding.",
                       "into_finding_id")
    observations = members.observations_of(source.id)
    ids = [obs.id for obs in observations]
    at = journal.now()
    journal.append(source, "merge", actor=user, to_state=lc.MERGED, reason=reason, note=note,
                   at=at, data={"merged_into_id": target.id, "observation_ids": ids})
    creation.add(target, observations, at, kind="absorbed", actor=user,
                 data={"source_id": source.id})
    return target


def split(user: User, finding_id: int, observation_ids: list[int], reason: str,
          note: str | None) -> Finding:
    """Move observations off a finding into a new, newly routed one; returns the new one."""
    finding = load(user, finding_id)
    managers_only(user)
    lc.check_reason("split", reason)
    leaving = _leaving(finding, observation_ids)
    at = journal.now()
    new = creation.create(leaving, at, actor=user, category=finding.category,
                          data={"split_from_id": finding.id})
    ids = [obs.id for obs in leaving]
    journal.append(finding, "split", actor=user, reason=reason, note=note, at=at,
                   data={**_remaining_summary(finding, set(ids)), "observation_ids": ids,
                         "new_finding_id": new.id})
    return new


def _leaving(finding: Finding, observation_ids: list[int]) -> list[Observation]:
    """The named observations of the finding; at least one must stay behind."""
    if not finding.is_open:
        raise ApiError(409, "finding_closed", "Only an open finding can be split.")
    own = {obs.id: obs for obs in members.observations_of(finding.id)}
    wanted = set(observation_ids)
    if not wanted or not wanted <= own.keys() or wanted == own.keys():
        raise ApiError(422, "invalid_split", "Name some (not all) of the finding's "
                       "observations.", "observation_ids")
    return [own[obs_id] for obs_id in sorted(wanted)]


def undo(user: User, finding_id: int, event_id: int, note: str | None) -> Finding:
    """Undo a merge (event on the merged finding) or a split (event on the original)."""
    finding = load(user, finding_id)
    managers_only(user)
    event = _event(finding, event_id)
    if event.kind == "merge":
        return _unmerge(user, finding, event, note)
    return _unsplit(user, finding, event, note)


def _event(finding: Finding, event_id: int) -> FindingEvent:
    """A merge or split event of this finding."""
    event = db.session.get(FindingEvent, event_id)
    if event is None or event.finding_id != finding.id:
        raise ApiError(404, "not_found", "No such event of this finding.")
    if event.kind not in ("merge", "split"):
        raise ApiError(422, "not_undoable", "Only merges and splits can be undone.", "event")
    return event


def _unmerge(user: User, source: Finding, event: FindingEvent, note: str | None) -> Finding:
    """Give a merged finding its observations and its state back."""
    if source.state != lc.MERGED or source.merged_into_id != event.data["merged_into_id"]:
        raise ApiError(409, "already_undone", "This merge has been undone or superseded.")
    target = load(user, source.merged_into_id)
    _still_open(target, "merge_target_closed", "The finding it was merged into is closed "
                f"({target.state}); its observations stay with the decision taken there.")
    returning = _still_in(target, event.data["observation_ids"])
    ids = [obs.id for obs in returning]
    at = journal.now()
    journal.append(target, "released", actor=user, note=note, at=at,
                   data={**_remaining_summary(target, set(ids)), "observation_ids": ids,
                         "undo_event_id": event.id})
    journal.append(source, "unmerge", actor=user, to_state=event.from_state, note=note, at=at,
                   data={**members.summary(returning), "merged_into_id": None,
                         "undo_event_id": event.id})
    members.link(source, returning)
    fates.refresh(source)
    return source


def _unsplit(user: User, original: Finding, event: FindingEvent, note: str | None) -> Finding:
    """Merge the split-off finding back into the original."""
    new = load(user, event.data["new_finding_id"])
    if new.state == lc.MERGED and new.merged_into_id == original.id:
        raise ApiError(409, "already_undone", "This split has been undone already.")
    _still_open(new, "split_finding_closed", f"The split-off finding is closed ({new.state}); "
                "its observations stay with the decision taken there.")
    _still_open(original, "finding_closed", f"This finding is closed ({original.state}); "
                "reopen it before taking observations back.")
    returning = _still_in(new, event.data["observation_ids"])
    at = journal.now()
    journal.append(new, "merge", actor=user, to_state=lc.MERGED, reason="undo_split",
                   note=note, at=at, data={"merged_into_id": original.id,
                                           "observation_ids": [o.id for o in returning]})
    creation.add(original, returning, at, kind="absorbed", actor=user,
                 data={"source_id": new.id, "undo_event_id": event.id})
    return original


def _still_open(finding: Finding, code: str, message: str) -> None:
    """409 with the given code unless the finding is still open (resolved counts as open)."""
    if not finding.is_open:
        raise ApiError(409, code, message, finding_id=finding.id, state=finding.state)


def _still_in(finding: Finding, observation_ids: list[int]) -> list[Observation]:
    """Those of the observations that are still in the finding (409 when none)."""
    found = [obs for obs in members.observations_of(finding.id) if obs.id in observation_ids]
    if not found:
        raise ApiError(409, "already_undone", "None of these observations is still there.")
    return found
