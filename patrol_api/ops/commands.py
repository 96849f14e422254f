"""`patrol-api backup DEST` and `patrol-api restore SRC` (the embedded default)."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from patrol_api.ops import backup


def _instance() -> backup.Instance:
    """The data of the configured app, or a clear refusal."""
    try:
        return backup.Instance.from_config(current_app.config)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(dest: Path) -> None:
    """Back up the SQLite database (online) and the media directory into DEST, with a
    manifest of counts and SHA-256s. The server may keep running."""
    instance = _instance()
    fresh = not dest.exists()
    try:
        manifest = backup.backup(instance, dest)
    except backup.BackupError as error:
        if fresh:
            backup.remove_partial(dest)
        raise click.ClickException(str(error)) from None
    click.echo(f"backed up into {dest}: {backup.summary(manifest)}")
    if manifest["media"]["upload_parts_missing"]:
        click.echo(f"note: {len(manifest['media']['upload_parts_missing'])} parts of unfinished "
                   f"uploads were gone; the phones send those uploads again.")


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace the data of this instance (stop the server first).")
@with_appcontext
def restore_command(src: Path, force: bool) -> None:
    """Verify the backup in SRC against its manifest, then restore the database and media."""
    instance = _instance()
    try:
        manifest = backup.restore(instance, src, force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored from {src}: {backup.summary(manifest)}")
    click.echo("Restart the server; run `patrol-api db upgrade` if this release is newer.")
