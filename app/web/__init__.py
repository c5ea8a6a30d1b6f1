"""The site's shell, shared by every area: response caching and compression (``caching``),
security headers, sessions and CSRF (``security``), rate limits (``limits``) and the
addresses outside ``/<lang>/`` (``meta``: redirects, health check, sitemap, robots.txt)."""

from __future__ import annotations

from flask import Flask

from app.web import caching, limits, meta, security
from app.web.export import export_command


def init_app(app: Flask) -> None:
    caching.init_app(app)
    security.init_app(app)
    limits.init_app(app)
    app.register_blueprint(meta.bp)
    app.cli.add_command(export_command)
