"""The patient's question, from the form to the clinic's staff: the form and its option lists
(``forms``, ``choices``), the tables (``models``), reading and changing stored questions
(``records``), the emails about them (``outbox``), backups (``exports``), the pages
(``views``) and ``flask queries`` (``cli``)."""

from __future__ import annotations

from flask import Flask

from app.questions import cli, views
from app.web import limits


def init_app(app: Flask) -> None:
    limits.limit(app, [views.bp], "ASK_RATE_LIMIT", methods=["POST"])
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.queries)
