"""Concurrent edits: which fields overlap, the rule that decides, and the losing value kept.

Rule: for a field another device (or the server) changed after the version the edit started
from, the server's current value stays ("first write wins") and the device's value is kept
in a SyncConflict row and returned to the device. A device never conflicts with its own
earlier edits: its mutations are applied in its own seq order. Edits of a deleted record
lose to the delete ("delete wins"). Fields changed by only one side merge.
"""
from patrol_api.models import SyncConflict

FIRST_WRITE_WINS = "first_write_wins"
DELETE_WINS = "delete_wins"


def overlaps(stamp, base_version: int, device_id: int) -> bool:
    """True when a field's last change is newer than the base and made by someone else."""
    if not stamp:
        return False
    version, changed_by = stamp
    return version > base_version and changed_by != device_id


def keep(batch, mutation, record, field: str, server_value, device_value,
         rule: str) -> SyncConflict:
    """Store the losing device value beside the winning server value."""
    conflict = SyncConflict(
        entity_type=mutation.type.partition(".")[0], entity_id=mutation.entity_id,
        field=field, server_value=server_value, device_value=device_value,
        base_version=mutation.base_version, server_version=record.version,
        device_id=batch.device.id, user_id=batch.user.id, mutation_id=mutation.id, rule=rule)
    batch.session.add(conflict)
    return conflict


def describe(conflict: SyncConflict) -> dict:
    """A conflict as the push result lists it."""
    return {"field": conflict.field, "server_value": conflict.server_value,
            "device_value": conflict.device_value, "rule": conflict.rule,
            "conflict_id": conflict.id}
