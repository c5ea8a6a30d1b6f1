"""``flask queries``: send the notification outbox, apply the retention period, back up."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app import exports, notify
from app.storage import queries as store
from app.storage.models import STATUSES, Query

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
    if not notify.smtp_configured():
        raise click.ClickException("SMTP_HOST is not set: nothing can be sent")
    report = notify.send_due(retry_now=retry_now)
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
    """Delete the queries older than the retention period, for good."""
    if days is None:
        days = int(current_app.config["QUERY_RETENTION_DAYS"])
    purged = store.purge(dt.timedelta(days=days))
    click.echo(
        f"deleted {purged.queries} queries and {purged.notifications} sent notifications "
        f"older than {days} days"
    )


@queries.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (created readable by its owner only); standard output if not given.",
)
def export(output: Path | None) -> None:
    """Every query as JSON lines, oldest first, for a backup."""
    stmt = store.search(store.Filters()).order_by(None).order_by(Query.id)
    rows = exports.json_lines(store.each(stmt))
    if output is None:
        for line in rows:
            click.echo(line, nl=False)
        return
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    count = 0
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        for line in rows:
            handle.write(line)
            count += 1
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
    restored = store.restore(rows)
    click.echo(
        f"imported {restored.added} queries; "
        f"{restored.present} were already stored and left as they were"
    )
