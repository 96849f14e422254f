"""Reference data: departments, areas, categories, facility types, sites and routing rules."""
