"""``flask staff``: staff accounts for the query pages."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import AppGroup

from app.staff.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    create_user,
    remove_user,
    reset_2fa,
    set_password,
)

staff = AppGroup("staff", help="Staff accounts.")
password_option = click.password_option(
    help=f"At least {MIN_PASSWORD_LENGTH} characters; asked for (twice) when not given."
)


def _run(action: Callable[..., object], *args: str) -> None:
    """An account change, with its refusal shown as the command's error."""
    try:
        action(*args)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


@staff.command("create")
@click.argument("username")
@password_option
def create(username: str, password: str) -> None:
    """Make a staff account that can read, answer and export patients' queries."""
    _run(create_user, username, password)
    click.echo(f"created staff account {username!r}")


@staff.command("set-password")
@click.argument("username")
@password_option
def set_password_command(username: str, password: str) -> None:
    """Give an account a new password; it is logged out everywhere."""
    _run(set_password, username, password)
    click.echo(f"new password set for {username!r}; its sessions have ended")


@staff.command("reset-2fa")
@click.argument("username")
def reset_2fa_command(username: str) -> None:
    """For a lost phone: the account sets up two-factor log-in again at its next log-in (its
    sessions end and its recovery codes stop working). Check who is asking first."""
    _run(reset_2fa, username)
    click.echo(f"two-factor log-in reset for {username!r}; it is set up again at the next log-in")


@staff.command("remove")
@click.argument("username")
@click.confirmation_option(prompt="Remove this staff account?")
def remove(username: str) -> None:
    """Remove a staff account (the queries it answered are kept)."""
    _run(remove_user, username)
    click.echo(f"removed staff account {username!r}")
