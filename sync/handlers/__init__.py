"""Mutation handlers by type: each takes (batch, mutation), returns a result or raises Rejected.

Future record types (checklist answers, patrol runs, "fix verified" actions) plug in here.
"""
from sync.handlers import observations, patrols

HANDLERS = {
    "observation.create": observations.create,
    "observation.update": observations.update,
    "observation.delete": observations.delete,
    "patrol_run.start": patrols.run_start,
    "patrol_run.update": patrols.run_update,
    "patrol_run.end": patrols.run_end,
    "track.append": patrols.track_append,
    "site_check.record": patrols.site_check,
    "inspection.submit": patrols.inspection_submit,
}


def current_record(batch, mutation_type: str, entity_id: str | None) -> dict | None:
    """The record of a mutation's entity as it is now, for the pushing user (the answer to a
    replay); None for types without records or an entity the user cannot see."""
    if entity_id is None:
        return None
    if mutation_type.startswith("observation."):
        return observations.current_record(batch, entity_id)
    if mutation_type.startswith("patrol_run.") or mutation_type == "track.append":
        return patrols.current_run_record(batch, entity_id)
    return None
