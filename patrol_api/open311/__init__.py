"""Open311 GeoReport v2: the public side of the findings (docs/open311.md)."""
