"""Security headers on every response, and limits on what a request may carry."""

from __future__ import annotations

from flask import Flask, Response, abort, request

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


def init_app(app: Flask) -> None:
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
