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
