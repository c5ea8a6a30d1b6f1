"""Matching and ranking for the queries ``app.search.query`` builds, on Whoosh's postings.

Whoosh's own searcher scores every match through a tree of matchers and checks a phrase's word
positions in every section that has its words, a few microseconds of Python per posting. Here
the matching sections are found first with set operations on posting lists, the rarest list
first; a phrase's positions are read only in sections that already match everything else; and
only those sections are scored, with Whoosh's BM25F formula and statistics, so the ranking is
the one ``searcher.search`` gives. A time budget stops the work and keeps the best found so far.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pickle import loads  # nosec B403
from weakref import WeakKeyDictionary

from whoosh.query import And, Or, Phrase, Query, Term
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE

from app.search.analysis import pair_terms

#: Whoosh's BM25F defaults, the weighting the index is searched with.
B = 0.75
K1 = 1.2
#: Candidates handled between two looks at the clock.
CHECK_EVERY = 64

#: Field lengths by reader, field and section: read once, for as long as the index is open.
_LENGTHS: WeakKeyDictionary = WeakKeyDictionary()


Scorer = Callable[[int, int], float | None]


class OutOfTime(Exception):
    """The budget ran out; what was found so far stands."""


@dataclass
class Budget:
    """A limit on the processor time this thread spends (``time.thread_time``), not on the
    wall clock: what the budget bounds is the work one search may cost the server, and a
    search that only waited for a busy processor has done none of it, so it is not cut short
    (on a loaded machine a wall-clock limit returned nothing for a plain one-word search).
    ``None`` seconds is no limit."""

    seconds: float | None
    start: float = field(default_factory=time.thread_time)
    exceeded: bool = False

    def check(self) -> None:
        if self.seconds is not None and time.thread_time() - self.start > self.seconds:
            self.exceeded = True
            raise OutOfTime


@dataclass
class Postings:
    weights: dict[int, float]
    values: dict[int, bytes] | None = None


@dataclass(frozen=True)
class Ranked:
    """The best sections, in rank order, and how many matched."""

    docnums: list[int]
    total: int
    #: The budget ran out: ``total`` and the ranking cover only the sections examined.
    partial: bool = False


class Engine:
    """One query's evaluation: postings are read once, however often a term recurs."""

    def __init__(self, searcher: Searcher, budget: Budget) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.budget = budget
        self._postings: dict[tuple[str, str], Postings] = {}
        self._phrases: dict[int, set[int]] = {}

    def postings(self, fieldname: str, text: str, positions: bool = False) -> Postings:
        key = (fieldname, text)
        found = self._postings.get(key)
        if found is None or (positions and found.values is None):
            found = self._postings[key] = _read(self.reader, fieldname, text, positions)
        return found

    def size(self, query: Query) -> int:
        """An upper bound of the sections ``query`` matches, to intersect the smallest first."""
        if isinstance(query, Term):
            return self.reader.doc_frequency(query.fieldname, query.text)
        if isinstance(query, Phrase):
            return min(self.reader.doc_frequency(query.fieldname, w) for w in query.words)
        sizes = [self.size(q) for q in query.subqueries]
        return min(sizes) if isinstance(query, And) else sum(sizes)

    def docs(self, query: Query, within: set[int] | None = None) -> set[int]:
        """The sections ``query`` matches (among ``within``, when given)."""
        if isinstance(query, Term):
            found = set(self.postings(query.fieldname, query.text).weights)
            return found & within if within is not None else found
        if isinstance(query, Or):
            out: set[int] = set()
            for sub in query.subqueries:
                out |= self.docs(sub, within)
            return out
        if isinstance(query, And):
            # Phrases last: their positions are read only where everything else matched.
            order = sorted(query.subqueries, key=lambda q: (isinstance(q, Phrase), self.size(q)))
            for sub in order:
                within = self.docs(sub, within)
                if not within:
                    break
            return within or set()
        if isinstance(query, Phrase):
            return self._phrase(query, within)
        raise TypeError(f"unsupported query {query!r}")

    def _phrase(self, query: Phrase, within: set[int] | None) -> set[int]:
        words = list(query.words)
        hits = self._phrases.setdefault(id(query), set())
        pairs = query.fieldname.replace("text_", "pairs_", 1)
        if pairs != query.fieldname and pairs in self.searcher.schema:
            # The sections with every adjacent pair of the phrase's terms: for two words, the
            # phrase's sections; for more, the few whose positions are then compared.
            lists = [self.postings(pairs, p) for p in pair_terms(words)]
            candidates = within
            for found in sorted(lists, key=lambda p: len(p.weights)):
                keys = found.weights.keys()
                candidates = set(keys) if candidates is None else candidates & keys
            if len(words) == 2:
                hits.update(candidates or ())
                return hits
            within = candidates or set()
        lists = [self.postings(query.fieldname, w, positions=True) for w in words]
        candidates = within
        for found in sorted(lists, key=lambda p: len(p.weights)):
            keys = found.weights.keys()
            candidates = set(keys) if candidates is None else candidates & keys
        first, *rest = [found.values or {} for found in lists]
        for count, docnum in enumerate(sorted(candidates or ())):
            if count % CHECK_EVERY == 0:
                self.budget.check()
            starts = set(_positions(first[docnum]))
            for offset, values in enumerate(rest, 1):
                starts = starts.intersection(map((-offset).__add__, _positions(values[docnum])))
                if not starts:
                    break
            else:
                hits.add(docnum)
        return hits

    def scorer(self, query: Query) -> Scorer:
        """A function of a matching section and its field length giving its BM25F score as
        Whoosh's matchers sum it (every matching part of the query adds its terms' scores),
        or None where the query does not match."""
        if isinstance(query, Term):
            weights = self.postings(query.fieldname, query.text).weights
            factor = query.boost * self.searcher.idf(query.fieldname, query.text) * (K1 + 1)
            norm = K1 * B / (self.searcher.avg_field_length(query.fieldname) or 1)

            def term(docnum: int, length: int) -> float | None:
                weight = weights.get(docnum)
                if weight is None:
                    return None
                return factor * weight / (weight + K1 * (1 - B) + norm * length)

            return term
        if isinstance(query, Phrase):
            hits = self._phrases.get(id(query), set())
            words = [self.scorer(Term(query.fieldname, w)) for w in query.words]
            boost = query.boost

            def phrase(docnum: int, length: int) -> float | None:
                if docnum not in hits:
                    return None
                return boost * sum(s(docnum, length) or 0.0 for s in words)

            return phrase
        subs = [self.scorer(q) for q in query.subqueries]
        boost, every = query.boost, isinstance(query, And)

        def compound(docnum: int, length: int) -> float | None:
            total, matched = 0.0, False
            for sub in subs:
                found = sub(docnum, length)
                if found is None:
                    if every:
                        return None
                    continue
                total += found
                matched = True
            return boost * total if matched else None

        return compound

    def lengths(self, fieldname: str) -> dict[int, int]:
        """Field lengths by section, kept for as long as the reader is open."""
        return _LENGTHS.setdefault(self.reader, {}).setdefault(fieldname, {})

    def rank(self, query: Query, limit: int) -> Ranked:
        """The best ``limit`` sections for ``query`` in order, and how many match in all."""
        scored: list[tuple[float, int]] = []
        try:
            matched = self.docs(query)
            if self.reader.has_deletions():
                matched = {d for d in matched if not self.reader.is_deleted(d)}
            score = self.scorer(query)
            fieldname = next(iter(_fields(query)))
            lengths = self.lengths(fieldname)
            length_of = self.reader.doc_field_length
            for count, docnum in enumerate(sorted(matched)):
                if count % CHECK_EVERY == 0:
                    self.budget.check()
                length = lengths.get(docnum)
                if length is None:
                    length = lengths[docnum] = length_of(docnum, fieldname, 1)
                scored.append((score(docnum, length) or 0.0, docnum))
            total = len(scored)
        except OutOfTime:
            total = len(scored)
        best = heapq.nsmallest(limit, scored, key=lambda s: (-s[0], s[1]))
        return Ranked([d for _, d in best], total, self.budget.exceeded)


