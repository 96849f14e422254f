"""Open311 errors: a list of {code, description}, the spec's shape."""


class Open311Error(Exception):
    """An error answered in the spec's shape with this HTTP status."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description

    def body(self) -> list[dict]:
        return [{"code": self.status, "description": self.description}]
