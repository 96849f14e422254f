"""Mutation envelopes: parsed leniently so that one bad item never blocks the others."""
import uuid
from dataclasses import dataclass, field

from sync import schemas, storable
from sync.errors import Rejected

_ENVELOPE = schemas.MutationSchema()  # marshmallow schemas are reusable: build it once


@dataclass
class Mutation:
    """One mutation of a push; `problem` is set when its envelope is invalid."""

    index: int
    id: str | None
    seq: int | None
    type: str
    entity_id: str | None
    base_version: int | None = None
    data: dict = field(default_factory=dict)
    problem: Rejected | None = None

    @property
    def recordable(self) -> bool:
        """True when the ledger can hold it: its id and seq are readable."""
        return self.id is not None and self.seq is not None


def parse_all(raw_mutations: list, types) -> list[Mutation]:
    """The Mutations of a push, in request order; each invalid one carries its problem."""
    suspect = storable.suspect(raw_mutations)
    return [parse(index, raw, types, suspect) for index, raw in enumerate(raw_mutations)]


def parse(index: int, raw, types, suspect: bool = True) -> Mutation:
    """A Mutation from one raw item; an invalid one carries its problem. `suspect` False
    says the item's text is known to be storable."""
    if not isinstance(raw, dict):
        return Mutation(index, None, None, "", None, problem=Rejected(
            "validation_error", "A mutation must be a JSON object.", None))
    unstorable = storable.first_unstorable(raw) if suspect else None
    if unstorable is not None:
        return _invalid(index, raw, Rejected("validation_error", f"{unstorable}: Text must "
                                             "not contain NUL characters or unpaired "
                                             "surrogates.", unstorable))
    mutation = _plain(index, raw)
    if mutation is None:  # not plainly valid: the schema accepts it or words the rejection
        try:
            valid = schemas.load(_ENVELOPE, raw)
        except Rejected as problem:
            return _invalid(index, raw, problem)
        mutation = Mutation(index, str(valid["id"]), valid["seq"], valid["type"],
                            str(valid["entity_id"]), valid["base_version"], valid["data"] or {})
    if mutation.type not in types:
        mutation.problem = Rejected("unknown_type", f"Unknown mutation type "
                                    f"'{mutation.type}'; use one of {sorted(types)}.", "type")
    return mutation


_KEYS = frozenset({"id", "seq", "type", "entity_id", "base_version", "data"})


def _plain(index: int, raw: dict) -> Mutation | None:
    """The Mutation the envelope schema would load from a plainly valid item, else None."""
    seq, kind, base = raw.get("seq"), raw.get("type"), raw.get("base_version")
    data = raw.get("data")
    data = {} if data is None else data  # null data is no data, as an absent one
    if not raw.keys() <= _KEYS or type(seq) is not int or not 1 <= seq <= schemas.MAX_SEQ:
        return None
    if type(kind) is not str or not 1 <= len(kind) <= 40 or type(data) is not dict:
        return None
    if base is not None and (type(base) is not int or not 1 <= base <= schemas.MAX_VERSION):
        return None
    mutation_id, entity_id = _uuid(raw.get("id")), _uuid(raw.get("entity_id"))
    if mutation_id is None or entity_id is None:
        return None
    return Mutation(index, mutation_id, seq, kind, entity_id, base, dict(data))


def _invalid(index: int, raw: dict, problem: Rejected) -> Mutation:
    """An invalid mutation, keeping whatever of its id, seq and entity can be read."""
    seq = raw.get("seq")
    seq = seq if type(seq) is int and 1 <= seq <= schemas.MAX_SEQ else None
    kind = raw.get("type")
    kind = kind if isinstance(kind, str) and storable.storable(kind) else ""
    return Mutation(index, _uuid(raw.get("id")), seq, kind,
                    _uuid(raw.get("entity_id")), problem=problem)


def _uuid(value) -> str | None:
    """The canonical text of a UUID, or None."""
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None
