"""``flask staff``: staff accounts and what each may do. Accounts and roles are managed only
here, on the server: whoever can run these commands is the administrator."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import current_app
from flask.cli import AppGroup

from app.i18n.languages import languages_of
from app.staff.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    all_users,
    create_user,
    remove_user,
    reset_2fa,
    set_password,
    set_roles,
)
from app.staff.models import QUESTIONS, ROLES

staff = AppGroup("staff", help="Staff accounts.")
password_option = click.password_option(
    help=f"At least {MIN_PASSWORD_LENGTH} characters; asked for (twice) when not given."
)


def _run(action: Callable[..., object], *args: object) -> None:
    """An account change, with its refusal shown as the command's error."""
    try:
        action(*args)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None


role_option = click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    help="questions: read, answer and export patients' questions; translations: the "
    "translation desk of the --language given, and nothing of the questions. Repeat for both.",
)
language_option = click.option(
    "--language",
    "languages",
    multiple=True,
    metavar="CODE",
    help="A language of a translator's desk (e.g. hi); repeat for several.",
)


def _shipped(languages: tuple[str, ...]) -> tuple[str, ...]:
    shipped = {lang.code for lang in languages_of(current_app)}
    unknown = sorted(set(languages) - shipped)
    if unknown:
        raise click.BadParameter(
            f"{', '.join(unknown)} is not a language of this site ({', '.join(sorted(shipped))})",
            param_hint="--language",
        )
    return languages


@staff.command("create")
@click.argument("username")
@password_option
@role_option
@language_option
def create(
    username: str, password: str, roles: tuple[str, ...], languages: tuple[str, ...]
) -> None:
    """Make a staff account; by default one that answers patients' questions."""
    _run(create_user, username, password, roles or (QUESTIONS,), _shipped(languages))
    click.echo(f"created staff account {username!r}")


@staff.command("roles")
@click.argument("username")
@role_option
@language_option
def roles_command(username: str, roles: tuple[str, ...], languages: tuple[str, ...]) -> None:
    """Set what an account may do (its sessions end); recorded in the audit log."""
    if not roles:
        raise click.UsageError("give at least one --role")
    _run(set_roles, username, roles, _shipped(languages))
    click.echo(f"{username!r} now has: {', '.join(roles)}")


@staff.command("list")
def list_command() -> None:
    """Every account with its roles and languages."""
    for user in all_users():
        two_factor = "2fa" if user.has_2fa else "no 2fa yet"
        click.echo(f"{user.username}\t{user.roles}\t{user.languages or '-'}\t{two_factor}")


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
