"""Findings: merged observations, their routing, lifecycle and deadlines."""
