"""Staff accounts: passwords hashed with scrypt, and Flask-Login sessions that hold a
revocable token instead of the account id."""

from __future__ import annotations

from functools import cache

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.storage.db import db
from app.storage.models import StaffUser

MIN_PASSWORD_LENGTH = 12

login_manager = LoginManager()
login_manager.login_view = "staff.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
#: A session used from another address or browser is dropped, not just marked stale.
login_manager.session_protection = "strong"


class AccountError(ValueError):
    """Why an account cannot be made as asked; the message is for the operator."""


@login_manager.user_loader
def load_user(session_token: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.session_token == session_token))


@cache
def _dummy_hash() -> str:
    """Checked when the username is unknown, so that the answer takes as long as for a known one."""
    return hash_password("not a password")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def authenticate(username: str, password: str) -> StaffUser | None:
    user = db.session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")


def _existing(username: str) -> StaffUser:
    user = db.session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        raise AccountError(f"there is no account {username!r}")
    return user


def create_user(username: str, password: str) -> StaffUser:
    username = username.strip()
    if not username or len(username) > 80:
        raise AccountError("the username must be 1 to 80 characters")
    _check_password(password)
    if db.session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
        raise AccountError(f"there is already an account {username!r}")
    user = StaffUser(username=username, password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user


def set_password(username: str, password: str) -> None:
    """A new password; every session of the account ends, wherever it was logged in."""
    _check_password(password)
    user = _existing(username)
    user.password_hash = hash_password(password)
    user.new_session_token()
    db.session.commit()


def remove_user(username: str) -> None:
    db.session.delete(_existing(username))
    db.session.commit()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
