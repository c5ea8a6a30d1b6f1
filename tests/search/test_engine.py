"""The search engine on the real index: Whoosh's ranking, and a time budget that is honoured."""

import pytest
from whoosh.query import And

from app.search import site as search_site
from app.search.engine import Budget, Engine
from app.search.query import _groups, clean, run

PARTIAL = "these may not be all the results"


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "stem cell risks"),
        ("en", "clinical trial india"),
        ("en", '"bone marrow"'),
        ("fr", "cellules souches"),
        ("hi", '"स्टेम सेल"'),
        ("ar", "التصلب المتعدد"),
    ],
)
def test_the_ranking_is_whooshs_own(app, lang, text):
    service = search_site.service(app)
    searcher = service._open()
    groups = _groups(searcher, clean(text), lang, True, service.glossaries)
    query = groups[0] if len(groups) == 1 else And(groups)
    whoosh = [hit.docnum for hit in searcher.search(query, limit=None)]
    ranked = Engine(searcher, Budget(None)).rank(query, len(whoosh) + 1)
    assert whoosh
    assert ranked.docnums == whoosh
    assert ranked.total == len(whoosh)
    assert not ranked.partial


def test_a_search_out_of_time_returns_what_it_has_labelled_partial(app):
    service = search_site.service(app)
    searcher = service._open()
    whole = run(searcher, clean("stem cells"), "en", glossaries=service.glossaries)
    cut = run(searcher, clean("stem cells"), "en", glossaries=service.glossaries, budget_ms=0)
    assert not whole.partial
    assert cut.partial
    assert cut.total < whole.total
    assert {r.url for r in cut.results} <= {r.url for r in whole.results} | set()


def test_the_results_page_says_when_results_may_be_incomplete(make_app):
    hurried = make_app(SEARCH_TIME_BUDGET_MS=0).test_client()
    page = hurried.get("/en/search?q=stem+cells").get_data(as_text=True)
    assert PARTIAL in page
    patient = make_app().test_client()
    assert PARTIAL not in patient.get("/en/search?q=stem+cells").get_data(as_text=True)


def test_partial_results_are_not_kept(make_app):
    app = make_app(SEARCH_TIME_BUDGET_MS=0)
    service = search_site.service(app)
    assert service.search("stem cells", "en").partial
    service.budget_ms = None
    assert not service.search("stem cells", "en").partial


def test_a_partial_results_page_is_kept_by_no_cache(make_app):
    """Neither the page cache nor a CDN keeps an answer the budget cut short."""
    app = make_app(SEARCH_TIME_BUDGET_MS=0)
    client = app.test_client()
    first = client.get("/en/search?q=stem+cells")
    assert PARTIAL in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "no-store"
    search_site.service(app).budget_ms = None
    again = client.get("/en/search?q=stem+cells").get_data(as_text=True)
    assert PARTIAL not in again


def test_the_api_says_when_results_may_be_incomplete(make_app):
    hurried = make_app(SEARCH_TIME_BUDGET_MS=0).test_client()
    response = hurried.get("/api/v1/search?q=stem+cells&lang=en")
    assert response.json["partial"] is True
    assert response.headers["Cache-Control"] == "no-store"
    assert (
        make_app().test_client().get("/api/v1/search?q=stem+cells&lang=en").json["partial"] is False
    )


@pytest.mark.parametrize("lang", ["en", "hi", "ar", "bn", "ru", "fr"])
def test_a_phrase_finds_through_term_pairs_exactly_the_sections_whoosh_finds(app, lang):
    """Phrases of two and three terms found by the pair field (and, for three, positions)
    match the sections Whoosh's own Phrase matches: every run of adjacent terms of some real
    sections, and the same terms out of order, which must match less or nothing."""
    from whoosh.query import Phrase

    from app.search.analysis import analyzer
    from app.search.index import field

    service = search_site.service(app)
    searcher = service._open()
    fieldname = field("text", lang)
    texts = [
        fields[fieldname.replace("text_", "body_")] for fields in searcher.documents(lang=lang)
    ][:4]
    phrases = set()
    for text in texts:
        terms = [t.text for t in analyzer(lang)(text, positions=True)][:40]
        for size in (2, 3):
            for at in range(len(terms) - size + 1):
                run_ = tuple(terms[at : at + size])
                phrases.update({run_, run_[::-1]})
    assert len(phrases) > 100
    for words in sorted(phrases):
        query = Phrase(fieldname, list(words))
        whoosh = {hit.docnum for hit in searcher.search(query, limit=None)}
        assert Engine(searcher, Budget(None)).docs(query) == whoosh, words


def test_waiting_for_a_busy_processor_does_not_use_up_the_budget():
    """The budget counts the processor time a search spends, not the time it waited."""
    import time

    from app.search.engine import OutOfTime

    budget = Budget(0.005)
    time.sleep(0.05)  # descheduled, as on a loaded server: no work done
    budget.check()
    assert not budget.exceeded
    end = time.thread_time() + 0.02
    while time.thread_time() < end:  # work done
        pass
    with pytest.raises(OutOfTime):
        budget.check()
    assert budget.exceeded
