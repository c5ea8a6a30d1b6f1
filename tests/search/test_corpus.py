"""The benchmark's realistic corpus: loadable, deterministic, and made of different articles."""

from pathlib import Path

from app.content.store import ContentStore
from app.search.analysis import words
from bench.corpus import make_corpus

LANGS = ["en", "hi", "fr"]


def _texts(root: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.md"))}


def _vocabulary(store: ContentStore, lang: str, index: int) -> set[str]:
    article = store.all_localized(lang)[index]
    return {
        term
        for section in article.sections
        for text in section.texts
        for term in words(lang, text.value)
    }


def test_the_realistic_corpus_is_deterministic_and_loads_translated(tmp_path):
    first = make_corpus(tmp_path / "a", 3, LANGS, kind="realistic")
    second = make_corpus(tmp_path / "b", 3, LANGS, kind="realistic")
    assert _texts(first) == _texts(second)
    for lang in ("hi", "fr"):
        mo = Path("translations", lang, "LC_MESSAGES", "articles.mo")
        assert (first / mo).read_bytes() == (second / mo).read_bytes()
    store = ContentStore(first / "content", first / "translations", LANGS, "en")
    assert len(store.library.articles) == 3
    assert all(a.complete for lang in LANGS for a in store.all_localized(lang))


def _most_shared(root: Path, lang: str) -> float:
    """The largest share of index terms two articles of the corpus have in common."""
    store = ContentStore(root / "content", root / "translations", LANGS, "en")
    found = [_vocabulary(store, lang, i) for i in range(len(store.library.articles))]
    return max(len(a & b) / len(a | b) for i, a in enumerate(found) for b in found[i + 1 :])


def test_realistic_articles_differ_where_copies_do_not(tmp_path):
    realistic = make_corpus(tmp_path / "r", 3, LANGS, kind="realistic")
    copies = make_corpus(tmp_path / "c", 3, LANGS, kind="copies")
    for lang in LANGS:
        assert _most_shared(realistic, lang) < 0.5
        assert _most_shared(copies, lang) == 1.0


def test_the_realistic_corpus_speaks_the_real_vocabulary(tmp_path):
    root = make_corpus(tmp_path, 2, LANGS, kind="realistic")
    store = ContentStore(root / "content", root / "translations", LANGS, "en")
    real = ContentStore(Path("content"), Path("translations"), LANGS, "en")
    for lang in LANGS:
        made = _vocabulary(store, lang, 0)
        known = _vocabulary(real, lang, 0) | _vocabulary(real, lang, 1)
        assert len(made & known) / len(made) > 0.9
