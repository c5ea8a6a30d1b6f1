"""Security for every request: headers on every response, limits on what a request may carry,
CSRF on every form, cookies that are Secure whenever the request came over HTTPS, and proxy
headers believed only from proxies we were told about."""

from __future__ import annotations

from flask import Flask, Response, abort, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from app.errors import render_error

csrf = CSRFProtect()

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # A patient's reading list is health information: other sites learn nothing of it.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=63072000; includeSubDomains"
#: Set in ``app.extensions`` once a request carried forwarded headers that were not believed.
FORWARDED_IGNORED = "forwarded_headers_ignored"
#: Longer addresses are not links a reader followed; refuse them before any work is done.
MAX_URL = 4096


def is_safe_local_path(target: str) -> bool:
    """A path on this site that can go into a Location header as it is."""
    return (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and target.isascii()
        and target.isprintable()
        and " " not in target
        and "\\" not in target
    )


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure on HTTPS requests even when
    ``SESSION_COOKIE_SECURE`` is off, so a site served both ways never leaks it over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """A response marked ``Cache-Control: public`` is, by that mark, the same for every
        reader: Flask-Login looking into the session after every request must not make it
        ``Vary: Cookie``, which would keep shared caches and CDNs from storing it."""
        if response.cache_control.public and not session.modified:
            session.accessed = False  # type: ignore[attr-defined]
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Only the client address and scheme by default: a forwarded host or path prefix
        # reaches links and cached pages, so the operator must name them to have them believed.
        extra = set(app.config.get("TRUSTED_PROXY_HEADERS") or ())
        unknown = extra - {"host", "prefix"}
        if unknown:
            raise ValueError(f"TRUSTED_PROXY_HEADERS: unknown {sorted(unknown)}; use host, prefix")
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=proxies,
            x_proto=proxies,
            x_host=proxies if "host" in extra else 0,
            x_prefix=proxies if "prefix" in extra else 0,
        )
    else:

        @app.before_request
        def notice_ignored_forwarding() -> None:
            """Behind a proxy that is not trusted, every client has the proxy's address, so all
            patients share one rate-limit bucket: tell the operator, once per worker (the log
            and ``/healthz``)."""
            if app.extensions.get(FORWARDED_IGNORED) or not (
                "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
            ):
                return
            app.extensions[FORWARDED_IGNORED] = True
            app.logger.warning(
                "forwarded headers arrive but TRUSTED_PROXIES is 0: every client counts as %s "
                "for rate limits; set TRUSTED_PROXIES to the number of proxies in front",
                request.remote_addr,
            )

    app.session_interface = SessionInterface()
    # Flask-Login's "remember me" cookie: we never set one, but if we ever do, it is as safe.
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    csrf.init_app(app)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(
            400,
            _(
                "This form has expired or was opened in another window. "
                "Please go back, reload the page and try again."
            ),
        )

    @app.before_request
    def limit_url() -> None:
        if len(request.full_path) > MAX_URL:
            abort(414)

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        response.headers.pop("Server", None)
        return response
