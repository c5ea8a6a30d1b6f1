"""Treatment articles.

The core is plain Python that knows nothing of Flask: ``model`` holds the data types,
``loader`` turns Markdown files into them, ``render`` turns a block's inline Markdown into
HTML, ``catalog`` applies compiled translations, ``extract`` is the Babel extractor that feeds
translators one message per block, ``figures`` draws the figures, ``readability`` measures the
English and ``store`` holds every language in memory. On the site: ``site`` loads the store
into an app, ``views`` shows the articles and ``cli`` is ``flask content``.
"""

from flask import Flask

from app.content import cli, site, views
from app.content.errors import ContentError
from app.content.loader import Library, load_article, load_library
from app.content.model import Article, Block, Section, Source
from app.i18n.languages import SOURCE_LANGUAGE, languages_of
from app.web.caching import version_pages_by

__all__ = [
    "Article",
    "Block",
    "ContentError",
    "Library",
    "Section",
    "Source",
    "init_app",
    "load_article",
    "load_library",
]


def init_app(app: Flask) -> None:
    found = site.install(app, [lang.code for lang in languages_of(app)], SOURCE_LANGUAGE)
    version_pages_by(app, found)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.content)
