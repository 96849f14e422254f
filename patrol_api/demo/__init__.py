"""Demo data for Yeongdeungpo-gu: areas, departments, categories, sites, routing rules and users."""
