"""`patrol-api findings ...`: the periodic tick (deadlines, notifications, missed intake)."""
import click
from flask.cli import with_appcontext

from patrol_api import jobs


@click.group("findings")
def findings_command() -> None:
    """Findings housekeeping."""


@findings_command.command("tick")
@with_appcontext
def tick() -> None:
    """Run once a minute or so (cron, systemd timer): overdue flags, reminders, escalations,
    notification retries and the intake sweep."""
    from patrol_api.findings import intake, notify, overdue

    counts = jobs.enqueue(overdue.mark_overdue)
    taken = jobs.enqueue(intake.process_pending)
    sent = jobs.enqueue(notify.deliver_due)
    click.echo(f"deadlines: {counts}  intake: {taken}  notifications sent: {sent}")
