"""A phone's local store in the sync tests: pulled changes applied in order."""


class Store:
    """What a phone holds after applying its pulls: (kind, id) -> record."""

    def __init__(self, phone):
        self.phone, self.records = phone, {}

    def sync(self, limit: int = 500) -> list[dict]:
        """Pull everything new in pages of `limit`, apply it, return the changes."""
        changes = self.phone.pull_all(limit)
        for change in changes:
            key = (change["kind"], change["id"])
            if change["op"] == "delete":
                self.records.pop(key, None)
            else:
                self.records[key] = change["record"]
        return changes

    def ids(self, kind: str) -> set:
        """Ids of the records of a kind held now."""
        return {key for k, key in self.records if k == kind}

    def get(self, kind: str, key) -> dict | None:
        """One held record."""
        return self.records.get((kind, key))
