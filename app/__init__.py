"""The patient-education site: ``create_app`` builds it; WSGI entry point ``app:create_app()``.

Importing the package loads only its settings; ``create_app`` imports Flask and the areas. So
``python -m app.server``, whose supervisor only starts and stops the server, does not hold the
whole site in memory (nearly 100 MB); its master builds the site once, through ``create_app``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import config

if TYPE_CHECKING:
    from flask import Flask

__version__ = config.VERSION


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then environment variables, then ``test_config``."""
    from flask import Flask

    from app import content, database, errors, i18n, questions, search, staff, web

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

    database.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    i18n.init_app(app)
    content.init_app(app)
    search.init_app(app)
    questions.init_app(app)
    staff.init_app(app)
    return app
