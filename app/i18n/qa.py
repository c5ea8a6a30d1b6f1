"""Quality checks of the translations: translate-toolkit's pofilter tests, set up per language.

``flask translate check`` runs them over every language's catalogs (``problems``). Each
translated, non-fuzzy entry is compared with its English: numbers, URLs, e-mail addresses,
placeholders, brackets, quotation marks, end punctuation, acronyms, doubled words and the rest of
the toolkit's standard tests. Fuzzy and untranslated entries are left out: ``status`` counts them.

What is legitimate differs by language; each language's ``glossary.md`` sets its conventions, and
``LANGUAGES`` below says how the checks read them: native digits, the danda, the decimal comma,
no-break spaces, the language's own acronyms, words a grammar doubles. A translation is first
brought to the forms the toolkit compares (``Language.normalise``), so that a legitimate form is
not reported while a wrong number or a lost URL still is. ``EXCLUDED`` lists the few tests that
are not run, each with its reason; ``ALLOWED`` lists single messages that may fail one test in
one language.

A problem reads ``path:line: context "English snippet": test: what differs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po
from translate.filters import checks, decoration
from translate.filters.checks import FilterFailure
from translate.filters.decorators import cosmetic, critical, functional
from translate.misc.multistring import multistring
from translate.storage.pypo import pounit

from app.content.conventions import DOMAINS, catalog_languages, catalog_path

#: Tests of ``checks.StandardChecker`` that are not run, and why. Everything else runs; of that,
#: accelerators (the site has no access keys), variables (placeholders are printf's),
#: notranslatewords, musttranslatewords and validchars (no word or character lists: acronyms and
#: urls keep what must stay) and credits do nothing without a setting we have no use for. The
#: unit tests of ``StandardUnitChecker`` are not run either: fuzzy entries are skipped and
#: counted by ``status``, and Babel checks the number of plural forms when compiling.
EXCLUDED = {
    "startpunc": "what a sentence starts with follows the language's word order: a quoted "
    "term, a placeholder or bold text moves to another place",
    "puncspacing": "compares the space after each punctuation mark, which moves with word order "
    "and with the glosses translators add; French spacing before a final : ; ! ? is checked by "
    "endpunc",
    "sentencecount": "joining or splitting sentences is the translator's choice in plain-language "
    "text, and the splitter takes abbreviations such as «англ.» for sentence ends",
    "simplecaps": "capitals follow the language's own rules (États-Unis for USA, fragments of a "
    "table); the toolkit skips it for Hindi, Bengali and Arabic already",
    "startcaps": "as startpunc: the first word changes with the word order",
    "singlequoting": "the English uses ' only as an apostrophe (Patients' queries), which no "
    "translation keeps; quotation marks are checked by doublequoting",
    "spellcheck": "would depend on the spelling dictionaries installed on the machine, so CI and "
    "a translator's machine could disagree",
}

#: Abbreviations of countries and unions: every language writes the country's name instead.
COUNTRIES = ("USA", "US", "UK", "EU")

#: Python placeholders, as the site's code writes them; the printf test checks them.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
#: A URL up to the first space, bracket or quotation mark (Markdown's ``](url)`` included).
URL = re.compile(r"(?:https?|ftp)://[^\s()\[\]<>\"«»“”]+|www\.[^\s()\[\]<>\"«»“”]+")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: What ends a sentence or a clause after a URL or an address, in any of our languages.
TRAILING = ".,;:!?।،؛؟-"
QUOTES = re.compile('["“”«»„]')
BRACKETS = {"(": ")", "[": "]", "{": "}"}
CLOSING = set(BRACKETS.values())
#: English number words, which a translation may write in digits.
NUMBER_WORDS = {
    word: str(number)
    for number, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
#: A bracketed gloss: "(Drugs and Cosmetics Act 1940)" after the translated name.
GLOSS = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class Language:
    """What is legitimate in one language's translations, from its ``glossary.md``."""

    #: The language's own digits 0-9, where its glossary asks for them in running text.
    digits: str = ""
    #: "2,1 %" for 2.1%.
    decimal_comma: bool = False
    #: Sentence end the toolkit does not know for this language, read as ".".
    full_stop: str = ""
    #: Spaces read as the no-break space (U+00A0) the toolkit expects before French : ; ! ?
    no_break_spaces: str = ""
    #: English abbreviation or name -> how this language may write it instead; an empty tuple
    #: lets the language write it out in any words (a country's name).
    acronyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Words the language's grammar doubles ("কী কী", "vous vous"): not a typo.
    doubled: frozenset[str] = frozenset()
    #: Tests the toolkit's data for this language skips, that we run all the same.
    also_run: frozenset[str] = frozenset()

    def normalise(self, text: str) -> str:
        """The translation with this language's legitimate forms written as the toolkit
        compares them: Latin digits, "." for a decimal comma or a danda, U+00A0 spaces."""
        for number, digit in enumerate(self.digits):
            text = text.replace(digit, str(number))
        if self.decimal_comma:
            text = re.sub(r"(?<=\d),(?=\d)", ".", text)
        if self.full_stop:
            text = text.replace(self.full_stop, ".")
        for space in self.no_break_spaces:
            text = text.replace(space, "\u00a0")
        return text


