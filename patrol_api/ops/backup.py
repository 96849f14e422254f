"""Backup and restore of the embedded default: the SQLite database and the media directory.

Why the two are consistent: the database is copied first, with SQLite's online backup API
(one read transaction, so one committed state even while the server writes). Photos and
derivatives are content-addressed and never rewritten, and the app stores a file *before*
it commits the row naming it, so every file the copied database names was already on disk
when the copy was taken and is still there when the media directory is copied next. The
backup then checks exactly that: each verified blob and each derivative the copied
database names must be in the copied media, with the right digest. Files that arrived
after the database copy are copied too; nothing refers to them in the backup, which is
harmless (a phone that sent one after the backup sends it again when it is asked).

Layout of a backup directory: `manifest.json`, `patrol.db`, `media/<key>` for each file.
PostgreSQL and S3 are backed up with their own tools (docs/operations.md).
"""
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from media.keys import blob_key

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILE = "patrol.db"
MEDIA_DIR = "media"
DOCS = "docs/operations.md (Backups)"
SKIPPED_PREFIXES = (".tmp-", ".readyz-")  # files being written, readiness probes
BUSY_TIMEOUT_MS = 15000
BOOKKEEPING_TABLES = ("alembic_version", "sequence_counter")  # filled by the migrations


class BackupError(Exception):
    """A backup or restore that cannot be done or did not check out; the message says why."""


