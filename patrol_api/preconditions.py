"""Optimistic concurrency: one check, one refusal (412 `version_mismatch` with the server's
copy) for every change that names the version it was made from (If-Match or a body field).
"""
from collections.abc import Callable
from dataclasses import dataclass

from patrol_api.errors import ApiError


@dataclass(frozen=True)
class Precondition:
    """The versions a change may start from, and how to show the server's copy on a 412.

    Built by the view from the request; checked where the record is read (under the write
    lock for findings). `versions` None means no precondition (absent If-Match or `*`).
    """

    versions: frozenset[int] | None
    current: Callable[[object], dict]
    field: str = "If-Match"

    def check(self, record) -> None:
        """Refuse a change made from a version other than the record's."""
        if self.versions is not None and record.version not in self.versions:
            raise self.refusal(record)

    def refusal(self, record, message: str | None = None) -> ApiError:
        """The 412 answered for a stale copy: `current_version` and `current`."""
        if message is None:
            sent = ", ".join(f"v{version}" for version in sorted(self.versions or ()))
            message = f"The record is at version {record.version}, not {sent}."
        return ApiError(412, "version_mismatch", message, self.field,
                        current_version=record.version, current=self.current(record))


NONE = Precondition(None, lambda record: {})
