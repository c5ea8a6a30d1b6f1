"""Language-aware text analysis for the index and for queries (both sides must match).

Whoosh's default tokenizer splits Devanagari and Bengali words at vowel signs and the virama and
drops Bengali entirely, so words here are runs of letters, combining marks and digits, with the
zero-width joiners kept inside them. Everything is NFC-normalised first. The classes are
module-level because Whoosh pickles the schema, analysers included.
"""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

import regex
import snowballstemmer
from whoosh.analysis import Filter, LowercaseFilter, StopFilter, Token, Tokenizer

WORD_RE = regex.compile(r"[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}\u200c\u200d]*[\p{L}\p{M}\p{N}])?")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200c\u200d\u00ad"))
ARABIC_DIACRITICS = regex.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
STEMMERS = {"en": "english", "hi": "hindi", "ar": "arabic", "ru": "russian", "fr": "french"}
#: The longest word we index or search for; longer "words" are noise and costly to match.
MAX_WORD = 40

ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was "
    "were will with which who what how can not".split()
)


def normalize_text(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class WordTokenizer(Tokenizer):
    """Words as a reader of any of our scripts sees them (see the module docstring)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordTokenizer)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        text = normalize_text(value)
        for pos, match in enumerate(WORD_RE.finditer(text)):
            token.text = match.group()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


def fold(lang: str, word: str) -> str:
    """Spelling variants readers type interchangeably, reduced to one form."""
    word = word.translate(ZERO_WIDTH)
    if lang == "ar":
        word = ARABIC_DIACRITICS.sub("", word).translate(ARABIC_LETTERS)
    elif lang == "fr":
        word = "".join(
            c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)
        )
        word = unicodedata.normalize("NFC", word).replace("œ", "oe").replace("æ", "ae")
    elif lang == "ru":
        word = word.replace("ё", "е")
    return word


class FoldFilter(Filter):
    """Language-specific folding (Arabic diacritics and tatweel, French accents, Russian ё)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldFilter) and other.lang == self.lang

    def __call__(self, tokens):
        for token in tokens:
            if len(token.text) > MAX_WORD:
                continue
            token.text = fold(self.lang, token.text)
            if token.text:
                yield token


@cache
def _stemmer(algorithm: str):
    return snowballstemmer.stemmer(algorithm)


@lru_cache(maxsize=50_000)
def stem(lang: str, word: str) -> str:
    algorithm = STEMMERS.get(lang)
    return _stemmer(algorithm).stemWord(word) if algorithm else word


class StemFilter(Filter):
    """Snowball stemming; languages without a sound stemmer (Bengali) pass through."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StemFilter) and other.lang == self.lang

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = stem(self.lang, token.text)
            yield token


#: Bengali case endings, plural and classifier suffixes, longest first. There is no Snowball
#: stemmer for Bengali, and stripping one of these alone would mangle words that merely end
#: like them (ডাক্তার), so the stripped form is added beside the word, never instead of it.
BENGALI_SUFFIXES = tuple(
    sorted(
        (
            "গুলোকে গুলোর গুলিকে গুলির গুলোতে গুলো গুলি দেরকে দের েরা টিকে টাকে টির টার টিতে "
            "টাতে খানা টি টা কে তে েতে য়ে ের র ে রা"
        ).split(),
        key=len,
        reverse=True,
    )
)


class BengaliVariantFilter(Filter):
    """Adds the word without its inflectional suffix, at the same position."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BengaliVariantFilter)

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            yield token
            for suffix in BENGALI_SUFFIXES:
                if text.endswith(suffix) and len(text) - len(suffix) >= 2:
                    token.text = text[: -len(suffix)]
                    yield token
                    break


def analyzer(lang: str, stemming: bool = True, folding: bool = True):
    """The analyser for ``lang``: stemmed and folded for matching; with neither, the words as
    written, for spelling suggestions a reader recognises."""
    chain = WordTokenizer() | LowercaseFilter()
    if folding:
        chain = chain | FoldFilter(lang)
    if lang == "en":
        chain = chain | StopFilter(stoplist=ENGLISH_STOP_WORDS, minsize=1)
    if stemming:
        chain = chain | (BengaliVariantFilter() if lang == "bn" else StemFilter(lang))
    return chain


@lru_cache(maxsize=32)
def _cached_analyzer(lang: str, stemming: bool, folding: bool):
    return analyzer(lang, stemming, folding)


def words(lang: str, text: str, stemming: bool = True, folding: bool = True) -> list[str]:
    """The index terms ``text`` becomes in ``lang``."""
    return [t.text for t in _cached_analyzer(lang, stemming, folding)(text, mode="query")]


@lru_cache(maxsize=100_000)
def word_terms(lang: str, word: str) -> tuple[str, ...]:
    """The index terms of one word (cached: snippets look up every word of a section)."""
    return tuple(words(lang, word))
