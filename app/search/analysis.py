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
from whoosh.analysis import Analyzer, Filter, LowercaseFilter, StopFilter, Token, Tokenizer

WORD_RE = regex.compile(r"[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}\u200c\u200d]*[\p{L}\p{M}\p{N}])?")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200c\u200d\u00ad"))
ARABIC_DIACRITICS = regex.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي"})
HINDI_VARIANTS = str.maketrans({"\u093c": None, "\u0901": "\u0902"})
BENGALI_VARIANTS = str.maketrans({"\u09bc": None, "\u09c0": "\u09bf", "\u09c2": "\u09c1"})
STEMMERS = {"en": "english", "hi": "hindi", "ar": "arabic", "ru": "russian", "fr": "french"}
#: The longest word we index or search for; longer "words" are noise and costly to match.
MAX_WORD = 40

#: Question words, particles, pronouns and prepositions: patients type them ("is it safe",
#: "क्या ... है", "هل ... في"), and when every word must match they would pick sections by the
#: little words instead of the meaningful ones. Written as typed; folded like the text.
STOP_WORDS = {
    "en": "a an and are as at be by can do does for from has have how i in is it its my of on "
    "or that the this to was were what when where which who why will with not",
    "hi": "क्या के का की को में से पर और या है हैं था थी थे हो होता होती होते होना लिए भी तो ही "
    "यह वह ये वे इस उस इन उन एक कोई कुछ जो जब तब कैसे कब कहाँ क्यों किस कौन ने मैं मेरे मेरी "
    "मेरा मुझे हम आप अपने अपनी अपना तक साथ नहीं",
    "ar": "هل ما ماذا من في على عن الى إلى أو او و ثم هو هي هم هذا هذه ذلك تلك التي الذي الذين "
    "كيف كم متى أين لماذا لا لم لن قد كان كانت يكون مع عند كل بين أي إن أن لي لك له لها نحن أنا",
    "bn": "কি কী কেন কিভাবে কীভাবে কোথায় কখন কে কার কাকে কোন কোনো এবং ও আর বা না নয় "
    "হচ্ছে ছিল আছে এই ওই সেই যে যা এর এ তে র থেকে জন্য দিয়ে সাথে সঙ্গে আমি আমার আমাদের আপনি "
    "আপনার তিনি তার তাদের",
    "ru": "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только "
    "ее мне было от меня еще о из ему когда даже ли если уже или ни быть был него до вас "
    "вам там где есть ней для мы тебя их чем была сам чего себе под будет кто этот того "
    "этого какой ним здесь этом мой тем чтобы были куда зачем при об над через эти "
    "нас про них какая моя свою этой перед такой им между сколько почему ли",
    "fr": "le la les l un une des du de d et ou à a au aux en dans par pour sur avec sans est sont "
    "être ce cet cette ces qui que quoi qu comment quand où pourquoi combien je j tu il elle "
    "nous vous ils elles mon ma mes ton ta tes son sa ses leur leurs ne n pas y se s c m t est-ce",
}


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
    """Spelling variants readers type interchangeably, reduced to one form: Arabic diacritics,
    tatweel and alef forms; the nukta and chandrabindu of Hindi phone typing; Bengali long and
    short vowel signs; French accents; Russian ё."""
    word = word.translate(ZERO_WIDTH)
    if lang == "ar":
        word = ARABIC_DIACRITICS.sub("", word).translate(ARABIC_LETTERS)
    elif lang == "hi":
        word = word.translate(HINDI_VARIANTS)
    elif lang == "bn":
        word = word.translate(BENGALI_VARIANTS)
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
    stemmed = _stemmer(algorithm).stemWord(word) if algorithm else word
    if lang == "ar":
        # After stemming: the stemmer strips ة only when it is written as ة, so folding it
        # first would leave "التجربة" and "تجربة" with different stems.
        stemmed = stemmed.replace("ة", "ه")
    return stemmed


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


@lru_cache(maxsize=32)
def stop_words(lang: str, folding: bool = True) -> frozenset[str]:
    words = STOP_WORDS.get(lang, "").split()
    return frozenset(fold(lang, w) if folding else w for w in words)


class FrenchStemFilter(Filter):
    """French stemming around accent folding, both ways, at the same position.

    The Snowball stemmer needs the accents ("autorisée" and "autorisé" share a stem only when
    stemmed accented), but readers often type without them ("autorisee"): both the stem of the
    folded word and the folded stem of the word are indexed and searched, plus the word without
    a plural s or x, which the stemmer keeps ("essais").
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrenchStemFilter)

    def __call__(self, tokens):
        stops = stop_words("fr")
        position = 0
        for token in tokens:
            original = token.text
            folded = fold("fr", original)
            if folded in stops or len(original) > MAX_WORD:
                continue
            if token.positions:
                # Renumbered as StopFilter does, so phrases skip the stop words.
                token.pos = position
            position += 1
            variants = [stem("fr", folded), fold("fr", stem("fr", original))]
            if len(folded) > 3 and folded[-1] in "sx":
                variants.append(stem("fr", folded[:-1]))
            for text in dict.fromkeys(variants):
                token.text = text
                yield token


def analyzer(lang: str, stemming: bool = True, folding: bool = True):
    """The analyser for ``lang``: stemmed and folded for matching; with neither, the words as
    written, for spelling suggestions a reader recognises."""
    chain = WordTokenizer() | LowercaseFilter()
    if lang == "fr" and stemming and folding:
        return chain | FrenchStemFilter()
    if folding:
        chain = chain | FoldFilter(lang)
    if lang in STOP_WORDS:
        chain = chain | StopFilter(stoplist=stop_words(lang, folding), minsize=1)
    if stemming:
        chain = chain | (BengaliVariantFilter() if lang == "bn" else StemFilter(lang))
    return chain


#: Joins the two terms of a pair (``pair_terms``): a character no analysed word contains.
PAIR_SEPARATOR = "\x1f"


class PairAnalyzer(Analyzer):
    """Each two terms at adjacent positions of ``lang``'s analysis, as one term: a two-word
    phrase is then one term to look up, not word positions to compare in every section that
    has both words. Terms at one position (a word's variants) pair with each at the next, so
    a pair is found exactly where the phrase of its two terms is."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PairAnalyzer) and other.lang == self.lang

    def __hash__(self) -> int:
        return hash(("pairs", self.lang))

    def __call__(self, value, **kwargs):
        kwargs.pop("positions", None)
        at: dict[int, list[str]] = {}
        for token in _cached_analyzer(self.lang, True, True)(value, positions=True, **kwargs):
            at.setdefault(token.pos, []).append(token.text)
        pair = Token(positions=False, **kwargs)
        for position, terms in at.items():
            for second in at.get(position + 1, ()):
                for first in terms:
                    pair.text = f"{first}{PAIR_SEPARATOR}{second}"
                    pair.boost = 1.0
                    pair.stopped = False
                    yield pair


def pair_terms(words: list[str]) -> list[str]:
    """The pair terms (``PairAnalyzer``) a phrase of analysed ``words`` must all have."""
    return [f"{a}{PAIR_SEPARATOR}{b}" for a, b in zip(words, words[1:], strict=False)]


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
