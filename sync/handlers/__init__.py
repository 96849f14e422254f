"""Mutation handlers by type: each takes (batch, mutation), returns a result or raises Rejected.

Future record types (checklist answers, patrol runs, "fix verified" actions) plug in here.
"""
from sync.handlers import observations

HANDLERS = {
    "observation.create": observations.create,
    "observation.update": observations.update,
    "observation.delete": observations.delete,
}
