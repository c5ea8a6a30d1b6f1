"""Configuration from environment variables, with defaults that are safe to run as they are."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The service's version, shown by /healthz and the API description.
VERSION = "0.1.0"

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
    "SMTP_SSL",
    "MAIL_FROM",
    "STAFF_NOTIFY_EMAIL",
    "QUERY_RETENTION_DAYS",
    "EXPORT_DIR",
    "ASK_MIN_FILL_SECONDS",
    "ASK_RATE_LIMIT",
    "LOGIN_RATE_LIMIT",
    "SEARCH_RATE_LIMIT",
    "PRIVACY_CONTACT",
    "PUBLISHER_NAME",
    "PUBLISHER_FUNDING",
    "EMERGENCY_NUMBER",
    "SESSION_COOKIE_SECURE",
    "TRUSTED_PROXIES",
    "CONTENT_DIR",
    "TRANSLATIONS_DIR",
    "SEARCH_INDEX_DIR",
    "PREFERRED_URL_SCHEME",
    "SITE_URL",
    "TRUSTED_HOSTS",
    "TRUSTED_PROXY_HEADERS",
    "PASSWORD_SCRYPT_N",
    "PAGE_CACHE_BYTES",
    "SEARCH_PAGE_CACHE_BYTES",
    "EXPORT_SERVES_PAGES",
    "SEARCH_TIME_BUDGET_MS",
)


#: The least scrypt cost allowed outside tests (2^17, OWASP's minimum for r=8, p=1).
MIN_SCRYPT_N = 2**17


def defaults(instance_path: Path) -> dict[str, Any]:
    return {
        "CONTENT_DIR": str(PROJECT_ROOT / "content"),
        "TRANSLATIONS_DIR": str(PROJECT_ROOT / "translations"),
        "SEARCH_INDEX_DIR": str(PROJECT_ROOT / "search_index"),
        "DATABASE_URL": f"sqlite:///{instance_path / 'queries.sqlite3'}",
        "RATELIMIT_STORAGE_URI": "memory://",
        "QUERY_RETENTION_DAYS": 365,
        #: Where ``flask queries export`` writes dated backups; ``purge`` expires them too.
        "EXPORT_DIR": None,
        "SMTP_PORT": 25,
        "SMTP_STARTTLS": False,
        #: Implicit TLS from the first byte (submissions on port 465, which implies it).
        "SMTP_SSL": False,
        "MAIL_FROM": "no-reply@localhost",
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # False still marks the cookies Secure on every HTTPS request (app.web.security); True also
        # does so when a proxy that is not trusted terminates TLS.
        "SESSION_COOKIE_SECURE": False,
        #: scrypt's cost for staff passwords: OWASP's minimum (Password Storage Cheat Sheet).
        #: Higher is slower for attackers and for every log-in; lower is refused.
        "PASSWORD_SCRYPT_N": MIN_SCRYPT_N,
        #: A person needs more than this to fill in the ask form; quicker posts are bots.
        "ASK_MIN_FILL_SECONDS": 3.0,
        #: ...and a form shown longer ago than this (seconds) has expired: sent again, text kept.
        "ASK_FORM_MAX_AGE": 24 * 3600,
        #: Per client address; Flask-Limiter's syntax, limits separated by ";".
        "ASK_RATE_LIMIT": "5 per minute; 30 per day",
        "LOGIN_RATE_LIMIT": "5 per minute",
        #: Search pages and the search API together: a person searches a few times a minute,
        #: a script that invents queries makes a worker render and search for each.
        "SEARCH_RATE_LIMIT": "60 per minute",
        #: Milliseconds of processor time one search may take (None: no limit). When they run
        #: out the search stops and shows the best results found so far, saying they may not be
        #: all: on a large library a query of very common words stays fast for everyone else.
        "SEARCH_TIME_BUDGET_MS": 40,
        "RATELIMIT_HEADERS_ENABLED": True,
        #: A rate-limit store that is down lets requests through rather than failing them.
        "RATELIMIT_SWALLOW_ERRORS": True,
        #: Where patients write to have their data deleted; the privacy notice shows it when set.
        "PRIVACY_CONTACT": None,
        #: Who publishes this deployment and how it is paid for, in the deployment's own words;
        #: the about page says plainly when they are not set, and never makes them up.
        "PUBLISHER_NAME": None,
        "PUBLISHER_FUNDING": None,
        #: Shown near the top of every article: India's single emergency number (ERSS).
        "EMERGENCY_NUMBER": "112",
        #: Reverse proxies in front of the app whose X-Forwarded-* headers are believed.
        "TRUSTED_PROXIES": 0,
        "SMTP_TIMEOUT": 30,
        "PREFERRED_URL_SCHEME": "http",
        #: The public origin every absolute link, the sitemap and every email are built from;
        #: never the request's Host. The default is where ``make serve`` listens.
        "SITE_URL": "http://{}:{}".format(
            os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
        ),
        #: Host names the app answers to (Flask's TRUSTED_HOSTS); any host when unset.
        "TRUSTED_HOSTS": None,
        #: Forwarded headers believed from trusted proxies besides X-Forwarded-For and -Proto:
        #: "host" and/or "prefix", named by the operator; none by default.
        "TRUSTED_PROXY_HEADERS": (),
        #: Per worker: bytes of rendered reading pages (with their compressed forms) kept in
        #: memory, and of search result pages. An article in every form weighs about 150 KB.
        "PAGE_CACHE_BYTES": 16 * 2**20,
        "SEARCH_PAGE_CACHE_BYTES": 4 * 2**20,
        #: True when the front server answers the reading pages from the static export
        #: (``flask export``): the few that reach the app are rendered, not kept in memory.
        "EXPORT_SERVES_PAGES": False,
    }


def apply_site_url(config: dict[str, Any]) -> None:
    """Derive Flask's SERVER_NAME and URL scheme from SITE_URL, the one source of truth for
    the public origin (Flask 3.1 builds external URLs from SERVER_NAME without restricting
    which hosts are routed)."""
    site = urlsplit(str(config["SITE_URL"]).rstrip("/"))
    if site.scheme not in ("http", "https") or not site.netloc or site.path or site.query:
        raise ValueError(
            f"SITE_URL must be an origin such as https://example.org, not {config['SITE_URL']!r}"
        )
    config["SITE_URL"] = f"{site.scheme}://{site.netloc}"
    config["SERVER_NAME"] = site.netloc
    config["PREFERRED_URL_SCHEME"] = site.scheme


def smtp_implicit_tls(config: dict[str, Any]) -> bool:
    return bool(config.get("SMTP_SSL")) or int(config.get("SMTP_PORT") or 25) == 465


def check(config: dict[str, Any]) -> None:
    """Refuse settings that would run but be unsafe, saying what to set instead."""
    url = str(config.get("DATABASE_URL") or "")
    if url.startswith(("postgres://", "postgresql")) and not config.get("SECRET_KEY"):
        # A generated key is one per machine: sessions and forms signed on one server would be
        # refused by the others.
        raise ValueError(
            "SECRET_KEY must be set when DATABASE_URL is PostgreSQL: every server of the site "
            "needs the same key. Generate one with: "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    n = config.get("PASSWORD_SCRYPT_N")
    if not isinstance(n, int) or n < 2 or n & (n - 1):
        raise ValueError(f"PASSWORD_SCRYPT_N must be a power of two, not {n!r}")
    if n < MIN_SCRYPT_N and not config.get("TESTING"):
        raise ValueError(
            f"PASSWORD_SCRYPT_N={n} is below OWASP's minimum for scrypt ({MIN_SCRYPT_N}); "
            "only a test suite may use less"
        )
    if config.get("SMTP_USERNAME") and not (
        config.get("SMTP_STARTTLS") or smtp_implicit_tls(config)
    ):
        raise ValueError(
            "SMTP_USERNAME is set but the mail server connection is not encrypted: set "
            "SMTP_STARTTLS=true, or SMTP_SSL=true (implicit TLS, port 465); a password is "
            "never sent in the clear"
        )


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """The plain variables that are set, with numbers and booleans converted."""
    found: dict[str, Any] = {}
    for name in PLAIN_ENV:
        value = environ.get(name)
        if value is None or value == "":
            continue
        if name in (
            "SMTP_PORT",
            "QUERY_RETENTION_DAYS",
            "TRUSTED_PROXIES",
            "PASSWORD_SCRYPT_N",
            "PAGE_CACHE_BYTES",
            "SEARCH_PAGE_CACHE_BYTES",
            "SEARCH_TIME_BUDGET_MS",
        ):
            found[name] = int(value)
        elif name == "ASK_MIN_FILL_SECONDS":
            found[name] = float(value)
        elif name in ("SMTP_STARTTLS", "SMTP_SSL", "SESSION_COOKIE_SECURE", "EXPORT_SERVES_PAGES"):
            found[name] = value.lower() in ("1", "true", "yes", "on")
        elif name in ("TRUSTED_HOSTS", "TRUSTED_PROXY_HEADERS"):
            found[name] = [part.strip().lower() for part in value.split(",") if part.strip()]
        else:
            found[name] = value
    return found


def private_dir(path: Path) -> None:
    """Create ``path`` readable by its owner only (patients' data and the secret key live
    there); a folder that exists is left as the operator made it."""
    if not path.is_dir():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened: be exact


def instance_secret_key(instance_path: Path) -> str:
    """A secret key generated once and kept in the instance folder, never a fixed fallback."""
    path = instance_path / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    private_dir(instance_path)
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
