"""Error pages in the reader's language: every 4xx and 5xx helps the reader on, never a trace."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("We could not understand that request.")),
        403: (_("Not allowed"), _("You do not have permission to open this page.")),
        404: (_("Page not found"), _("We could not find the page you asked for.")),
        405: (_("Not allowed"), _("This page cannot be used in that way.")),
        413: (_("Too much data"), _("What you sent is larger than we can accept.")),
        414: (_("Address too long"), _("This address is too long. Please check the link.")),
        429: (
            _("Too many requests"),
            _("You have sent many requests in a short time. Please wait a little and try again."),
        ),
        500: (
            _("Something went wrong"),
            _("An error on our side stopped this page. Please try again."),
        ),
        503: (
            _("Temporarily unavailable"),
            _("This service is briefly unavailable. Please try again in a few minutes."),
        ),
    }


def render_error(code: int, detail: str | None = None):
    titles = _titles()
    title, message = titles.get(code, titles[500 if code >= 500 else 400])
    if request.path.startswith("/api/"):
        return {"error": {"code": code, "title": title, "message": detail or message}}, code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


def init_app(app: Flask) -> None:
    @app.errorhandler(SecurityError)
    def untrusted_host(exc: SecurityError):
        """A Host outside TRUSTED_HOSTS: no page can be built for it, and none echoes it."""
        return Response("Bad request: unknown host name.\n", 400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        response = render_error(exc.code or 500)
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            body, code = response
            return body, code, {"Allow": ", ".join(exc.valid_methods)}  # type: ignore[attr-defined]
        return response

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError):
        """The database is down or unreachable: "try again later", not "our bug"."""
        app.logger.error("database unavailable on %s: %s", request.path, type(exc.orig).__name__)
        return render_error(503)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return render_error(InternalServerError.code)
