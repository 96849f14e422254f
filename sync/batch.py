"""The state of one push while its mutations are applied: who, the clock, caches, the ledger."""
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, lazyload

from patrol_api.models import Category, Device, Observation, Site, User
from sync.clock import Clock
from sync.ledger import Ledger

CHUNK = 500


@dataclass
class Batch:
    """One push: the author, the device, its clock, its ledger and lookup caches."""

    session: Session
    user: User
    device: Device
    clock: Clock
    ledger: Ledger
    observations: dict = field(default_factory=dict)
    references: dict = field(default_factory=dict)
    created: list = field(default_factory=list)  # observations the per-item path created
    created_ids: list = field(default_factory=list)  # ids the fast path inserted
    fast_entities: set = field(default_factory=set)  # entity ids taken by the fast path

    def new_observation_ids(self) -> list[int]:
        """Ids of the observations this push created (and kept): for the findings intake."""
        kept = [obs.id for obs in self.created if sa.inspect(obs).persistent]
        return sorted(set(kept) | set(self.created_ids))

    def prefetch(self, client_ids: list[str]) -> None:
        """Load the observations a batch names in a few queries."""
        for start in range(0, len(client_ids), CHUNK):
            chunk = client_ids[start:start + CHUNK]
            self.observations.update(dict.fromkeys(chunk))
            rows = self.session.execute(sa.select(Observation).where(
                Observation.client_id.in_(chunk))).scalars()
            self.observations.update({obs.client_id: obs for obs in rows})

    def observation(self, client_id: str) -> Observation | None:
        """The observation with this client id (any author), or None."""
        if client_id not in self.observations:
            self.prefetch([client_id])
        return self.observations[client_id]

    def forget(self, client_id: str | None) -> None:
        """Drop a cached observation whose insert was rolled back."""
        obs = self.observations.get(client_id)
        if obs is not None and not sa.inspect(obs).persistent:
            self.observations.pop(client_id)

    def prefetch_references(self, model, codes) -> None:
        """Look up the live records of these codes in one query (cached for the push)."""
        wanted = sorted({code for code in codes if isinstance(code, str)}
                        - {c for m, c in self.references if m is model})
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            self.references.update(((model, code), None) for code in chunk)
            rows = self.session.execute(sa.select(model).where(
                model.code.in_(chunk), model.deleted_at.is_(None))
                .options(lazyload("*"))).scalars()
            self.references.update(((model, row.code), row) for row in rows)

    def category(self, code: str) -> Category | None:
        """A live category by code (cached for the push)."""
        return self._reference(Category, code)

    def site(self, code: str) -> Site | None:
        """A live site by code (cached for the push)."""
        return self._reference(Site, code)

    def _reference(self, model, code: str):
        """A live reference record by code, looked up once per push."""
        key = (model, code)
        if key not in self.references:  # relationships load on use, not with the record
            self.references[key] = self.session.execute(
                sa.select(model).where(model.code == code, model.deleted_at.is_(None))
                .options(lazyload("*"))).scalar()
        return self.references[key]
