"""``flask staff``: accounts with scrypt-hashed passwords, and resetting two-factor log-in."""

from sqlalchemy import select

from app.database import db
from app.staff.models import StaffUser


def test_create_asks_for_the_password_twice_and_hashes_it(make_app):
    app = make_app(PASSWORD_SCRYPT_N=2**17)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "create", "nurse"], input="a long password\n" * 2)
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(StaffUser))
    assert user.username == "nurse"
    # OWASP's minimum scrypt parameters, not Werkzeug's weaker default (N=2^15).
    assert user.password_hash.startswith("scrypt:131072:8:1$")
    assert "a long password" not in user.password_hash


def test_create_refuses_a_short_password_or_a_taken_name(runner):
    result = runner.invoke(args=["staff", "create", "nurse"], input="short\nshort\n")
    assert result.exit_code != 0 and "at least 12 characters" in result.output
    assert (
        runner.invoke(args=["staff", "create", "nurse"], input="a long password\n" * 2).exit_code
        == 0
    )
    result = runner.invoke(args=["staff", "create", "nurse"], input="another password\n" * 2)
    assert result.exit_code != 0 and "already an account" in result.output


def test_set_password_replaces_the_hash_and_ends_every_session(app, runner):
    runner.invoke(args=["staff", "create", "nurse"], input="a long password\n" * 2)
    with app.app_context():
        before = db.session.scalar(select(StaffUser))
        old_hash, old_token = before.password_hash, before.session_token
    result = runner.invoke(args=["staff", "set-password", "nurse"], input="a newer password\n" * 2)
    assert result.exit_code == 0, result.output
    with app.app_context():
        after = db.session.scalar(select(StaffUser))
    assert after.password_hash != old_hash and after.session_token != old_token
    missing = runner.invoke(
        args=["staff", "set-password", "nobody"], input="a newer password\n" * 2
    )
    assert missing.exit_code != 0 and "no account 'nobody'" in missing.output


def test_remove_deletes_the_account(app, runner):
    runner.invoke(args=["staff", "create", "nurse"], input="a long password\n" * 2)
    result = runner.invoke(args=["staff", "remove", "nurse", "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(StaffUser)) is None


def test_reset_2fa_needs_an_existing_account(runner):
    result = runner.invoke(args=["staff", "reset-2fa", "nobody"])
    assert result.exit_code != 0 and "no account 'nobody'" in result.output