_COUNTRIES: dict[str, tuple[str, ...]] = dict.fromkeys(COUNTRIES, ())

#: Per language: its conventions, as its glossary.md states them.
LANGUAGES: dict[str, Language] = {
    # Western digits and the Arabic comma, semicolon and question mark, which the toolkit knows.
    # Latin abbreviations stay in Latin letters, so acronyms runs although the toolkit skips it
    # for Arabic; MS and MRI may be written out, as the glossary has them (matched without the
    # article, which merges with a preposition: للتصلب المتعدد).
    "ar": Language(
        acronyms={**_COUNTRIES, "MS": ("تصلب المتعدد",), "MRI": ("رنين المغناطيسي",)},
        doubled=frozenset({"فقرةً", "بندًا"}),  # paragraph by paragraph, item by item
        also_run=frozenset({"acronyms"}),
    ),
    # Bengali digits in running text, the danda (the toolkit knows it for Bengali); trial names
    # in Bengali script.
    "bn": Language(
        digits="০১২৩৪৫৬৭৮৯",
        acronyms={**_COUNTRIES, "BEAT-MS": ("বিট-এমএস",), "MIST": ("মিস্ট",)},
        # Reduplication: "which ones", "hundreds", "various", "slowly", "small", "by", "some".
        doubled=frozenset({"কী", "শত", "ভিন্ন", "ধীরে", "ছোট", "ধরে", "কারও", "কোন"}),
    ),
    # No-break spaces before : ; ! ? (the toolkit expects them), a narrow one as good; a
    # decimal comma; French abbreviations of the diseases and tests.
    "fr": Language(
        decimal_comma=True,
        no_break_spaces="\u202f",
        acronyms={
            **_COUNTRIES,
            "ALS": ("SLA",),
            "MS": ("SEP",),
            "NIV": ("VNI",),
            "MRI": ("IRM",),
            "DMT": ("traitement de fond", "traitements de fond"),
        },
        doubled=frozenset({"vous", "nous"}),  # "vous vous rétablissez"
    ),
    # Western digits and the danda, which the toolkit does not know for Hindi; trial names in
    # Devanagari.
    "hi": Language(
        full_stop="।",
        acronyms={**_COUNTRIES, "BEAT-MS": ("बीट-MS",), "MIST": ("मिस्ट",)},
    ),
    # A decimal comma and «» quotation marks; Russian abbreviations.
    "ru": Language(
        decimal_comma=True,
        acronyms={
            **_COUNTRIES,
            "ALS": ("БАС",),
            "MS": ("РС",),
            "NIV": ("НИВЛ",),
            "MRI": ("МРТ",),
            "DMT": ("ПИТРС",),
        },
    ),
}

