"""Languages: which ones the site speaks and which one a request is answered in
(``languages``), the translators' workflow on the gettext catalogs (``workflow``), its
``flask translate`` commands (``cli``) and the translation status page (``views``)."""

from __future__ import annotations

from flask import Flask

from app.i18n import cli, languages, views


def init_app(app: Flask) -> None:
    languages.init_app(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.translate)
