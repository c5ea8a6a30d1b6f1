"""Relevance: words patients type, in every language, find the right sections in the top 3.

The query sets live in ``relevance/<lang>.yaml`` beside this file, written with the translated
text in view; each language has at least ten, including inflected forms and typos.
"""

from pathlib import Path

import pytest
import yaml

from app.search import site as search_site

SETS = Path(__file__).parent / "relevance"
LANGS = ["en", "hi", "ar", "bn", "ru", "fr"]


def cases():
    for lang in LANGS:
        path = SETS / f"{lang}.yaml"
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []:
            yield pytest.param(lang, case["q"], case["expect"], id=f"{lang}:{case['q'][:40]}")


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_a_full_query_set(lang):
    entries = yaml.safe_load((SETS / f"{lang}.yaml").read_text(encoding="utf-8"))
    assert len(entries) >= 10
    kinds = {e["kind"] for e in entries}
    assert {"inflected", "typo"} <= kinds


@pytest.mark.parametrize(("lang", "query", "expect"), list(cases()))
def test_query_finds_an_expected_section_in_the_top_three(app, lang, query, expect):
    page = search_site.service(app).search(query, lang)
    assert page.lang == lang, f"fell back to {page.lang}"
    top = [f"{r.slug}#{r.section}" for r in page.results[:3]]
    assert set(top) & set(expect), f"{query!r} gave {top}"
