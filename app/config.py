"""Configuration from environment variables, with defaults that are safe to run as they are."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Environment variables read without a prefix, because operators expect these names.
PLAIN_ENV = (
    "SECRET_KEY",
    "DATABASE_URL",
    "RATELIMIT_STORAGE_URI",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "MAIL_FROM",
    "STAFF_NOTIFY_EMAIL",
    "QUERY_RETENTION_DAYS",
    "ASK_MIN_FILL_SECONDS",
    "ASK_RATE_LIMIT",
    "LOGIN_RATE_LIMIT",
    "PRIVACY_CONTACT",
    "SESSION_COOKIE_SECURE",
    "TRUSTED_PROXIES",
    "CONTENT_DIR",
    "TRANSLATIONS_DIR",
    "SEARCH_INDEX_DIR",
    "PREFERRED_URL_SCHEME",
)


def defaults(instance_path: Path) -> dict[str, Any]:
    return {
        "CONTENT_DIR": str(PROJECT_ROOT / "content"),
        "TRANSLATIONS_DIR": str(PROJECT_ROOT / "translations"),
        "SEARCH_INDEX_DIR": str(PROJECT_ROOT / "search_index"),
        "DATABASE_URL": f"sqlite:///{instance_path / 'queries.sqlite3'}",
        "RATELIMIT_STORAGE_URI": "memory://",
        "QUERY_RETENTION_DAYS": 365,
        "SMTP_PORT": 25,
        "SMTP_STARTTLS": False,
        "MAIL_FROM": "no-reply@localhost",
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # False still marks the cookies Secure on every HTTPS request (app.security); True also
        # does so when a proxy that is not trusted terminates TLS.
        "SESSION_COOKIE_SECURE": False,
        #: Staff stay logged in this long after their last request.
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=8),
        #: A person needs more than this to fill in the ask form; quicker posts are bots.
        "ASK_MIN_FILL_SECONDS": 3.0,
        #: Per client address; Flask-Limiter's syntax, limits separated by ";".
        "ASK_RATE_LIMIT": "5 per minute; 30 per day",
        "LOGIN_RATE_LIMIT": "5 per minute",
        "RATELIMIT_HEADERS_ENABLED": True,
        #: A rate-limit store that is down lets requests through rather than failing them.
        "RATELIMIT_SWALLOW_ERRORS": True,
        #: Where patients write to have their data deleted; the privacy notice shows it when set.
        "PRIVACY_CONTACT": None,
        #: Reverse proxies in front of the app whose X-Forwarded-* headers are believed.
        "TRUSTED_PROXIES": 0,
        "SMTP_TIMEOUT": 30,
        "PREFERRED_URL_SCHEME": "http",
    }


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """The plain variables that are set, with numbers and booleans converted."""
    found: dict[str, Any] = {}
    for name in PLAIN_ENV:
        value = environ.get(name)
        if value is None or value == "":
            continue
        if name in ("SMTP_PORT", "QUERY_RETENTION_DAYS", "TRUSTED_PROXIES"):
            found[name] = int(value)
        elif name == "ASK_MIN_FILL_SECONDS":
            found[name] = float(value)
        elif name in ("SMTP_STARTTLS", "SESSION_COOKIE_SECURE"):
            found[name] = value.lower() in ("1", "true", "yes", "on")
        else:
            found[name] = value
    return found


def instance_secret_key(instance_path: Path) -> str:
    """A secret key generated once and kept in the instance folder, never a fixed fallback."""
    path = instance_path / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked into place: workers starting together all read the one key,
    # and none can read a file that exists but is still empty.
    draft = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()
