"""The patient-education site: ``create_app`` builds it; WSGI entry point ``app:create_app()``."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

from app import commands, config, database, errors, i18n, questions, staff, web
from app.content.store import ContentStore
from app.i18n.languages import SOURCE_LANGUAGE, languages_of
from app.search import SearchService
from app.views import api, articles, search
from app.web import limits

__version__ = config.VERSION


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then environment variables, then ``test_config``."""
    test_config = dict(test_config or {})
    instance_path = test_config.pop("INSTANCE_PATH", None) or os.environ.get("INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    instance = Path(app.instance_path)
    app.config.from_mapping(config.defaults(instance))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(config.from_environment(os.environ))
    app.config.from_prefixed_env("APP")
    if test_config:
        app.config.from_mapping(test_config)
    config.apply_site_url(app.config)
    config.check(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.instance_secret_key(instance)
    # Our modules log through children of this logger: references and counts, never personal
    # data. INFO, so that those lines reach the server's log.
    if not app.logger.level:
        app.logger.setLevel(logging.INFO)

    i18n.init_app(app)
    app.extensions["content"] = ContentStore(
        Path(app.config["CONTENT_DIR"]),
        Path(app.config["TRANSLATIONS_DIR"]),
        [lang.code for lang in languages_of(app)],
        SOURCE_LANGUAGE,
    )
    app.extensions["search"] = SearchService(
        Path(app.config["SEARCH_INDEX_DIR"]),
        app.extensions["content"],
        [lang.code for lang in languages_of(app)],
    )
    database.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    commands.init_app(app)

    app.register_blueprint(articles.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(api.bp)
    questions.init_app(app)
    staff.init_app(app)
    limits.init_app(app)
    return app
