"""Command line: `patrol-api` (the Flask CLI with this app) and the project's commands."""
import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from patrol_api import demo_loader
from patrol_api.auth import passwords
from patrol_api.demo import activity as demo_activity
from patrol_api.errors import ApiError
from patrol_api.findings.commands import findings_command
from patrol_api.ops.commands import backup_command, restore_command
from patrol_api.patrols.commands import patrols_command
from patrol_api.rankings.commands import rankings_command


def _create_app(*_args) -> Flask:
    """The app the CLI works on."""
    from patrol_api import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Patrol API management commands."""


def register(app: Flask) -> None:
    """Add the project's commands to the app's CLI."""
    app.cli.add_command(demo_command)
    app.cli.add_command(demo_serve)
    app.cli.add_command(worker)
    app.cli.add_command(create_admin)
    app.cli.add_command(findings_command)
    app.cli.add_command(housekeeping)
    app.cli.add_command(patrols_command)
    app.cli.add_command(rankings_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.group("demo")
def demo_command() -> None:
    """Demo district data."""


MONTHS = click.IntRange(1, demo_activity.MAX_MONTHS)


@demo_command.command("load")
@click.option("--months", default=None, type=MONTHS,
              help="Calendar months of simulated activity, the current one included "
                   "(default: enough for a year's awards, 7 to 12).")
@click.option("--no-activity", is_flag=True, help="Only the district: no simulated activity.")
@with_appcontext
def demo_load(months: int | None, no_activity: bool) -> None:
    """Load the demo district (Yeongdeungpo-gu) and months of simulated activity."""
    if demo_loader.is_empty():
        counts = demo_loader.load()
        click.echo("loaded: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    elif no_activity or demo_loader.has_activity():
        raise click.ClickException("The demo is already loaded in this database; nothing was "
                                   "changed. Use an empty database (PATROL_DATA_DIR or "
                                   "DATABASE_URL) to load it again.")
    if not no_activity:
        click.echo(demo_loader.load_activity(months))


@click.command("demo-serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=click.IntRange(1, 65535), envvar="PORT",
              show_default=True, help="TCP port (or the PORT environment variable).")
@click.option("--threads", default=8, type=int)
@click.option("--months", default=None, type=MONTHS,
              help="Months of simulated activity loaded on the first start (default: enough "
                   "for a year's awards, 7 to 12).")
@click.option("--no-activity", is_flag=True, help="First start: the district only.")
@with_appcontext
def demo_serve(host: str, port: int, threads: int, months: int | None,
               no_activity: bool) -> None:
    """Migrate, load the demo district and its activity if empty, print the logins and serve."""
    from flask_migrate import upgrade

    from patrol_api.serve import serve

    upgrade(revision="heads")
    if demo_loader.is_empty():
        demo_loader.load()
        if not no_activity:
            click.echo("Simulating the demo district's recent months (once, on the first "
                       "start)...")
            click.echo(demo_loader.load_activity(months))
    else:
        demo_loader.complete_users()
    click.echo(demo_loader.logins_text(f"http://{host}:{port}"))
    app = current_app._get_current_object()
    app.config["JOBS_BACKGROUND"] = not app.config.get("REDIS_URL")
    serve(app, host, port, threads)


@click.command("worker")
@click.option("--queues", default=None, help="Comma-separated queue names")
@click.option("--burst", is_flag=True, help="Exit when the queues are empty")
@with_appcontext
def worker(queues: str | None, burst: bool) -> None:
    """Run an rq worker for the configured Redis (REDIS_URL), with rq's scheduler (it runs
    the retries of jobs that met a passing database fault, after their backoff)."""
    from redis import Redis
    from rq import Queue

    from patrol_api.rqworker import Worker

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.UsageError("REDIS_URL is not set: jobs run in-process, no worker needed.")
    connection = Redis.from_url(url)
    names = queues.split(",") if queues else current_app.config["RQ_QUEUES"]
    Worker([Queue(name, connection=connection) for name in names],
           connection=connection).work(burst=burst, with_scheduler=True)


@click.command("housekeeping")
@with_appcontext
def housekeeping() -> None:
    """Daily: purge dead tokens, abandoned uploads and observation tombstones past the horizon."""
    from patrol_api import ticks

    click.echo(ticks.enqueue(ticks.group("housekeeping")))


@click.command("create-admin")
@click.option("--username", required=True)
@click.option("--display-name", default="관리자")
@click.password_option()
@with_appcontext
def create_admin(username: str, display_name: str, password: str) -> None:
    """Create an administrator account."""
    try:
        passwords.check(password, username, display_name)
    except ApiError as error:
        raise click.BadParameter(error.message, param_hint="password") from None
    if demo_loader.user_exists(username):
        raise click.BadParameter(f"user {username} already exists", param_hint="username")
    demo_loader.create_user(username, display_name, "admin", password)
    click.echo(f"created admin {username}")


if __name__ == "__main__":
    main()
