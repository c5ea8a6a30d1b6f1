"""The translators' workflow on gettext catalogs: extract, update, init, compile, status, check.

Plain Python over Babel's API (no shelling out), driven by ``flask translate``. Two domains keep
interface strings (``messages``) apart from article text (``articles``), so medical translators
and interface translators can work separately. ``Settings`` is made from the app's config
(``TRANSLATIONS_DIR``, ``CONTENT_DIR``), the same settings the site reads the catalogs with, so
the commands always work on the catalogs and articles the site serves.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import escape, read_po, unescape, write_po

from app.config import PROJECT_ROOT
from app.content.conventions import ARTICLES, MESSAGES, article_of, catalog_languages, catalog_path
from app.content.render import CITATION_RE
from app.search import glossary

#: What each domain is extracted from: (folder, pattern relative to it, Babel method). The
#: interface comes from the code; articles come from the content folder.
CODE_SOURCES = [("app/**.py", "python"), ("app/templates/**.html", "jinja2")]
ARTICLE_SOURCES = [("*.md", "app.content.extract:extract_articles")]
#: Where an article's messages say they come from, whatever folder holds the content.
ARTICLE_LOCATION = "content"
KEYWORDS_SPEC = ("_", "_l", "gettext", "ngettext:1,2", "lazy_gettext", "lazy_ngettext:1,2",
                 "pgettext:1c,2")  # fmt: skip
COMMENT_TAGS = ("Translators:",)
COPYRIGHT_HOLDER = "Patient-education project"
MSGID_BUGS_ADDRESS = "translations@localhost"
CREATION_DATE_RE = re.compile(r'^"POT-Creation-Date: [^"]*"\n', re.MULTILINE)
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
#: A previous-English line as Babel reads it: a translator comment starting with "|".
PREVIOUS_ID = re.compile(r'^\| msgid (".*")$')
STALE_PREVIOUS = re.compile(r'^\| (msgctxt|msgid|msgid_plural) "|^\| "')


class CatalogError(Exception):
    """A catalog problem a translator has to fix; the message says where."""


@dataclass(frozen=True)
class Settings:
    """Where the catalogs and the articles are, and where the code to extract from is."""

    translations: Path
    content: Path
    code: Path = PROJECT_ROOT

    @property
    def domains(self) -> dict[str, list[tuple[str, str]]]:
        return {MESSAGES: CODE_SOURCES, ARTICLES: ARTICLE_SOURCES}

    @property
    def keywords(self) -> dict[str, tuple | None]:
        return _keywords(KEYWORDS_SPEC)

    def sources(self, domain: str) -> Path:
        return self.content if domain == ARTICLES else self.code

    def template(self, domain: str) -> Path:
        return self.translations / f"{domain}.pot"

    def po(self, lang: str, domain: str) -> Path:
        return catalog_path(self.translations, lang, domain)

    def languages(self) -> list[str]:
        return catalog_languages(self.translations)


def settings(config: Mapping[str, Any]) -> Settings:
    """The workflow's settings from the app's config: one source of truth for both."""
    return Settings(
        translations=Path(config["TRANSLATIONS_DIR"]), content=Path(config["CONTENT_DIR"])
    )


def _keywords(specs: Iterable[str]) -> dict[str, tuple | None]:
    """``name:1c,2`` to Babel's keyword spec ``((1, 'c'), 2)``; a bare name takes argument 1."""
    keywords: dict[str, tuple | None] = {}
    for spec in specs:
        name, _, args = spec.partition(":")
        if not args:
            keywords[name] = None
            continue
        parsed: list = []
        for arg in args.split(","):
            parsed.append((int(arg[:-1]), "c") if arg.endswith("c") else int(arg))
        keywords[name] = tuple(parsed)
    return keywords


def _clean(domain: str, catalog: Catalog) -> Catalog:
    """Article text such as "10% of people" is not a format string: drop Babel's guess, so no
    tool checks or rewrites it as one."""
    if domain == ARTICLES:
        for message in catalog:
            message.flags.discard("python-format")
    return catalog


