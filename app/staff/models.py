"""The staff area's tables: accounts with their second factor, and the audit log."""

from __future__ import annotations

import datetime as dt
import secrets

from flask_login import UserMixin
from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.database import Model, UTCDateTime, utcnow

#: Reads, answers and exports patients' questions, and reads the audit log.
QUESTIONS = "questions"
#: Sees the translation desk of the languages given to them, and nothing of the questions.
TRANSLATIONS = "translations"
ROLES = (QUESTIONS, TRANSLATIONS)


class StaffUser(UserMixin, Model):
    """A staff account. ``session_token`` is what the login session holds instead of the id:
    replacing it (at log-out) ends every session of that account at once."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(32)
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The TOTP secret (base32); in use once ``totp_confirmed_at`` is set, until then a secret
    #: being set up, replaced each time the set-up page is shown.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The last 30-second step whose code was accepted: a code is never accepted twice.
    totp_last_counter: Mapped[int | None] = mapped_column(Integer)
    #: Failed log-ins (password or code) since the last successful one, kept in the database so
    #: that every worker counts the same attempts; the account holder is told at the next log-in.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    #: What the account may do, comma-separated (``ROLES``); set with ``flask staff roles``.
    roles: Mapped[str] = mapped_column(String(100), default=QUESTIONS, server_default=QUESTIONS)
    #: The languages whose translation desk a translator sees, comma-separated codes.
    languages: Mapped[str | None] = mapped_column(String(200))

    def has_role(self, role: str) -> bool:
        return role in self.roles.split(",")

    @property
    def desk_languages(self) -> list[str]:
        """Only for a translator: the languages given to them."""
        if not self.has_role(TRANSLATIONS):
            return []
        return [code for code in (self.languages or "").split(",") if code]

    @property
    def has_2fa(self) -> bool:
        return self.totp_confirmed_at is not None

    def get_id(self) -> str:
        return self.session_token

    def new_session_token(self) -> None:
        self.session_token = secrets.token_urlsafe(32)


class RecoveryCode(Model):
    """A single-use code that stands in for the authenticator app. Only its SHA-256 is kept:
    the codes are random with about 78 bits, so a slow password hash would add nothing."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))


class AuditEntry(Model):
    """Who did what to which query, and when. Never the question or contact details: only the
    reference, so the log may be read by every staff member. Purged with the queries."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: A username, not a foreign key: the log outlives a removed account.
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(20))
    query_ref: Mapped[str | None] = mapped_column(String(8), index=True)
    #: E.g. the filters of an export; never personal data.
    detail: Mapped[str | None] = mapped_column(String(200))
