"""`patrol-api patrols tick`: auto-close forgotten runs, schedule occurrences, warranty warnings
and plans, tombstones of ended campaigns."""
import click
from flask.cli import with_appcontext

from patrol_api import jobs
from patrol_api.patrols import runs, schedules, warranty
from sync import pulled_campaigns


@click.group("patrols")
def patrols_command() -> None:
    """Patrol housekeeping."""


@patrols_command.command("tick")
@with_appcontext
def tick() -> None:
    """Run every few minutes (cron, systemd timer); every step is idempotent. With REDIS_URL
    the steps are enqueued on rq (the output then names the jobs)."""
    closed = jobs.enqueue(runs.auto_close_job)
    planned = jobs.enqueue(schedules.tick_job)
    warned = jobs.enqueue(warranty.warn_job)
    plans = jobs.enqueue(warranty.plan_job)
    ended = jobs.enqueue(pulled_campaigns.restamp_ended)  # their tombstones reach the phones
    click.echo(f"runs auto-closed: {closed}  schedules: {planned}  warranty warnings: {warned}"
               f"  warranty plans: {plans}  campaigns ended: {ended}")
