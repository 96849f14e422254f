"""`patrol-api findings ...`: the periodic tick (deadlines, notifications, missed intake)."""
import click
from flask.cli import with_appcontext

from patrol_api import ticks


@click.group("findings")
def findings_command() -> None:
    """Findings housekeeping."""


@findings_command.command("tick")
@with_appcontext
def tick() -> None:
    """Run once a minute or so (cron, systemd timer): overdue flags, reminders, escalations,
    notification retries and the intake sweep."""
    click.echo(ticks.enqueue(ticks.group("findings")))
