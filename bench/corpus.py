"""A synthetic corpus scaled to N articles in every shipped language, for the search benchmark.

Clones of the two real articles under new slugs, with their translations re-keyed to the new
slugs, so every language has real text of realistic size and vocabulary.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.content.conventions import ARTICLES as DOMAIN  # noqa: E402
from app.content.conventions import LC_MESSAGES, article_of  # noqa: E402
from app.i18n import workflow  # noqa: E402


def make_corpus(target: Path, articles: int, languages: list[str]) -> Path:
    """Write ``articles`` article files and compiled catalogs under ``target``; return it."""
    content = target / "content"
    content.mkdir(parents=True, exist_ok=True)
    # The articles' drawings, which every copy of an article refers to.
    shutil.copytree(ROOT / "content" / "figures", content / "figures", dirs_exist_ok=True)
    sources = sorted((ROOT / "content").glob("*.md"))
    slugs = []
    for i in range(articles):
        source = sources[i % len(sources)]
        base = source.stem
        slug = f"{base}-{i:04d}"
        text = source.read_text(encoding="utf-8")
        text = text.replace(f"slug: {base}", f"slug: {slug}", 1)
        text = re.sub(r"related:\n(  - .*\n)+", "related: []\n", text, count=1)
        (content / f"{slug}.md").write_text(text, encoding="utf-8")
        slugs.append((base, slug))
    config = workflow.Settings(ROOT / "translations", ROOT / "content")
    for lang in languages:
        if lang == "en":
            continue
        original = workflow.read(config.po(lang, DOMAIN), DOMAIN, lang)
        scaled = Catalog(locale=lang, domain=DOMAIN)
        for message in original:
            if not message.id or not message.string or message.fuzzy:
                continue
            base = article_of(message.context)
            rest = message.context[len(base) :]
            for source_slug, slug in slugs:
                if source_slug == base:
                    scaled.add(message.id, message.string, context=slug + rest)
        out = target / "translations" / lang / LC_MESSAGES
        out.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        write_mo(buffer, scaled)
        (out / f"{DOMAIN}.mo").write_bytes(buffer.getvalue())
    return target
