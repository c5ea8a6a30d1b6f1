"""``flask staff create``: accounts with scrypt-hashed passwords."""

from sqlalchemy import select

from app.storage.db import db
from app.storage.models import StaffUser


def test_create_asks_for_the_password_twice_and_hashes_it(app, runner):
    result = runner.invoke(args=["staff", "create", "nurse"], input="a long password\n" * 2)
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(StaffUser))
    assert user.username == "nurse"
    assert user.password_hash.startswith("scrypt:")
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
