"""`patrol-api patrols tick`: auto-close forgotten runs, schedule occurrences, warranty warnings
and plans (fitted to moved warranty ends), tombstones of ended campaigns."""
import click
from flask.cli import with_appcontext

from patrol_api import ticks


@click.group("patrols")
def patrols_command() -> None:
    """Patrol housekeeping."""


@patrols_command.command("tick")
@with_appcontext
def tick() -> None:
    """Run every few minutes (cron, systemd timer); every step is idempotent. With REDIS_URL
    the steps are enqueued on rq (the output then names the jobs)."""
    click.echo(ticks.enqueue(ticks.group("patrols")))