#: Single messages that may fail one test in one language: language -> test -> English.
ALLOWED: dict[str, dict[str, frozenset[str]]] = {
    "ar": {
        # "people whose ALS was slow": "المرضى الذين يتقدم لديهم المرض ببطء", "the disease".
        "acronyms": frozenset(
            {
                "The company later reported benefit in people whose ALS was slow. That finding "
                "came from a post hoc analysis, one done after the results were known. Such "
                "patterns can appear by chance [@corestem-2025]."
            }
        ),
    },
    "fr": {
        # The same word in French, and names of medicines that stay as they are.
        "unchanged": frozenset(
            {
                "Site",
                "Sources",
                "Source %(number)s",
                "Pages",
                "Question",
                "Muscle",
                "placebo",
                "AMX0035 (Relyvrio)",
                "Lenzumestrocel (Neuronata-R)",
            }
        ),
        # The example address is translated too: nom@example.com.
        "emails": frozenset(
            {"Please check the email address: it should look like name@example.com."}
        ),
    },
    "ru": {
        "unchanged": frozenset({"AMX0035 (Relyvrio)"}),
        # Two lines of a drawing, "Grow and / test in lab", read in Russian
        # "Лаборатория: / рост и проверка": the colon belongs to the new word order.
        "endpunc": frozenset({"Grow and"}),
    },
}


def _urls(text: str) -> list[str]:
    return sorted(url.rstrip(TRAILING) for url in URL.findall(text))


def _emails(text: str) -> list[str]:
    return sorted(address.rstrip(TRAILING) for address in EMAIL.findall(text))


def _differ(what: str, source: list[str], translation: list[str]) -> FilterFailure | None:
    """What differs, as "different numbers: 2019 missing; 2091 added"; None if nothing does."""
    missing = sorted({item for item in source if source.count(item) > translation.count(item)})
    added = sorted({item for item in translation if translation.count(item) > source.count(item)})
    parts = [f"{', '.join(missing)} missing"] if missing else []
    parts += [f"{', '.join(added)} added"] if added else []
    return FilterFailure(f"different {what}: {'; '.join(parts)}") if parts else None


def _is_gloss(bracketed: str, english: str) -> bool:
    """English words copied from the source into brackets."""
    return bool(re.search("[A-Za-z]", bracketed)) and bracketed.casefold() in english


def _unbalanced(text: str) -> str | None:
    """What is wrong with the brackets of ``text``, or None if they pair up."""
    waiting: list[str] = []
    for char in text:
        if char in BRACKETS:
            waiting.append(char)
        elif char in CLOSING:
            if not waiting or BRACKETS[waiting.pop()] != char:
                return f"'{char}' closes no bracket"
    return f"'{waiting[-1]}' is not closed" if waiting else None


