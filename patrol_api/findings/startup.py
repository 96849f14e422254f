"""Findings settings checked when the app starts: the office calendar and webhook signing."""
from collections.abc import Mapping

from flask import Flask

from patrol_api.findings.calendar import calendar_from_config

CALENDAR = "findings_calendar"
SHORT_SECRET = 32  # characters; shorter webhook secrets get a warning


def init_app(app: Flask) -> None:
    """Build the office calendar once and check the webhook settings; bad values stop start-up."""
    app.extensions[CALENDAR] = calendar_from_config(app.config)
    check_webhooks(app.config, app.logger)


def check_webhooks(config: Mapping, logger) -> None:
    """Refuse webhook URLs without a signing secret; warn of a short secret (never logged)."""
    if not config.get("FINDING_WEBHOOK_URLS"):
        return
    secret = config.get("FINDING_WEBHOOK_SECRET")
    if not secret:
        raise ValueError("FINDING_WEBHOOK_URLS is set but FINDING_WEBHOOK_SECRET is not: "
                         "webhooks would go out unsigned and receivers could not tell them "
                         "from forgeries. Set FINDING_WEBHOOK_SECRET to a long random value "
                         "(e.g. python3 -c 'import secrets; print(secrets.token_hex(32))').")
    if len(secret) < SHORT_SECRET:
        logger.warning("FINDING_WEBHOOK_SECRET is shorter than %d characters: use a long "
                       "random value", SHORT_SECRET)
