"""The clinic's staff area: accounts with roles and log-in with a second factor
(``accounts``), the tables (``models``), the audit log (``audit``), forms, the question pages
(``views``), the translation desk (``desk``) and ``flask staff`` (``cli``)."""

from __future__ import annotations

from flask import Flask

from app.staff import accounts, cli, desk, views
from app.web import limits


def init_app(app: Flask) -> None:
    accounts.init_app(app)
    limits.limit(app, [views.bp], "LOGIN_RATE_LIMIT", methods=["POST"], endpoints={"staff.login"})
    app.register_blueprint(views.bp)
    app.register_blueprint(desk.bp)
    app.cli.add_command(cli.staff)