class SiteChecker(checks.StandardChecker):
    """The toolkit's standard tests, with a few made to understand Markdown, glosses and plural
    forms; the rest run as the toolkit has them."""

    def __init__(self, lang: str) -> None:
        self.language = LANGUAGES.get(lang, Language())
        super().__init__(
            checkerconfig=checks.CheckerConfig(targetlanguage=lang),
            excludefilters=dict.fromkeys(EXCLUDED),
        )

    def get_ignored_filters(self) -> list[str]:
        return [t for t in super().get_ignored_filters() if t not in self.language.also_run]

    @critical
    def printf(self, str1: str, str2: str) -> int:
        """Checks whether printf format strings match.

        A plural form may leave the number out ("one day", Arabic's forms for 0, 1 and 2).
        """
        if self.__dict__.get("hasplural") and not PLACEHOLDER.search(str2):
            return 1
        return super().printf(str1, str2)

    @functional
    def urls(self, str1: str, str2: str) -> bool:
        """Checks that URLs are kept unchanged.

        The toolkit's own pattern also takes in Markdown's closing bracket and the punctuation
        after a link, which differ by language ("),", ")،", ")-এ").
        """
        failure = _differ("URLs", _urls(str1), _urls(str2))
        if failure:
            raise failure
        return True

    @functional
    def emails(self, str1: str, str2: str) -> bool:
        """Checks that e-mail addresses are kept unchanged (the sentence's end is not part of
        an address)."""
        failure = _differ("e-mail addresses", _emails(str1), _emails(str2))
        if failure:
            raise failure
        return True

    @functional
    def numbers(self, str1: str, str2: str) -> bool:
        """Checks that the numbers of the English are all in the translation, and no others.

        Stricter than the toolkit's own test, which counts each English number as a substring
        (it finds 100 in 1000) and lets a translation add numbers. English kept in brackets
        beside its translation is a gloss: "loi de 1940 (Drugs and Cosmetics Act 1940)" may
        have 1940 twice. A number the English writes as a word ("two in three") may be written
        in digits ("3 में से 2").
        """
        source = decoration.getnumbers(str1)
        spelled = [
            NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", str1.lower()) if w in NUMBER_WORDS
        ]
        english = str1.casefold()
        without = GLOSS.sub(lambda m: "" if _is_gloss(m[1], english) else m[0], str2)
        failures = []
        for translation in dict.fromkeys((str2, without)):
            found = decoration.getnumbers(translation)
            for number in spelled:
                if found.count(number) > source.count(number):
                    found.remove(number)
            failure = _differ("numbers", source, found)
            if failure is None:
                return True
            failures.append(failure)
        raise failures[0]

    @cosmetic
    def brackets(self, str1: str, str2: str) -> bool:
        """Checks that the brackets of the English are all there and pair up.

        Translators add glosses in round brackets ("(ALS)", "(Placebo)"), so more brackets than
        the English are fine as long as each one is closed.
        """
        str1, str2 = PLACEHOLDER.sub("", str1), PLACEHOLDER.sub("", str2)
        try:
            return super().brackets(str1, str2)
        except FilterFailure as failure:
            if any("Missing" in message for message in failure.messages):
                raise
        wrong = _unbalanced(str2)
        if wrong and not _unbalanced(str1):
            raise FilterFailure(wrong)
        return True

    @cosmetic
    def doublequoting(self, str1: str, str2: str) -> bool:
        """Checks that the English quotation marks are kept, in the language's own style ("",
        “”, «»), and pair up; quotes added around a label are fine."""
        source = len(QUOTES.findall(str1))
        translation = len(QUOTES.findall(str2))
        if translation < source:
            raise FilterFailure(f"{source} quotation marks in the English, {translation} here")
        if translation % 2 and not source % 2:
            raise FilterFailure("a quotation mark does not pair up")
        return True

    @functional
    def acronyms(self, str1: str, str2: str) -> bool:
        """Checks that acronyms that appear are unchanged, or written as the language's
        glossary says (SEP for MS in French, a country's name for USA)."""
        for english, forms in self.language.acronyms.items():
            if not forms or any(form.casefold() in str2.casefold() for form in forms):
                str1 = re.sub(rf"(?<![\w-]){re.escape(english)}(?![\w-])", "", str1)
        return super().acronyms(str1, str2)

    @cosmetic
    def doublewords(self, str1: str, str2: str) -> bool:
        """Checks for repeated words in the translation, other than those the language's
        grammar doubles."""
        for word in self.language.doubled:
            str2 = re.sub(rf"(?<!\w){re.escape(word)}(\s+{re.escape(word)})+(?!\w)", word, str2)
        return super().doublewords(str1, str2)


def _forms(value: object) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [str(value or "")]


def _unit(message: Message, language: Language) -> pounit:
    ids, strings = _forms(message.id), _forms(message.string)
    unit = pounit(multistring(ids) if len(ids) > 1 else ids[0])
    forms = [language.normalise(string) for string in strings]
    unit.target = multistring(forms) if len(ids) > 1 else forms[0]
    return unit


def _snippet(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def check_catalog(path: Path, lang: str, domain: str) -> Iterator[str]:
    """The QA problems of one catalog, one readable line each."""
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=domain)
    checker = SiteChecker(lang)
    language = checker.language
    allowed = ALLOWED.get(lang, {})
    for message in catalog:
        strings = _forms(message.string)
        if not message.id or message.fuzzy or not all(strings):
            continue
        failures = checker.run_filters(_unit(message, language))
        english = _forms(message.id)[0]
        where = f"{message.context} " if message.context else ""
        for test, failure in sorted(failures.items()):
            if english in allowed.get(test, ()):
                continue
            yield f'{path}:{message.lineno}: {where}"{_snippet(english)}": {test}: {failure}'


def problems(translations: Path, languages: Iterable[str] | None = None) -> list[str]:
    """Every QA problem in the catalogs of ``languages`` (default: all) under ``translations``."""
    found: list[str] = []
    for lang in languages or catalog_languages(translations):
        for domain in DOMAINS:
            path = catalog_path(translations, lang, domain)
            if path.is_file():
                found.extend(check_catalog(path, lang, domain))
    return found
