"""``flask`` command groups for operational tasks, one module per group."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.commands.content import content
    from app.commands.search import search

    app.cli.add_command(content)
    app.cli.add_command(search)
