"""``flask staff``: staff accounts for the query pages."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.auth import MIN_PASSWORD_LENGTH, AccountError, create_user

staff = AppGroup("staff", help="Staff accounts.")


@staff.command("create")
@click.argument("username")
@click.password_option(
    help=f"At least {MIN_PASSWORD_LENGTH} characters; asked for (twice) when not given."
)
def create(username: str, password: str) -> None:
    """Make a staff account that can read, answer and export patients' queries."""
    try:
        create_user(username, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created staff account {username!r}")