def read(path: Path, domain: str, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        catalog = _clean(domain, read_po(handle, locale=locale, domain=domain))
    _previous_from_comments(catalog)
    return catalog


def _previous_from_comments(catalog: Catalog) -> None:
    """Babel reads a ``#| msgid "..."`` line (the English a fuzzy translation was made from) as
    a translator comment, and would write it back as one (``# | msgid``): take it back as the
    message's previous id, which ``write`` puts out as ``#|`` again."""
    for message in catalog:
        kept, previous = [], []
        for comment in message.user_comments:
            found = PREVIOUS_ID.match(comment)
            if found:
                previous.append(unescape(found[1]))
            elif previous and comment.startswith('| "'):
                previous[-1] += unescape(comment[2:])
            elif not STALE_PREVIOUS.match(comment):
                kept.append(comment)
        message.user_comments = kept
        if previous and not message.previous_id:
            message.previous_id = previous[:1]


def write(path: Path, catalog: Catalog, domain: str) -> None:
    _clean(domain, catalog)
    buffer = io.BytesIO()
    write_po(
        buffer, catalog, width=0, include_previous=False, sort_by_file=False, include_lineno=False
    )
    text = _with_previous(buffer.getvalue().decode("utf-8"), catalog)
    # No creation date and no line numbers: either would change the catalogs with every
    # extraction, text changed or not (a line added above a message moves it).
    text = CREATION_DATE_RE.sub("", text, count=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _with_previous(text: str, catalog: Catalog) -> str:
    """Add ``#| msgid`` lines (the English a fuzzy entry was translated from) ourselves: Babel
    wraps them into lines that gettext tools cannot parse."""
    for message in catalog:
        if not (message.fuzzy and message.previous_id and isinstance(message.id, str)):
            continue
        head = f"msgctxt {escape(message.context)}\n" if message.context else ""
        anchor = f"{head}msgid {escape(message.id)}\n"
        previous = "".join(f"#| msgid {escape(p)}\n" for p in message.previous_id[:1])
        text = text.replace(anchor, previous + anchor, 1)
    return text


def extract(config: Settings, domain: str) -> Catalog:
    """A fresh template of ``domain`` from the sources, as it would be written to the .pot."""
    catalog = Catalog(
        domain=domain,
        project="patient-education",
        copyright_holder=COPYRIGHT_HOLDER,
        msgid_bugs_address=MSGID_BUGS_ADDRESS,
        fuzzy=False,
    )
    options: dict[str, dict[str, str]] = {pattern: {} for pattern, _ in config.domains[domain]}
    for pattern, method in config.domains[domain]:
        if method == "jinja2":
            options[pattern] = {"extensions": "jinja2.ext.do", "trimmed": "true"}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(config.sources(domain)),
        method_map=config.domains[domain],
        options_map=options,
        keywords=config.keywords,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        if domain == ARTICLES:
            filename = f"{ARTICLE_LOCATION}/{filename}"
        catalog.add(
            message,
            None,
            [(filename, lineno)],
            auto_comments=comments,
            context=context,
        )
    return _clean(domain, catalog)


def extract_templates(config: Settings) -> list[Path]:
    written = []
    for domain in config.domains:
        write(config.template(domain), extract(config, domain), domain)
        written.append(config.template(domain))
    return written


def update(config: Settings, languages: Iterable[str] | None = None) -> list[Path]:
    """Merge the templates into each language: changed source text turns its translation fuzzy."""
    written = []
    for lang in languages or config.languages():
        for domain in config.domains:
            template = read(config.template(domain), domain)
            path = config.po(lang, domain)
            catalog = read(path, domain, lang) if path.is_file() else _new(template, lang, domain)
            catalog.update(template, update_header_comment=False)
            catalog.obsolete.clear()
            _drop_stale_previous(catalog)
            write(path, catalog, domain)
            written.append(path)
    return written


def _drop_stale_previous(catalog: Catalog) -> None:
    """The old English belongs to a fuzzy entry only: once a translator has reviewed the entry
    (no longer fuzzy) it only misleads."""
    for message in catalog:
        if not message.fuzzy:
            message.previous_id = []


def _new(template: Catalog, lang: str, domain: str) -> Catalog:
    catalog = Catalog(locale=Locale.parse(lang), domain=domain, fuzzy=False)
    catalog.update(template)
    return catalog


def init(config: Settings, lang: str) -> list[Path]:
    """Start a new language: its catalogs from the templates, and an empty glossary."""
    try:
        locale = Locale.parse(lang)
    except (ValueError, TypeError) as exc:
        raise CatalogError(f"{lang!r} is not a language code Babel knows: {exc}") from None
    if str(locale) != lang:
        raise CatalogError(f"write the language code as {str(locale)!r}")
    if any(config.po(lang, d).exists() for d in config.domains):
        raise CatalogError(f"{lang} already has catalogs; use 'flask translate update'")
    written = update(config, [lang])
    glossary = config.translations / lang / "glossary.md"
    if not glossary.exists():
        glossary.write_text(
            f"# Glossary: English to {locale.english_name}\n\n"
            "Use these terms in every catalog of this language.\n\n"
            'The column "Readers also type" lists, separated by semicolons (;), the other ways\n'
            "readers write a term (the other register, the English loanword, common spellings):\n"
            "site search treats them and the Translation as one. List a word for one row only.\n\n"
            "| English | Translation | Readers also type | Note |\n|---|---|---|---|\n",
            encoding="utf-8",
        )
        written.append(glossary)
    return written


def compile_catalogs(config: Settings, languages: Iterable[str] | None = None) -> list[Path]:
    """Write .mo files, leaving out fuzzy entries so that stale text is never served."""
    written = []
    problems = []
    for lang in languages or config.languages():
        for domain in config.domains:
            path = config.po(lang, domain)
            if not path.is_file():
                continue
            catalog = read(path, domain, lang)
            problems.extend(_placeholder_problems(path, domain, catalog))
            # The .po has no creation date, so Babel would stamp the current minute into the
            # .mo: the site's content version (and every page's ETag) would change with each
            # compile, text changed or not. The catalog's own revision date stands in.
            catalog.creation_date = _fixed_date(catalog)
            mo = path.with_suffix(".mo")
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            _replace(mo, buffer.getvalue())
            written.append(mo)
    if problems:
        raise CatalogError("\n".join(problems))
    return written


def _fixed_date(catalog: Catalog) -> dt.datetime:
    revised = catalog.revision_date
    if isinstance(revised, dt.datetime):
        return revised
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _replace(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a site starting while catalogs compile must never
    read half a file."""
    draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    draft.write_bytes(data)
    os.replace(draft, path)


def _placeholder_problems(path: Path, domain: str, catalog: Catalog) -> list[str]:
    problems = []
    for message in catalog:
        # A plural message's string is a tuple of forms, all empty while untranslated.
        strings = _forms(message.string)
        if not message.id or not any(strings) or message.fuzzy:
            continue
        where = f"{path}:{message.lineno}"
        if domain == ARTICLES:
            for what, pattern in (("citations", CITATION_RE), ("links", LINK_RE)):
                source = sorted(pattern.findall(str(message.id)))
                translation = sorted(pattern.findall(str(message.string)))
                if source != translation:
                    problems.append(
                        f"{where}: {what} differ: {source} in English, {translation} here"
                    )
        else:
            problems.extend(f"{where}: {error}" for error in message.check(catalog))
            if "python-format" in message.flags:
                problems.extend(f"{where}: {error}" for error in _format_errors(message, strings))
    return problems


NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """A message's id or string as a tuple of its forms: one, or a plural's several.

    Babel types them loosely; a catalog read from a .po file holds a str, or a tuple of them.
    """
    return cast(tuple[str, ...], value if isinstance(value, tuple) else (value,))


def _format_errors(message: Message, strings: tuple[str, ...]) -> list[str]:
    """Apply the translation the way the site will; Babel's checker misses some broken ones.

    A plural form may leave out the number ("one section"), so there the translation's
    placeholders need only be among the English ones.
    """
    ids = _forms(message.id)
    names = {name for msgid in ids for name in NAMED_PLACEHOLDER.findall(msgid)}
    if not names:
        return []
    plural = isinstance(message.id, tuple)
    errors = []
    for string in strings:
        if not string:
            errors.append("a plural form is not translated")
            continue
        try:
            string % dict.fromkeys(names, 1)
        except (ValueError, KeyError, TypeError) as exc:
            errors.append(f"translation cannot be formatted ({exc}): {string!r}")
        found = set(NAMED_PLACEHOLDER.findall(string))
        if (found - names) if plural else (found != names):
            errors.append(f"placeholders differ from the English {sorted(names)}: {string!r}")
    return errors


@dataclass
class Count:
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def percent(self) -> int:
        """Only current translations count: fuzzy is waiting for review, not translated."""
        return self.translated * 100 // self.total if self.total else 100

    def add(self, message: Message) -> None:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            self.fuzzy += 1
        elif strings and all(strings):
            self.translated += 1
        else:
            self.untranslated += 1


@dataclass
class LanguageStatus:
    lang: str
    #: "interface", then one entry per article slug.
    parts: dict[str, Count] = field(default_factory=dict)
    updated: dt.datetime | None = None

    @property
    def overall(self) -> Count:
        total = Count()
        for count in self.parts.values():
            total.translated += count.translated
            total.fuzzy += count.fuzzy
            total.untranslated += count.untranslated
        return total


INTERFACE = "interface"


def status(config: Settings, languages: Iterable[str] | None = None) -> list[LanguageStatus]:
    """Translated, fuzzy and untranslated counts per language: interface, then each article."""
    result = []
    for lang in languages or config.languages():
        entry = LanguageStatus(lang)
        parts: dict[str, Count] = defaultdict(Count)
        for domain in config.domains:
            path = config.po(lang, domain)
            if not path.is_file():
                continue
            catalog = read(path, domain, lang)
            revised = catalog.revision_date
            if isinstance(revised, dt.datetime) and (
                entry.updated is None or revised > entry.updated
            ):
                entry.updated = revised
            for message in catalog:
                if not message.id:
                    continue
                part = INTERFACE if domain != ARTICLES else article_of(message.context)
                parts[part].add(message)
        entry.parts = dict(sorted(parts.items(), key=lambda kv: (kv[0] != INTERFACE, kv[0])))
        result.append(entry)
    return result


def check(
    config: Settings, minimum: int = 100, languages: Iterable[str] | None = None
) -> list[str]:
    """Every reason the catalogs are not ready to ship; an empty list means they are."""
    problems = []
    for domain in config.domains:
        fresh = {(m.id, m.context) for m in extract(config, domain) if m.id}
        path = config.template(domain)
        if not path.is_file():
            problems.append(f"{path} is missing: run 'flask translate extract'")
            continue
        committed = {(m.id, m.context) for m in read(path, domain) if m.id}
        if fresh != committed:
            problems.append(
                f"{path} is out of date with the sources ({len(fresh - committed)} new, "
                f"{len(committed - fresh)} removed): run 'flask translate extract' and 'update'"
            )
        for lang in languages or config.languages():
            po = config.po(lang, domain)
            if not po.is_file():
                problems.append(f"{po} is missing: run 'flask translate update'")
                continue
            in_po = {(m.id, m.context) for m in read(po, domain, lang) if m.id}
            if in_po != committed:
                problems.append(
                    f"{po} is not updated from {path.name}: run 'flask translate update'"
                )
    for lang_status in status(config, languages):
        overall = lang_status.overall
        if overall.percent < minimum:
            problems.append(
                f"{lang_status.lang} is {overall.percent}% translated ({overall.fuzzy} fuzzy, "
                f"{overall.untranslated} untranslated), below {minimum}%"
            )
    try:
        compile_catalogs(config, languages)
    except CatalogError as exc:
        problems.extend(str(exc).splitlines())
    # translate-toolkit's pofilter tests, set up per language (app/i18n/qa.py); imported here,
    # as translate-toolkit and lxml weigh megabytes that the running site never needs.
    from app.i18n import qa

    problems.extend(qa.problems(config.translations, languages))
    # Each glossary's "Readers also type" feeds search: one word, one term.
    problems.extend(glossary.problems(config.translations, languages))
    return problems
