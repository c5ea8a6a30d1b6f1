"""Treatment articles: the plain-Python core that knows nothing of Flask.

``model`` holds the data types, ``loader`` turns Markdown files into them, ``render`` turns a
block's inline Markdown into HTML, ``catalog`` applies compiled translations, and ``extract`` is
the Babel extractor that feeds translators one message per block.
"""

from app.content.loader import ContentError, Library, load_article, load_library
from app.content.model import Article, Block, Section, Source

__all__ = [
    "Article",
    "Block",
    "ContentError",
    "Library",
    "Section",
    "Source",
    "load_article",
    "load_library",
]