def _read(reader, fieldname: str, text: str, positions: bool) -> Postings:
    """A term's postings, a block at a time where the codec allows (one unpickling per block,
    rather than a method call per posting)."""
    if (fieldname, text) not in reader:
        return Postings({}, {} if positions else None)
    matcher = reader.postings(fieldname, text)
    weights: dict[int, float] = {}
    values: dict[int, bytes] | None = {} if positions else None
    blocks = all(hasattr(matcher, a) for a in ("_read_ids", "_read_weights", "_next_block"))
    while matcher.is_active():
        if blocks:
            matcher._read_ids()
            matcher._read_weights()
            ids = matcher._ids
            weights.update(zip(ids, matcher._weights, strict=True))
            if values is not None:
                matcher._read_values()
                values.update(zip(ids, matcher._values, strict=True))
            matcher._next_block()
        else:
            docnum = matcher.id()
            weights[docnum] = matcher.weight()
            if values is not None:
                values[docnum] = matcher.value()
            matcher.next()
    return Postings(weights, values)


def _positions(value: bytes) -> Iterator[int]:
    """A posting's word positions, as Whoosh's ``Positions`` format writes them."""
    if not value.endswith(b"."):
        value += b"."
    # Only the index's own postings, which Whoosh itself reads this way.
    return accumulate(loads(value[_INT_SIZE:]))  # nosec B301


def _fields(query: Query) -> Iterator[str]:
    if isinstance(query, Term | Phrase):
        yield query.fieldname
    else:
        for sub in query.subqueries:
            yield from _fields(sub)
