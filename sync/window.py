"""A window of the change stream as one pull asks for it, and the entries sources return.

An entry is (seq, UTF-8 JSON of {"kind", "op", "seq", "id", "record"}); sources return theirs
oldest first, and the page is joined from the texts.
"""
from dataclasses import dataclass

from patrol_api import jsoncodec
from sync.scope import Scope


@dataclass(frozen=True)
class Window:
    """Who pulls, the changes (since, upto] they ask for, how many rows per source at most."""

    scope: Scope
    since: int
    upto: int
    limit: int
    dialect: str = "sqlite"

    def of(self, column) -> list:
        """WHERE clauses: the change seq column lies in the window."""
        return [column > self.since, column <= self.upto]


def entry(seq: int, kind: str, op: str, key, record) -> tuple:
    """An entry built in Python: an upsert with its record, or a tombstone (record None)."""
    return seq, jsoncodec.dumps({"kind": kind, "op": op, "seq": seq, "id": key,
                                 "record": record}).encode()


def upsert_or_delete(seq: int, kind: str, key, record, deleted: bool) -> tuple:
    """An entry: a tombstone when deleted, else an upsert."""
    return entry(seq, kind, "delete", key, None) if deleted else \
        entry(seq, kind, "upsert", key, record)
