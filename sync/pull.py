"""Pull: one merged, paginated stream of what a user may hold offline, in change_seq order.

Gap-free: the counter is read first and only changes numbered up to it are returned. Every
number up to a committed counter value belongs to a committed transaction (writers hold the
counter row lock until they commit), so each later query sees all of them, whichever record
kind it reads; changes committed later carry higher numbers and come in the next pull.
"""
import heapq
import json

from patrol_api import changefeed
from patrol_api.errors import ApiError
from patrol_api.extensions import db
from patrol_api.models import User
from sync import cursor as cursors
from sync import scope as scopes
from sync import sources, tombstones
from sync.window import Window


def pull(user: User, cursor: str | None, limit: int) -> bytes:
    """The next page of changes after the cursor, with the cursor to continue from, as
    UTF-8 JSON (joined from the entries' texts)."""
    session = db.session
    since, issued_for = cursors.decode(cursor) if cursor else (0, None)
    upto = changefeed.current(session)
    if since > upto:  # issued before the data was restored or reset
        raise cursors.invalid()
    scope = scopes.of(user)
    window = Window(scope, since, upto, limit + 1, session.get_bind().dialect.name)
    page, has_more = _page(heapq.merge(*(source(window) for source in sources.active(window)),
                                       key=lambda entry: entry[0]), limit)
    if cursor and (issued_for != scope.fingerprint
                   or since < tombstones.horizon(session)):  # read after the changes: purge
        raise _full_resync()
    last = page[-1][0] if has_more else upto
    tail = json.dumps({"next_cursor": cursors.encode(last, scope.fingerprint),
                       "has_more": has_more}).encode()
    return b'{"changes":[' + b",".join(text for _, text in page) + b"]," + tail[1:]


def _page(entries, limit: int) -> tuple[list, bool]:
    """Up to `limit` entries, plus any more sharing the last one's seq (a seq never splits)."""
    page = []
    for entry in entries:
        if len(page) >= limit and entry[0] != page[-1][0]:
            return page, True
        page.append(entry)
    return page, False


def _full_resync() -> ApiError:
    """410: the cursor may have missed changes (purged deletes or a changed scope)."""
    return ApiError(410, "full_resync_required", "This cursor is older than the tombstone "
                    "horizon or was issued before your team, areas, department or role "
                    "changed: drop the pulled data (keep the outbox) and pull without a "
                    "cursor.", "cursor")
