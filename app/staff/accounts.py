"""Staff accounts: passwords hashed with scrypt, a second factor (TOTP, or a single-use
recovery code) for every log-in, per-account lock-out counted in the database, and Flask-Login
sessions that hold a revocable token instead of the account id."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from functools import cache
from typing import Any, cast

import pyotp
import segno
from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import CursorResult, case, delete, func, literal, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.database import UTCDateTime, db, utcnow
from app.staff import audit
from app.staff.models import QUESTIONS, ROLES, TRANSLATIONS, RecoveryCode, StaffUser

MIN_PASSWORD_LENGTH = 12
#: scrypt's block size and parallelism; its cost N is the PASSWORD_SCRYPT_N setting.
SCRYPT_R, SCRYPT_P = 8, 1
#: Every LOCK_AFTER-th failure in a row locks the account for LOCK_FOR: at most 5 guesses per
#: 15 minutes per account, whatever addresses they come from.
LOCK_AFTER = 5
LOCK_FOR = dt.timedelta(minutes=15)
RECOVERY_CODES = 10
#: No 0/O, 1/I/L or U/V, as in query references; 16 of them are about 78 bits.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
RECOVERY_LENGTH = 16

login_manager = LoginManager()
login_manager.login_view = "staff.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
#: A session used from another address or browser is dropped, not just marked stale (this needs
#: a session that is not "permanent": Flask-Login downgrades those to "basic").
login_manager.session_protection = "strong"


class AccountError(ValueError):
    """Why an account cannot be made as asked; the message is for the operator."""


class AccountLocked(Exception):
    """Too many failed log-ins: no password or code is checked until ``until``."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(until)
        self.until = until


@dataclasses.dataclass(frozen=True)
class FailedAttempts:
    """What the account holder is told at log-in: failures since their previous log-in."""

    count: int
    last: dt.datetime | None


@login_manager.user_loader
def load_user(session_token: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.session_token == session_token))


def session_identifier() -> str:
    """What binds a session to a client for Flask-Login's "strong" protection: the address
    the app sees (after ProxyFix, which believes only trusted proxies) and the user agent.
    Flask-Login's own uses the first X-Forwarded-For entry, which any client can write."""
    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{request.remote_addr}|{agent}".encode()).hexdigest()


def scrypt_parameters() -> tuple[int, int, int]:
    """N, r and p for new hashes: N from the settings (OWASP's minimum, 2^17, by default;
    Werkzeug's own default is weaker), so the parameters are always spelled out."""
    return (current_app.config["PASSWORD_SCRYPT_N"], SCRYPT_R, SCRYPT_P)


def password_method() -> str:
    return "scrypt:{}:{}:{}".format(*scrypt_parameters())


@cache
def _dummy_hash(method: str) -> str:
    """Checked when the username is unknown, so that the answer takes as long as for a known one."""
    return generate_password_hash("not a password", method=method)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=password_method())


def needs_rehash(password_hash: str) -> bool:
    """True for a hash made with another method or weaker scrypt parameters than ours: it is
    redone at the next log-in."""
    method, _, _ = password_hash.partition("$")
    name, *params = method.split(":")
    try:
        ours = zip(params, scrypt_parameters(), strict=True)
        return name != "scrypt" or any(int(a) < b for a, b in ours)
    except ValueError:
        return True


def _locked_until(user: StaffUser) -> dt.datetime | None:
    return user.locked_until if user.locked_until and user.locked_until > utcnow() else None


def record_failure(user: StaffUser) -> None:
    """Count a failed password or code in one UPDATE, so that simultaneous attempts on several
    workers are all counted, and lock the account at every ``LOCK_AFTER``-th."""
    now = utcnow()
    count = StaffUser.failed_logins + 1
    db.session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id)
        .values(
            failed_logins=count,
            last_failed_at=now,
            locked_until=case(
                (count % LOCK_AFTER == 0, literal(now + LOCK_FOR, UTCDateTime())),
                else_=StaffUser.locked_until,
            ),
        )
    )
    db.session.commit()


