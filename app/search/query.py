"""A reader's words to a safe, bounded Whoosh query, and the results as plain data.

Queries are never given to Whoosh's query parser: its syntax (``*``, leading wildcards, open
ranges, field names) turns a few characters into seconds of work. Instead the text is reduced to
words, quoted phrases and trailing prefixes of at least three letters, capped in length and
number, and the query is built from those. Nothing here raises on any input.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex
from whoosh.query import And, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from app.search.analysis import WORD_RE, fold, normalize_text, words
from app.search.engine import Budget, Engine
from app.search.index import field as fieldname
from app.search.snippets import make_snippet
from app.search.synonyms import Match, Member, expand, matches

MAX_CHARS = 200
MAX_TERMS = 8
MIN_PREFIX = 3
MAX_PREFIX_TERMS = 40
PAGE_SIZE = 10
MAX_PAGE = 50
#: Fewer sections than this with all the words, and the search widens.
ENOUGH = 3
#: Words of these lengths (in graphemes) get spelling suggestions: shorter ones have too many
#: neighbours, longer ones are not misspellings worth an edit-distance search.
MIN_SUGGEST = 4
MAX_SUGGEST = 24
#: Unknown words respelled per query, the longest first: each costs an edit-distance walk of
#: the index's word list (about 35 ms for a 12-letter word), so a query of eight invented words
#: would otherwise cost a worker a quarter of a second.
MAX_RESPELL = 2
GRAPHEME = regex.compile(r"\X")
FIELD_SYNTAX = regex.compile(r"\b\w+:(?=\S)")
PHRASE = regex.compile(r'"([^"]*)"')
#: Query-language operators readers copy from other search engines; they are not words here.
OPERATORS = frozenset({"AND", "OR", "NOT", "TO"})
#: The one definition of "something to search for", shared by the search page, the API and
#: the API's OpenAPI description: a character that neither Python (``str.isspace``) nor
#: JavaScript (``\s``) counts as white space. Written with ``\uXXXX`` escapes so the same
#: text is a valid pattern in both languages.
NOT_BLANK = (
    r"[^\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000\ufeff]"
)
_NOT_BLANK = regex.compile(NOT_BLANK)


@dataclass(frozen=True)
class Word:
    text: str
    prefix: bool = False


@dataclass(frozen=True)
class CleanQuery:
    """What survives of the reader's text: shown back to them, and searched."""

    text: str
    words: tuple[Word, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases


@dataclass(frozen=True)
class SearchResult:
    slug: str
    section: str
    lang: str
    title: str
    heading: str
    #: HTML: the engine escapes the text and marks matches with <mark>.
    snippet: str
    url: str


@dataclass(frozen=True)
class SearchPage:
    query: CleanQuery
    lang: str
    results: list[SearchResult] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = PAGE_SIZE
    #: A respelling of the reader's words; when ``corrected``, the results are its results
    #: because the reader's own words found nothing.
    suggestion: str | None = None
    #: The results are English ones, because nothing matched in the reader's language.
    fallback: bool = False
    corrected: bool = False
    #: How many words were given to the spelling corrector (at most ``MAX_RESPELL``).
    respelled: int = 0
    #: The time budget ran out: these are the best results found in time, maybe not all.
    partial: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def is_blank(text: str) -> bool:
    """True when the text holds nothing but white space (see ``NOT_BLANK``)."""
    return _NOT_BLANK.search(text) is None


def clean(text: str) -> CleanQuery:
    """Normalise and cap; drop control characters, field syntax and unsafe wildcards."""
    text = normalize_text(str(text))
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    text = " ".join(text.split())
    truncated = len(text) > MAX_CHARS
    text = text[:MAX_CHARS]
    text = FIELD_SYNTAX.sub(" ", text)
    phrases = []
    for match in PHRASE.finditer(text):
        found = tuple(m.group() for m in WORD_RE.finditer(match[1]))[:MAX_TERMS]
        if len(found) > 1:
            phrases.append(found)
        elif found:
            text += " " + found[0]
    rest = PHRASE.sub(" ", text)
    found_words: list[Word] = []
    for match in WORD_RE.finditer(rest):
        if match.group() in OPERATORS:
            continue
        star = rest[match.end() : match.end() + 1] == "*"
        word = Word(match.group(), prefix=star and len(match.group()) >= MIN_PREFIX)
        if word not in found_words:
            found_words.append(word)
    budget = MAX_TERMS - sum(len(p) for p in phrases)
    truncated = truncated or len(found_words) > max(budget, 0)
    kept = tuple(found_words[: max(budget, 0)])
    shown = " ".join(
        [f'"{" ".join(p)}"' for p in phrases] + [w.text + ("*" if w.prefix else "") for w in kept]
    )
    return CleanQuery(text=shown, words=kept, phrases=tuple(phrases), truncated=truncated)


def _word_query(searcher: Searcher, lang: str, word: Word) -> Query | None:
    fname = fieldname("text", lang)
    if word.prefix:
        stem = fold(lang, word.text.lower())
        terms = []
        for term in searcher.reader().expand_prefix(fname, stem):
            terms.append(term.decode("utf-8") if isinstance(term, bytes) else term)
            if len(terms) >= MAX_PREFIX_TERMS:
                break
    else:
        terms = expand(lang, words(lang, word.text))
    if not terms:
        return None
    return Term(fname, terms[0]) if len(terms) == 1 else Or([Term(fname, t) for t in terms])


def _member_query(lang: str, found: Member) -> Query:
    """Another member of a synonym group: a word as any of its terms, a phrase as its words in
    order (stop words apart, as in the index)."""
    fname = fieldname("text", lang)
    if len(found) > 1:
        return Phrase(fname, [terms[0] for terms in found])
    terms = found[0]
    return Term(fname, terms[0]) if len(terms) == 1 else Or([Term(fname, t) for t in terms])


def _synonym_runs(lang: str, typed: Sequence[Word], glossaries: Path | None) -> list[Match]:
    """The runs of the reader's words that say a member of a synonym group, as positions in
    ``typed``: stop words inside a run belong to it, and a prefix is never part of one."""
    content = [
        (i, () if word.prefix else tuple(words(lang, word.text))) for i, word in enumerate(typed)
    ]
    content = [(i, terms) for i, terms in content if terms or typed[i].prefix]
    return [
        Match(content[m.start][0], content[m.end - 1][0] + 1, m.others)
        for m in matches(lang, [terms for _, terms in content], glossaries)
    ]


def _word_groups(
    searcher: Searcher, lang: str, typed: Sequence[Word], glossaries: Path | None
) -> list[Query]:
    """One query per word, except where the words say a member of a synonym group: there the
    words as typed, or any other member of the group (a formal phrase finds the loanword)."""
    runs = {span.start: span for span in _synonym_runs(lang, typed, glossaries)}
    out: list[Query | None] = []
    at = 0
    while at < len(typed):
        span = runs.get(at)
        if span is None:
            out.append(_word_query(searcher, lang, typed[at]))
            at += 1
            continue
        found = (_word_query(searcher, lang, word) for word in typed[at : span.end])
        own = [q for q in found if q is not None]
        said = own[0] if len(own) == 1 else And(own)
        out.append(Or([said, *(_member_query(lang, m) for m in span.others)]))
        at = span.end
    return [q for q in out if q is not None]


def _whole_run(lang: str, phrase: tuple[str, ...], glossaries: Path | None) -> Match | None:
    """The synonym run that is all of a quoted phrase (its stop words apart), if one is."""
    for span in _synonym_runs(lang, [Word(w) for w in phrase], glossaries):
        if not any(words(lang, w) for w in phrase[: span.start] + phrase[span.end :]):
            return span
    return None


def _phrase_query(lang: str, phrase: tuple[str, ...], glossaries: Path | None) -> Query | None:
    tokens = [found[0] for found in (words(lang, w) for w in phrase) if found]
    if len(tokens) < 2:
        return None
    exact = Phrase(fieldname("text", lang), tokens)
    span = _whole_run(lang, phrase, glossaries)
    if span is None:
        return exact
    return Or([exact, *(_member_query(lang, m) for m in span.others)])


def _loose_phrase(
    searcher: Searcher, lang: str, phrase: tuple[str, ...], glossaries: Path | None
) -> Query | None:
    """A quoted phrase as all of its words, anywhere in the section, each with its stems and
    synonyms: what a wider search tries when the exact phrase is not in the text (readers
    quote the words they know, not always the ones the translation chose)."""
    found = _word_groups(searcher, lang, [Word(w) for w in phrase], glossaries)
    if not found:
        return None
    return found[0] if len(found) == 1 else And(found)


def _groups(
    searcher: Searcher,
    query: CleanQuery,
    lang: str,
    strict: bool = True,
    glossaries: Path | None = None,
) -> list[Query]:
    if strict:
        groups = [_phrase_query(lang, p, glossaries) for p in query.phrases]
    else:
        groups = [_loose_phrase(searcher, lang, p, glossaries) for p in query.phrases]
    groups += _word_groups(searcher, lang, query.words, glossaries)
    return [g for g in groups if g is not None]


def _synonym_terms(lang: str, query: CleanQuery, glossaries: Path | None) -> set[str]:
    """The index terms of the one-word synonyms the query also looks for, marked in snippets
    like the reader's own words. Not the words of a phrase: snippets mark words, and each word
    of "स्टेम कोशिका" on its own would mark every कोशिका in the text."""
    runs = _synonym_runs(lang, query.words, glossaries)
    for phrase in query.phrases:
        runs += _synonym_runs(lang, [Word(w) for w in phrase], glossaries)
    return {t for span in runs for found in span.others if len(found) == 1 for t in found[0]}


def _results(hits: list[dict], lang: str, query: CleanQuery, also: set[str]) -> list[SearchResult]:
    results = []
    body = fieldname("body", lang)
    wanted = set(also)
    for word in (*query.words, *(Word(w) for p in query.phrases for w in p)):
        wanted.update(words(lang, word.text))
    prefixes = tuple(fold(lang, w.text.lower()) for w in query.words if w.prefix)
    for hit in hits:
        snippet = make_snippet(hit[body], lang, wanted, prefixes)
        results.append(
            SearchResult(
                slug=hit["slug"],
                section=hit["section"],
                lang=hit["lang"],
                title=hit[fieldname("title", lang)],
                heading=hit[fieldname("heading", lang)],
                snippet=snippet,
                url=hit["url"],
            )
        )
    return results


@dataclass(frozen=True)
class Found:
    results: list[SearchResult]
    total: int = 0
    page: int = 1
    partial: bool = False


def _search(
    searcher: Searcher,
    query: CleanQuery,
    lang: str,
    page: int,
    strict: bool = False,
    glossaries: Path | None = None,
    budget: Budget | None = None,
) -> Found:
    """All the words and exact phrases (``strict``), or any of them, phrases loosened."""
    groups = _groups(searcher, query, lang, strict, glossaries)
    if not groups:
        return Found([])
    # No language filter is needed: each language has its own fields.
    combined: Query = groups[0] if len(groups) == 1 else And(groups) if strict else Or(groups)
    # Every match counted, the pages up to the one asked for ranked.
    ranked = Engine(searcher, budget or Budget(None)).rank(combined, page * PAGE_SIZE)
    total = ranked.total
    if not total:
        return Found([], partial=ranked.partial)
    page = min(page, math.ceil(total / PAGE_SIZE))
    start = (page - 1) * PAGE_SIZE
    hits = [searcher.stored_fields(d) for d in ranked.docnums[start : start + PAGE_SIZE]]
    also = _synonym_terms(lang, query, glossaries)
    return Found(_results(hits, lang, query, also), total, page, ranked.partial)


def _known(searcher: Searcher, lang: str, written: str, word: str) -> bool:
    """In the index as written, or in the form the index keeps after folding and stemming
    (an Arabic word written with a prefix, a Hindi word typed without its nukta)."""
    if searcher.doc_frequency(fieldname("words", lang), written) > 0:
        return True
    text = fieldname("text", lang)
    return any(searcher.doc_frequency(text, term) > 0 for term in words(lang, word))


@dataclass(frozen=True)
class Respelling:
    #: The reader's words with the unknown ones respelled, or None when nothing changed.
    text: str | None
    #: Words given to the corrector: the work done, bounded by ``limit``.
    tried: int


def suggest(
    searcher: Searcher,
    query: CleanQuery,
    lang: str,
    limit: int = MAX_RESPELL,
    glossaries: Path | None = None,
) -> Respelling:
    """A respelling of the reader's unknown words from the words in the index, if one differs.

    Distances count graphemes, not code points (an Indic letter with its vowel sign is one),
    short words are left alone, and one edit is tried before two. Only the ``limit`` longest
    unknown words are respelled (a long word is the likelier typo and the more telling one),
    so the cost of a query does not grow with the number of invented words in it. Words that
    say a synonym (a glossary's formal term) are the reader's own words, never respelled.
    """
    corrector = searcher.corrector(fieldname("words", lang))
    out = [w.text + ("*" if w.prefix else "") for w in query.words]
    unknown: list[tuple[int, int, str]] = []
    runs = _synonym_runs(lang, query.words, glossaries)
    said = {i for found in runs for i in range(found.start, found.end)}
    for position, word in enumerate(query.words):
        if position in said:
            continue
        written = words(lang, word.text, stemming=False, folding=False)
        letters = len(GRAPHEME.findall(written[0])) if written else 0
        if word.prefix or not MIN_SUGGEST <= letters <= MAX_SUGGEST:
            continue
        if not _known(searcher, lang, written[0], word.text):
            unknown.append((letters, position, written[0]))
    chosen = sorted(unknown, key=lambda found: (-found[0], found[1]))[: max(limit, 0)]
    changed = False
    for letters, position, unknown_word in chosen:
        found = corrector.suggest(unknown_word, limit=1, maxdist=1)
        if not found and letters > 6:
            found = corrector.suggest(unknown_word, limit=1, maxdist=2)
        if found:
            out[position] = found[0]
            changed = True
    return Respelling(" ".join(out) if changed else None, len(chosen))


def run(
    searcher: Searcher,
    query: CleanQuery,
    lang: str,
    page: int = 1,
    fallback: bool = True,
    glossaries: Path | None = None,
    budget_ms: float | None = None,
) -> SearchPage:
    """Search ``lang`` for sections with all the words. With few of those: a respelling of
    unknown words (shown as "results for ..."), else sections with any of the words (ranked
    by how many they have, so the all-words ones stay first). Nothing at all: English.
    ``glossaries`` is the translations folder whose glossaries' groups are synonyms.

    After ``budget_ms`` milliseconds of work the search stops and returns the best results it
    has, marked ``partial``; no later step (respelling, wider search, English) is started."""
    page = min(max(page, 1), MAX_PAGE)
    if query.empty:
        return SearchPage(query=query, lang=lang)
    budget = Budget(None if budget_ms is None else budget_ms / 1000)
    strict = _search(searcher, query, lang, page, True, glossaries, budget)
    if strict.total >= ENOUGH or budget.exceeded:
        return _page(query, lang, strict)
    respelling = suggest(searcher, query, lang, glossaries=glossaries)
    tried = respelling.tried
    if suggestion := respelling.text:
        # Re-parse the corrected text: the corrected query object would miss on stemmed fields.
        fixed = _search(searcher, clean(suggestion), lang, page, True, glossaries, budget)
        if fixed.total > strict.total or budget.exceeded:
            return _page(query, lang, fixed, suggestion=suggestion, corrected=True, respelled=tried)
    wider = _search(searcher, query, lang, page, False, glossaries, budget)
    if wider.total > strict.total or budget.exceeded:
        return _page(query, lang, wider, respelled=tried)
    if strict.total:
        return _page(query, lang, strict, respelled=tried)
    if fallback and lang != "en":
        english = _search(searcher, query, "en", page, False, glossaries, budget)
        if english.total or budget.exceeded:
            return _page(query, "en", english, fallback=True, respelled=tried)
    return SearchPage(query=query, lang=lang, respelled=tried)


def _page(query: CleanQuery, lang: str, found: Found, **flags) -> SearchPage:
    return SearchPage(
        query, lang, found.results, found.total, found.page, partial=found.partial, **flags
    )


__all__ = [
    "CleanQuery",
    "Respelling",
    "SearchPage",
    "SearchResult",
    "clean",
    "run",
    "suggest",
]