@dataclass(frozen=True)
class Instance:
    """Where an embedded instance keeps its data."""

    database: Path
    media_root: Path

    @classmethod
    def from_config(cls, config) -> "Instance":
        """The instance of an app's config; refuse what these commands do not handle."""
        url = make_url(config["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() != "sqlite":
            raise BackupError(f"The database is {url.get_backend_name()}, not SQLite: back it "
                              f"up with pg_dump and the media with the S3 procedure, see {DOCS}.")
        if not url.database or url.database == ":memory:":
            raise BackupError("The database is in memory: there is nothing to back up.")
        if config.get("MEDIA_STORAGE") != "local":
            raise BackupError(f"MEDIA_STORAGE is {config.get('MEDIA_STORAGE')!r}, not 'local': "
                              f"back up the bucket as described in {DOCS}.")
        return cls(Path(url.database), Path(config["MEDIA_ROOT"]))


def _sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    with path.open("rb") as fp:
        return hashlib.file_digest(fp, "sha256").hexdigest()


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A plain sqlite3 connection with the app's busy timeout."""
    target = f"file:{path}?mode=ro" if read_only else str(path)
    connection = sqlite3.connect(target, uri=read_only, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def _database_facts(path: Path) -> dict:
    """Integrity, Alembic revision and row counts of a database file."""
    connection = _connect(path, read_only=True)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        # table names come from sqlite_master, quoted as identifiers
        counts = {table: connection.execute(
            'SELECT COUNT(*) FROM "{}"'.format(table.replace('"', '""'))).fetchone()[0]  # noqa: S608
            for table in tables}
        revisions = (sorted(row[0] for row in connection.execute(
            "SELECT version_num FROM alembic_version")) if "alembic_version" in tables else [])
    finally:
        connection.close()
    return {"integrity": integrity, "alembic_revisions": revisions, "counts": counts}


def referenced_keys(path: Path) -> dict[str, set[str]]:
    """The media keys a database file names: verified blobs, derivatives, upload parts."""
    connection = _connect(path, read_only=True)
    try:
        blobs = {blob_key(row[0]) for row in connection.execute(
            "SELECT sha256 FROM media_blob WHERE verified_at IS NOT NULL")}
        derivatives = {row[0] for row in connection.execute("SELECT key FROM media_derivative")}
        parts = set()
        for (text,) in connection.execute(
                "SELECT parts FROM upload_session WHERE state = 'open'"):
            parts.update(part[2] for part in json.loads(text or "[]"))
    finally:
        connection.close()
    return {"blobs": blobs, "derivatives": derivatives, "upload_parts": parts}


def _media_files(root: Path):
    """(key, path) of every stored file under a media root, in key order."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.startswith(SKIPPED_PREFIXES):
            yield path.relative_to(root).as_posix(), path


def _copy_file(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file atomically (temp file, fsync, rename); its size and SHA-256 as read."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


def _content_address_ok(key: str, digest: str) -> bool:
    """A blob's name is its digest; other files carry no claim."""
    return not key.startswith("blobs/") or key.rsplit("/", 1)[-1] == digest


def backup(instance: Instance, dest: Path) -> dict:
    """Back up the database (online), then the media; write and return the manifest."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: back up into a new directory.")
    if not instance.database.is_file():
        raise BackupError(f"There is no database at {instance.database}.")
    dest.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    database_copy = dest / DATABASE_FILE
    _online_copy(instance.database, database_copy)
    facts = _database_facts(database_copy)
    if facts["integrity"] != "ok":
        raise BackupError(f"The copied database fails its integrity check: {facts['integrity']}")
    entries = []
    for key, path in _media_files(instance.media_root):
        try:
            size, digest = _copy_file(path, dest / MEDIA_DIR / key)
        except FileNotFoundError:
            continue  # an upload part deleted meanwhile; checked against the database below
        if not _content_address_ok(key, digest):
            raise BackupError(f"The stored file {key} does not match its content address "
                              f"(sha256 {digest}): the media store is damaged.")
        entries.append({"key": key, "size": size, "sha256": digest})
    copied = {entry["key"] for entry in entries}
    missing = _missing(referenced_keys(database_copy), copied)
    if missing["blobs"] or missing["derivatives"]:
        raise BackupError(f"Files named by the database are not in the media store: "
                          f"{sorted(missing['blobs'] | missing['derivatives'])[:5]}")
    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "database": {"file": DATABASE_FILE, "size": database_copy.stat().st_size,
                     "sha256": _sha256(database_copy), **facts},
        "media": {"directory": MEDIA_DIR, "files": len(entries),
                  "bytes": sum(entry["size"] for entry in entries),
                  "upload_parts_missing": sorted(missing["upload_parts"]),
                  "entries": entries},
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def _missing(referenced: dict[str, set[str]], copied: set[str]) -> dict[str, set[str]]:
    """The referenced keys of each kind that were not copied."""
    return {kind: keys - copied for kind, keys in referenced.items()}


def _online_copy(source: Path, target: Path) -> None:
    """SQLite's backup API: one consistent snapshot while others write; a one-file copy."""
    src, dst = _connect(source), sqlite3.connect(target, isolation_level=None)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy stands alone, without -wal
    finally:
        dst.close()
        src.close()


def verify(src: Path) -> dict:
    """Read a backup's manifest and check the database and every media file against it."""
    try:
        manifest = json.loads((src / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{src} has no {MANIFEST}: not a backup of this tool.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    database = src / manifest["database"]["file"]
    if not database.is_file() or _sha256(database) != manifest["database"]["sha256"]:
        raise BackupError("The backed-up database is missing or differs from the manifest.")
    for entry in manifest["media"]["entries"]:
        path = src / MEDIA_DIR / entry["key"]
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            raise BackupError(f"The backed-up file {entry['key']} is missing or differs "
                              f"from the manifest.")
    return manifest


def holds_data(instance: Instance) -> bool:
    """True when the instance has a database with rows or any media file."""
    if any(True for _ in _media_files(instance.media_root)):
        return True
    if not instance.database.is_file():
        return False
    counts = _database_facts(instance.database)["counts"]
    return any(count for table, count in counts.items() if table not in BOOKKEEPING_TABLES)


def restore(instance: Instance, src: Path, *, force: bool = False) -> dict:
    """Verify a backup, then make the instance's database and media equal to it."""
    manifest = verify(src)
    if holds_data(instance) and not force:
        raise BackupError(f"{instance.database} or {instance.media_root} holds data: stop the "
                          f"server, then restore with --force to replace it.")
    instance.database.parent.mkdir(parents=True, exist_ok=True)
    _restore_database(src / manifest["database"]["file"], instance.database)
    wanted = {entry["key"]: entry for entry in manifest["media"]["entries"]}
    for key, path in _media_files(instance.media_root):
        if key not in wanted:
            path.unlink()  # a file the backed-up state does not know
        elif path.stat().st_size == wanted[key]["size"] and _sha256(path) == wanted[key][
                "sha256"]:
            wanted.pop(key)  # already as backed up
    for key, entry in wanted.items():
        _, digest = _copy_file(src / MEDIA_DIR / key, instance.media_root / key)
        if digest != entry["sha256"]:
            raise BackupError(f"{key} changed while being restored.")
    return manifest


def _restore_database(backup_file: Path, target: Path) -> None:
    """Copy the backup into the target database through SQLite (the backup API), so that a
    connection still open sees either the old or the restored state, never a torn file."""
    src, dst = _connect(backup_file, read_only=True), _connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    check = _connect(target, read_only=True)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        check.close()
    if result != "ok":
        raise BackupError(f"The restored database fails its integrity check: {result}")


def summary(manifest: dict) -> str:
    """One line about a backup, for the CLI."""
    counts = manifest["database"]["counts"]
    return (f"database: {sum(counts.values())} rows in {len(counts)} tables "
            f"(revision {', '.join(manifest['database']['alembic_revisions']) or 'none'}); "
            f"media: {manifest['media']['files']} files, {manifest['media']['bytes']} bytes")


def remove_partial(dest: Path) -> None:
    """Delete what a failed backup left in its (new) directory."""
    shutil.rmtree(dest, ignore_errors=True)
