"""The mutation ledger: the result each device mutation got, and the device's high-water marks."""
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from patrol_api.models import AppliedMutation, DeviceSyncState
from patrol_api.models.base import utcnow

CHUNK = 500  # ids per IN list


class Ledger:
    """One device's ledger during one push: stored results and the seqs processed so far."""

    def __init__(self, session: Session, device_id: int, mutation_ids: list[str]):
        self.session, self.device_id = session, device_id
        self.results = self._stored(mutation_ids)
        self.state = session.get(DeviceSyncState, device_id) or self._new_state()
        self.processed = set(self._seqs_above(self.state.acked_through))
        self.claimed: set[int] = set()  # seqs of the fast path's pending run

    def _new_state(self) -> DeviceSyncState:
        """The sync state of a device's first push."""
        state = DeviceSyncState(device_id=self.device_id, acked_through=0, max_seq_seen=0)
        self.session.add(state)
        return state

    def _stored(self, mutation_ids: list[str]) -> dict[str, dict]:
        """The stored results of those of the mutations already processed."""
        found = {}
        lookup = _by_id_probes if self.session.get_bind().dialect.name == "postgresql" \
            else _by_id_list
        for start in range(0, len(mutation_ids), CHUNK):
            rows = self.session.execute(lookup(self.device_id, mutation_ids[start:start + CHUNK]))
            found.update((mutation_id, result) for mutation_id, result in rows if result)
        return found

    def _seqs_above(self, seq: int) -> list[int]:
        """Processed seqs above the contiguous mark (seqs after a gap)."""
        return list(self.session.execute(sa.select(AppliedMutation.device_seq).where(
            AppliedMutation.device_id == self.device_id,
            AppliedMutation.device_seq > seq)).scalars())

    def stored(self, mutation_id: str) -> dict | None:
        """The result a mutation got when first processed, or None."""
        return self.results.get(mutation_id)

    def seq_taken(self, seq: int) -> bool:
        """True when this seq is processed or claimed already; asked of a mutation whose id
        the ledger does not hold, it means another mutation of the device has the seq."""
        return seq <= self.state.acked_through or seq in self.processed or seq in self.claimed

    def claim(self, seq: int) -> None:
        """Hold a seq for a mutation that will be recorded with the fast path's run."""
        self.claimed.add(seq)

    def release_claims(self) -> None:
        """Forget the claims of a stored run (its recorded mutations are processed now)."""
        self.claimed.clear()

    def gap_below(self, seq: int) -> bool:
        """True when some seq below this one has not been processed yet."""
        return self.state.acked_through < seq - 1

    def add(self, mutation, result: dict) -> None:
        """Write the ledger row of a processed mutation (in the caller's transaction)."""
        self.session.add(AppliedMutation(
            device_id=self.device_id, mutation_id=mutation.id, device_seq=mutation.seq,
            type=mutation.type[:40], entity_id=mutation.entity_id, status=result["status"],
            result=result))

    def remember(self, mutation, result: dict) -> None:
        """Note a processed mutation once its savepoint committed; advance the marks."""
        self.results[mutation.id] = result
        self.processed.add(mutation.seq)
        while self.state.acked_through + 1 in self.processed:
            self.state.acked_through += 1

    def saw(self, seq: int) -> None:
        """Note the highest seq the device has sent."""
        self.state.max_seq_seen = max(self.state.max_seq_seen, seq)

    def close(self) -> dict:
        """Stamp the push time; the marks to answer with."""
        self.state.last_push_at = utcnow()
        return {"acked_through": self.state.acked_through,
                "max_seq_seen": self.state.max_seq_seen}


def _by_id_list(device_id: int, mutation_ids: list[str]):
    """(mutation_id, result) of the stored ones among the ids: one IN list."""
    return sa.select(AppliedMutation.mutation_id, AppliedMutation.result).where(
        AppliedMutation.device_id == device_id, AppliedMutation.mutation_id.in_(mutation_ids))


def _by_id_probes(device_id: int, mutation_ids: list[str]):
    """The same on PostgreSQL as one probe of the unique (device_id, mutation_id) index per
    id: with an IN list, a planner without fresh statistics (a ledger that grew fast) scans
    all of the device's rows instead, a cost that grows with the device's history."""
    ids = sa.func.unnest(sa.literal(mutation_ids, ARRAY(sa.String))).table_valued(
        "id").render_derived()
    result = sa.select(AppliedMutation.result).where(
        AppliedMutation.device_id == device_id,
        AppliedMutation.mutation_id == ids.c.id).scalar_subquery()
    return sa.select(ids.c.id, result)
