"""Item-level outcomes that are not applied: a rejection or a deferral."""


class Rejected(Exception):
    """A mutation refused for good, with a code, a message and the offending field."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field

    def as_error(self) -> dict:
        """The error object of the item result."""
        return {"code": self.code, "message": self.message, "field": self.field}


class Deferred(Rejected):
    """A mutation that cannot be decided yet: the device should send it again later."""
