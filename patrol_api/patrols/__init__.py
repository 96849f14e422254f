"""Patrols, checklists, inspections and themed campaigns: the domain services (no HTTP)."""
