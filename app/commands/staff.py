"""``flask staff``: staff accounts for the query pages."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.auth import MIN_PASSWORD_LENGTH, AccountError, create_user, remove_user, set_password

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


@staff.command("set-password")
@click.argument("username")
@click.password_option(
    help=f"At least {MIN_PASSWORD_LENGTH} characters; asked for (twice) when not given."
)
def set_password_command(username: str, password: str) -> None:
    """Give an account a new password; it is logged out everywhere."""
    try:
        set_password(username, password)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"new password set for {username!r}; its sessions have ended")


@staff.command("remove")
@click.argument("username")
@click.confirmation_option(prompt="Remove this staff account?")
def remove(username: str) -> None:
    """Remove a staff account (the queries it answered are kept)."""
    try:
        remove_user(username)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"removed staff account {username!r}")
