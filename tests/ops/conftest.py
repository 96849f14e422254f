"""Fixtures of the operations tests: the findings tests' small district, reporters, clock."""
from tests.findings.conftest import clock, observe, reporter, world  # noqa: F401
