"""Monthly evaluation of departments: facts from finding events, metrics, ranking, snapshots."""
