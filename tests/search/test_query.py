import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.search import site as search_site
from app.search.query import (
    MAX_CHARS,
    MAX_PREFIX_TERMS,
    MAX_RESPELL,
    MAX_TERMS,
    Respelling,
    clean,
    suggest,
)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("*", ""),
        ("*ology", "ology"),
        ("st*", "st"),
        ("stem*", "stem*"),
        ("s?em", "s em"),
        ("title:riluzole", "riluzole"),
        ("[a TO z]", "a z"),
        ("{* TO *}", ""),
        ("riluzole AND OR NOT edaravone", "riluzole edaravone"),
        ('"lumbar puncture" risks', '"lumbar puncture" risks'),
        ('"unbalanced quote', "unbalanced quote"),
        ("riluzole\x00\x07\u202e", "riluzole"),
        ("riluzole~2^5", "riluzole 2 5"),
    ],
)
def test_query_syntax_is_reduced_to_words_and_safe_prefixes(text, shown):
    assert clean(text).text == shown


def test_queries_are_capped_in_length_and_terms():
    long_query = clean(" ".join(f"word{i}" for i in range(100)))
    assert len(long_query.words) == MAX_TERMS
    assert long_query.truncated
    assert len(clean("x" * 10_000).text) <= MAX_CHARS


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8"),
            st.sampled_from(list('*?~^"[]{}():-+!\\/ AND OR NOT TO title: \x00\u200c\u200d')),
            st.sampled_from(list("ऄकखगि्ंःঅআকখিে্ابتثَُِـабвгдеёàéèçœ")),
        ),
        max_size=400,
    )
)
def test_any_text_becomes_a_bounded_query(text):
    query = clean(text)
    assert len(query.text) <= MAX_CHARS + 2 * MAX_TERMS + 2
    assert len(query.words) + sum(len(p) for p in query.phrases) <= MAX_TERMS + len(query.phrases)
    assert all(len(w.text) >= 3 for w in query.words if w.prefix)


def test_prefix_expansion_is_capped(app):
    """A prefix that matches more index terms than the cap expands to exactly the cap."""
    from app.search.index import field
    from app.search.query import Word, _word_query

    searcher = search_site.service(app)._open()
    prefix = "প্র"  # Bengali "pra-": the commonest start of a word in these articles
    in_index = list(searcher.reader().expand_prefix(field("text", "bn"), prefix))
    assert len(in_index) > MAX_PREFIX_TERMS
    built = _word_query(searcher, "bn", Word(prefix, prefix=True))
    assert len(list(built.leaves())) == MAX_PREFIX_TERMS
    page = search_site.service(app).search(prefix + "*", "bn")
    assert page.total > 0


def test_respelling_is_bounded_whatever_the_number_of_unknown_words(app):
    """Eight invented 12-letter words cost the corrector two words' work, not eight."""
    invented = " ".join(f"{first}qzvxkwprtmb" for first in "acdefghj")
    page = search_site.service(app).search(invented, "en")
    assert len(page.query.words) == 8
    assert page.total == 0
    assert page.respelled == MAX_RESPELL == 2


def test_the_longest_unknown_words_are_the_ones_respelled(app):
    searcher = search_site.service(app)._open()
    query = clean("puncure edaravne")
    assert suggest(searcher, query, "en", limit=1) == Respelling("puncure edaravone", tried=1)
    assert suggest(searcher, query, "en") == Respelling("puncture edaravone", tried=2)
