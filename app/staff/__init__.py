"""The clinic's staff area: accounts and log-in with a second factor (``accounts``), the
tables (``models``), the audit log (``audit``), forms, pages (``views``) and ``flask staff``
(``cli``)."""

from __future__ import annotations

from flask import Flask

from app.staff import accounts, cli, views
from app.web import limits


def init_app(app: Flask) -> None:
    accounts.init_app(app)
    limits.limit(app, [views.bp], "LOGIN_RATE_LIMIT", methods=["POST"], endpoints={"staff.login"})
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.staff)
