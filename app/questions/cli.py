"""``flask queries``: send the notification outbox, apply the retention period, back up."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.questions import exports, outbox, records
from app.questions.models import STATUSES, Question

queries = AppGroup(
    "queries", help="Patients' queries: notifications, retention, backup and restore."
)


@queries.command("send-outbox")
@click.option(
    "--retry-now",
    is_flag=True,
    help="Also send messages waiting after a failure (e.g. once the mail server is fixed).",
)
def send_outbox(retry_now: bool) -> None:
    """Send the pending staff notifications. Run it every minute (cron or a systemd timer)."""
    if not outbox.smtp_configured():
        raise click.ClickException("SMTP_HOST is not set: nothing can be sent")
    report = outbox.send_due(retry_now=retry_now)
    click.echo(f"sent {report.sent}, failed {report.failed} (kept for a later try)")
    if report.failed:
        sys.exit(1)


@queries.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    default=None,
    help="Days to keep a query (default: QUERY_RETENTION_DAYS).",
)
def purge(days: int | None) -> None:
    """Delete the queries older than the retention period, for good, and the exports in
    EXPORT_DIR dated before it: a backup keeps a question no longer than the database does."""
    if days is None:
        days = int(current_app.config["QUERY_RETENTION_DAYS"])
    purged = records.purge(dt.timedelta(days=days))
    click.echo(
        f"deleted {purged.queries} queries and {purged.notifications} sent notifications "
        f"older than {days} days"
    )
    folder = current_app.config.get("EXPORT_DIR")
    if folder:
        deleted = purge_exports(Path(folder), dt.datetime.now(dt.UTC) - dt.timedelta(days=days))
        click.echo(f"deleted {deleted} export files older than {days} days from {folder}")


#: ``flask queries export`` names the files it writes in a folder by their time (UTC), so that
#: ``purge`` can tell their age whatever happens to their modification time.
EXPORT_NAME = "queries-{:%Y%m%dT%H%M%SZ}.jsonl"
EXPORT_RE = re.compile(r"queries-(\d{8}T\d{6}Z)\.jsonl")


def purge_exports(folder: Path, cutoff: dt.datetime) -> int:
    """Delete our dated export files made before ``cutoff``; nothing else in the folder."""
    deleted = 0
    for entry in os.scandir(folder):
        found = EXPORT_RE.fullmatch(entry.name)
        if not found or not entry.is_file(follow_symlinks=False):
            continue
        made = dt.datetime.strptime(found[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        if made < cutoff:
            os.unlink(entry.path)
            deleted += 1
    return deleted


def write_private(path: Path, lines: Iterable[str]) -> int:
    """Write ``lines`` to ``path`` readable by its owner only, through a temporary file in the
    same folder renamed over it: a symlink planted at ``path`` is replaced, never followed, and
    a failed export leaves the previous file whole."""
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        count = 0
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(line)
                count += 1
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise
    return count


@queries.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write, or a folder to write a dated file in (readable by their owner only); "
    "by default EXPORT_DIR if set, else standard output.",
)
def export(output: Path | None) -> None:
    """Every query as JSON lines, oldest first, for a backup."""
    stmt = records.search(records.Filters()).order_by(None).order_by(Question.id)
    rows = exports.json_lines(records.each(stmt))
    folder = current_app.config.get("EXPORT_DIR")
    output = output or (Path(folder) if folder else None)
    if output is None:
        for line in rows:
            click.echo(line, nl=False)
        return
    if output.is_dir():
        output = output / EXPORT_NAME.format(dt.datetime.now(dt.UTC))
    count = write_private(output, rows)
    click.echo(f"wrote {count} queries to {output}", err=True)


@queries.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def import_(file) -> None:
    """Restore a ``flask queries export`` file: adds the queries not stored yet.

    A query whose reference is already stored is left as it is, so importing the same file
    twice changes nothing. A malformed file is refused with its line number, and nothing is
    written.
    """
    try:
        rows = exports.read_json_lines(file, STATUSES)
    except exports.BackupError as exc:
        raise click.ClickException(f"{file.name}: {exc}; nothing was imported") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{file.name}: not UTF-8 text; nothing was imported") from None
    restored = records.restore(rows)
    click.echo(
        f"imported {restored.added} queries; "
        f"{restored.present} were already stored and left as they were"
    )
