"""Running the service: readiness checks, request ids and logs, backups, metrics."""