def authenticate(username: str, password: str) -> StaffUser | None:
    """The account if the password is right; raises ``AccountLocked`` while it is locked.

    A right password hashed with weaker parameters than ours is hashed again.
    """
    user = db.session.scalar(select(StaffUser).where(StaffUser.username == username))
    until = _locked_until(user) if user is not None else None
    if user is None or until is not None:
        check_password_hash(_dummy_hash(password_method()), password)
        if until is not None:
            raise AccountLocked(until)
        return None
    if not check_password_hash(user.password_hash, password):
        record_failure(user)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def _totp_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step ``code`` belongs to (now, or one step either side for clock drift), if it
    is later than ``after``: a code already used is refused even within its 30 seconds."""
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: StaffUser, step: int) -> bool:
    """Mark ``step`` used, atomically: of two simultaneous log-ins with one code, one wins."""
    claimed = db.session.execute(
        update(StaffUser)
        .where(
            StaffUser.id == user.id,
            or_(StaffUser.totp_last_counter.is_(None), StaffUser.totp_last_counter < step),
        )
        .values(totp_last_counter=step)
    )
    return cast(CursorResult[Any], claimed).rowcount == 1


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").upper().encode()).hexdigest()


def check_second_factor(user: StaffUser, code: str = "", recovery_code: str = "") -> str | None:
    """ "totp" or "recovery" when one of them is right (a recovery code is then used up), None
    otherwise (counted as a failure). Raises ``AccountLocked`` while the account is locked."""
    if (until := _locked_until(user)) is not None:
        raise AccountLocked(until)
    used = None
    if code and user.has_2fa:
        step = _totp_step(user.totp_secret or "", code, user.totp_last_counter)
        used = "totp" if step is not None and _claim_step(user, step) else None
    elif recovery_code:
        gone = db.session.execute(
            delete(RecoveryCode).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _recovery_hash(recovery_code),
            )
        )
        used = "recovery" if cast(CursorResult[Any], gone).rowcount == 1 else None
    if used is None:
        record_failure(user)
    else:
        db.session.commit()
    return used


def recovery_codes_left(user: StaffUser) -> int:
    return db.session.execute(
        select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)
    ).scalar_one()


def start_totp_setup(user: StaffUser) -> str:
    """A new secret for an account without a second factor yet. Each call replaces the last,
    so a QR code is good only on the page that showed it."""
    if user.has_2fa:
        raise AccountError("this account already has two-factor log-in")
    user.totp_secret = pyotp.random_base32()
    db.session.commit()
    return user.totp_secret


def confirm_totp_setup(user: StaffUser, code: str) -> list[str] | None:
    """Turn two-factor log-in on if ``code`` matches the secret being set up; returns the new
    recovery codes, to be shown once (only their hashes are kept)."""
    if (until := _locked_until(user)) is not None:
        raise AccountLocked(until)
    step = _totp_step(user.totp_secret or "", code, None) if not user.has_2fa else None
    if step is None:
        record_failure(user)
        return None
    user.totp_confirmed_at = utcnow()
    user.totp_last_counter = step
    return _new_recovery_codes(user)


def _new_recovery_codes(user: StaffUser) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(c)) for c in codes)
    db.session.commit()
    return ["-".join(code[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)) for code in codes]


def provisioning_qr(user: StaffUser, issuer: str) -> str:
    """The ``otpauth://`` address of the secret being set up, as an SVG ``data:`` URI that the
    Content-Security-Policy (``img-src 'self' data:``) allows."""
    totp = pyotp.TOTP(user.totp_secret or "")
    uri = totp.provisioning_uri(name=user.username, issuer_name=issuer)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def finish_login(user: StaffUser) -> FailedAttempts:
    """Both factors passed: reset the failure count, note the log-in (in the audit log too),
    and return the failures to tell the account holder about."""
    failed = FailedAttempts(user.failed_logins, user.last_failed_at)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    audit.record(user.username, audit.LOGGED_IN)
    db.session.commit()
    return failed


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")


def _existing(username: str) -> StaffUser:
    user = db.session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        raise AccountError(f"there is no account {username!r}")
    return user


def create_user(
    username: str,
    password: str,
    roles: Sequence[str] = (QUESTIONS,),
    languages: Sequence[str] = (),
) -> StaffUser:
    username = username.strip()
    if not username or len(username) > 80:
        raise AccountError("the username must be 1 to 80 characters")
    _check_password(password)
    if db.session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
        raise AccountError(f"there is already an account {username!r}")
    user = StaffUser(username=username, password_hash=hash_password(password))
    _apply_roles(user, roles, languages)
    db.session.add(user)
    db.session.commit()
    return user


def _apply_roles(user: StaffUser, roles: Sequence[str], languages: Sequence[str]) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise AccountError(f"roles are one or more of {', '.join(ROLES)}, not {unknown or 'none'}")
    if TRANSLATIONS in roles and not languages:
        raise AccountError("a translator needs the languages of their desk (--language)")
    if languages and TRANSLATIONS not in roles:
        raise AccountError("languages are for the translations role only")
    user.roles = ",".join(role for role in ROLES if role in roles)
    user.languages = ",".join(sorted(set(languages))) or None


def set_roles(username: str, roles: Sequence[str], languages: Sequence[str] = ()) -> None:
    """What an account may do from now on; its sessions end, so no page open under the old
    roles keeps working."""
    user = _existing(username)
    _apply_roles(user, roles, languages)
    user.new_session_token()
    audit.record(
        username, audit.ROLES_CHANGED, detail=f"{user.roles} {user.languages or ''}".strip()
    )
    db.session.commit()


def all_users() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.username)))


def set_password(username: str, password: str) -> None:
    """A new password; every session of the account ends, wherever it was logged in."""
    _check_password(password)
    user = _existing(username)
    user.password_hash = hash_password(password)
    user.new_session_token()
    db.session.commit()


def reset_2fa(username: str) -> None:
    """For a lost phone and no recovery code left: the account sets up two-factor log-in again
    at its next log-in; its sessions end and its recovery codes are gone."""
    user = _existing(username)
    user.totp_secret = user.totp_confirmed_at = user.totp_last_counter = None
    user.new_session_token()
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(user.username, audit.TWO_FACTOR_RESET, detail="flask staff reset-2fa")
    db.session.commit()


def remove_user(username: str) -> None:
    db.session.delete(_existing(username))
    db.session.commit()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager._session_identifier_generator = session_identifier  # no public hook for it
    # Staff sessions are browser sessions whose idle and absolute limits the staff views check;
    # a cookie is sent only when the session changes, so never with a public, cacheable page.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
