"""`patrol-api rankings ...`: freeze a month, print the awards, the periodic tick."""
import json

import click
from flask.cli import with_appcontext

from patrol_api import jobs
from patrol_api.errors import ApiError
from patrol_api.extensions import db


@click.group("rankings")
def rankings_command() -> None:
    """Monthly evaluation of departments (부서 평가)."""


@rankings_command.command("snapshot")
@click.option("--month", required=True, help="YYYY-MM (Seoul calendar month)")
@with_appcontext
def snapshot(month: str) -> None:
    """Compute and freeze a month's ranking as its next version."""
    from patrol_api.rankings import snapshots

    try:
        made = snapshots.compute(month)
    except ApiError as error:
        raise click.BadParameter(error.message, param_hint="--month") from None
    result = {"id": made.id, "month": made.month, "version": made.version,
              "data_version": made.data_version, "formula_version": made.formula_version}
    db.session.commit()
    click.echo("snapshot: " + "  ".join(f"{k}={v}" for k, v in result.items()))


@rankings_command.command("awards")
@click.option("--year", required=True, type=click.IntRange(2000, 2100))
@click.option("--json", "as_json", is_flag=True, help="Print the awards as JSON")
@with_appcontext
def awards_command(year: int, as_json: bool) -> None:
    """Print the year's awards (최우수, 우수) from the latest monthly snapshots."""
    from patrol_api.rankings import awards
    from patrol_api.rankings.export import KIND_LABELS

    result = awards.awards(year)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{year} awards from {len(result['snapshots'])} monthly snapshots")
    if result["warning"]:
        click.echo(f"warning: {result['warning']}")
    for kind, rows in result["tables"].items():
        click.echo(f"\n[{KIND_LABELS[kind]}]")
        for row in rows:
            click.echo(f"{row['rank']:>3}{'=' if row['tied'] else ' '} "
                       f"{row['department_code']:<16} {row['department_name']:<16} "
                       f"{row['score']:>6.2f}  {row['months_ranked']:>2} months  "
                       f"{row['award'] or ''}")


@rankings_command.command("tick")
@with_appcontext
def tick() -> None:
    """Run hourly or daily (cron, systemd timer): freeze last month once it is over, and add a
    version when late data changed its ranking. Idempotent."""
    from patrol_api.rankings import ticker

    result = jobs.enqueue(ticker.tick_job)
    if isinstance(result, dict):
        click.echo(f"month: {result['month']}  status: {result['status']}  "
                   f"version: {result['version']}")
    else:
        click.echo(f"queued: {result}")
