"""Work packages: the entries of one language waiting for work, for translators who work outside
the repository, and the merge of their returned work back into the catalogs.

``build`` collects every fuzzy or untranslated entry of a language (both domains) into one file:
a PO file, or XLIFF 1.1 for CAT tools (made from that PO file by translate-toolkit's
``po2xliff``). Each entry keeps its English as the source and its current translation, if any, as
the target, with the English the old translation was made from (``#| msgid`` in PO, an
``alt-trans`` and a note in XLIFF), the comments for translators, and the glossary terms it
contains with their agreed translation.

An entry is identified by its domain, context and English. The English is the source itself;
the domain and the context travel together as the entry's key, ``DOMAIN/CONTEXT`` (or just
``DOMAIN`` for an entry without a context): the ``msgctxt`` of a PO package, the ``resname`` of a
trans-unit in XLIFF. The language is the PO header's ``Language`` or the XLIFF file's
``target-language``; the PO header also carries ``X-Work-Package``, which names the format.

``merge`` reads a returned package and checks every entry before anything is written: it must
still match the current catalog (same domain, context and English), and its translation must
keep the placeholders, citations, Markdown links and bold markers of the English, have as many
plural forms as the language needs, and have a plausible length. Entries that pass are merged
(no longer fuzzy, the previous English dropped); the rest are reported with the reason. A file
that cannot be read as a package at all is refused whole: nothing is written.

Plain Python over Babel and translate-toolkit: ``flask translate package`` and ``merge`` drive it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from translate.convert.po2xliff import po2xliff
from translate.misc.multistring import multistring
from translate.storage import po, poxliff

from app.content.conventions import DOMAINS
from app.content.render import CITATION_RE
from app.i18n.desk import Term, glossary, terms_in
from app.i18n.workflow import LINK_RE, NAMED_PLACEHOLDER, Settings, read, write

FORMATS = ("po", "xliff")
XLIFF_SUFFIXES = (".xlf", ".xliff")
#: The PO header that marks a work package (informative: tools may drop it), and its value.
HEADER = "X-Work-Package"
MARKER = "patient-education; entries keyed DOMAIN/CONTEXT in msgctxt"
#: The ``original`` of the XLIFF package's one ``<file>``.
XLIFF_FILE = "patient-education-work-package"
#: Between the domain and the context in an entry's key.
SEPARATOR = "/"
#: Length sanity: a translation more than ``LONGEST`` times or less than ``SHORTEST`` times the
#: length of its English is refused, unless the English is shorter than ``SHORT`` characters.
LONGEST = 4.0
SHORTEST = 0.2
SHORT = 20
BOLD = "**"
PREVIOUS_NOTE = "Previous English (what the current translation says): "
GLOSSARY_NOTE = "Glossary: "
INSTRUCTIONS = (
    "Work package for {lang}: {count} entries waiting for work.\n"
    "Translate each msgstr; an entry marked fuzzy has a translation of older English\n"
    "(#| msgid): update it and remove the fuzzy flag. Leave msgctxt and msgid unchanged."
)


class PackageError(Exception):
    """No package can be made (unknown language or format), or a returned file is not a
    readable work package of this site (then nothing is merged)."""


def key(domain: str, context: str | None) -> str:
    """An entry's domain and context as one string: ``articles/ms-stem-cell-therapy#risks``."""
    return domain if context is None else f"{domain}{SEPARATOR}{context}"


def split_key(value: str) -> tuple[str, str | None]:
    """``key``'s inverse; a key without a known domain is a malformed package."""
    domain, separator, context = value.partition(SEPARATOR)
    if domain not in DOMAINS:
        raise PackageError(
            f"entry key {value!r} does not start with a domain ({', '.join(DOMAINS)})"
        )
    return domain, context if separator else None


def _forms(value: str | tuple | list | None) -> tuple[str, ...]:
    """A message's id or string as the tuple of its forms: one, or a plural's several."""
    if isinstance(value, (tuple, list)):
        return tuple(str(v or "") for v in value)
    return (value or "",)


def _waiting(message: Message) -> bool:
    """What the translation desk (``desk.waiting``) lists: fuzzy, or not (fully) translated."""
    return bool(message.id) and (message.fuzzy or not all(_forms(message.string)))


def _snippet(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# Making a package.


@dataclass
class Package:
    """A package ready to write: its bytes, and what it holds."""

    lang: str
    format: str
    data: bytes
    fuzzy: int = 0
    untranslated: int = 0

    @property
    def count(self) -> int:
        return self.fuzzy + self.untranslated


def _catalogs(config: Settings, lang: str) -> Iterator[tuple[str, Path, Catalog]]:
    for domain in config.domains:
        path = config.po(lang, domain)
        if path.is_file():
            yield domain, path, read(path, domain, lang)


def build(config: Settings, lang: str, format: str = "po") -> Package:
    """The package of ``lang``'s entries waiting for work, as a PO or an XLIFF file."""
    if format not in FORMATS:
        raise PackageError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    if lang not in config.languages():
        raise PackageError(f"{lang!r} has no catalogs under {config.translations}")
    terms = glossary(config.translations / lang / "glossary.md")
    store = po.pofile()
    package = Package(lang, format, b"")
    plural_forms = ""
    for domain, _path, catalog in _catalogs(config, lang):
        plural_forms = plural_forms or catalog.plural_forms
        for message in catalog:
            if not _waiting(message):
                continue
            store.addunit(_unit(domain, message, catalog.num_plurals, terms))
            if message.fuzzy:
                package.fuzzy += 1
            else:
                package.untranslated += 1
    store.updateheader(
        add=True,
        Project_Id_Version="patient-education",
        Language=lang,
        MIME_Version="1.0",
        Content_Type="text/plain; charset=UTF-8",
        Content_Transfer_Encoding="8bit",
        Plural_Forms=plural_forms,
        **{HEADER.replace("-", "_"): MARKER},
    )
    header = store.header()
    header.addnote(INSTRUCTIONS.format(lang=lang, count=package.count), origin="translator")
    po_bytes = bytes(store)
    package.data = po_bytes if format == "po" else _xliff(po_bytes, lang)
    return package


def _unit(domain: str, message: Message, num_plurals: int, terms: list[Term]) -> po.pounit:
    english = _forms(message.id)
    plural = len(english) > 1
    unit = po.pounit(multistring(list(english)) if plural else english[0])
    unit.setcontext(key(domain, message.context))
    strings = _forms(message.string)
    if plural:
        padded = list(strings[:num_plurals]) + [""] * (num_plurals - len(strings))
        unit.target = multistring(padded)
    else:
        unit.target = strings[0]
    for comment in message.auto_comments:
        unit.addnote(comment, origin="developer")
    for term in terms_in(" ".join(english), terms):
        unit.addnote(f"{GLOSSARY_NOTE}{term.english} = {term.translation}", origin="developer")
    for comment in message.user_comments:
        unit.addnote(comment, origin="translator")
    for filename, _lineno in message.locations:
        unit.addlocation(filename)
    for flag in sorted(message.flags - {"fuzzy"}):
        unit.settypecomment(flag)
    if message.fuzzy:
        unit.markfuzzy(True)
        if message.previous_id:
            unit.prev_source = message.previous_id[0]
    return unit


def _xliff(po_bytes: bytes, lang: str) -> bytes:
    """The PO package as XLIFF, by translate-toolkit's converter, with each trans-unit's
    ``resname`` set to the entry's key (the converter leaves ``msgctxt`` out)."""
    source = po.pofile.parsestring(po_bytes)
    store: poxliff.PoXliffFile = poxliff.PoXliffFile(sourcelanguage="en", targetlanguage=lang)
    converter = po2xliff()
    for unit in source.units:
        if unit.isheader() or unit.isblank():
            continue
        converted = converter.convertunit(store, unit, XLIFF_FILE)
        converted.xmlelement.set("resname", unit.getcontext())
        if unit.isfuzzy():
            # The converter leaves the first form of a plural approved: mark every form.
            for part in converted.units if converted.hasplural() else [converted]:
                part.markfuzzy(True)
        if unit.prev_source:
            converted.addnote(PREVIOUS_NOTE + str(unit.prev_source), origin="developer")
    return bytes(store)


# Reading a returned package.


@dataclass(frozen=True)
class Returned:
    """One entry of a returned package."""

    domain: str
    context: str | None
    english: tuple[str, ...]
    translation: tuple[str, ...]
    #: The translator marked it done: not fuzzy in PO, translated or approved in XLIFF.
    done: bool

    @property
    def label(self) -> str:
        return f'{key(self.domain, self.context)} "{_snippet(self.english[0])}"'


@dataclass
class Returns:
    lang: str
    format: str
    entries: list[Returned]


def detect(data: bytes, name: str = "") -> str:
    """The format of a returned file: XLIFF for XML content (or an .xlf/.xliff name), else PO."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "xliff"
    return "xliff" if name.lower().endswith(XLIFF_SUFFIXES) else "po"


def parse(data: bytes, languages: list[str], name: str = "") -> Returns:
    """A returned package's entries; ``PackageError`` for anything that is not one."""
    format = detect(data, name)
    try:
        lang, entries = _parse_xliff(data) if format == "xliff" else _parse_po(data)
    except PackageError:
        raise
    except Exception as exc:  # the parsers raise many kinds: any is a malformed file
        raise PackageError(
            f"cannot be read as {format.upper()}: {exc or type(exc).__name__}"
        ) from None
    lang = (lang or "").replace("-", "_")
    if not lang:
        raise PackageError(f"the {format.upper()} file does not say its language")
    if lang not in languages and lang.split("_")[0] in languages:
        lang = lang.split("_")[0]  # a tool's regional variant (fr-FR) of a catalog's language
    if lang not in languages:
        raise PackageError(f"language {lang!r} has no catalogs here ({', '.join(languages)})")
    seen = set()
    for entry in entries:
        identity = (entry.domain, entry.context, entry.english)
        if identity in seen:
            raise PackageError(f"{entry.label} is in the file twice")
        seen.add(identity)
    return Returns(lang, format, entries)


def _parse_po(data: bytes) -> tuple[str, list[Returned]]:
    store = po.pofile.parsestring(data)
    entries = []
    for unit in store.units:
        if unit.isheader() or unit.isblank() or unit.isobsolete():
            continue
        domain, context = split_key(unit.getcontext())
        entries.append(
            Returned(
                domain,
                context,
                _strings(unit.source),
                _strings(unit.target) if unit.hasplural() else (str(unit.target or ""),),
                done=not unit.isfuzzy(),
            )
        )
    return store.parseheader().get("Language", ""), entries


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, multistring):
        return tuple(str(s) for s in value.strings)
    return (str(value or ""),)


def _parse_xliff(data: bytes) -> tuple[str, list[Returned]]:
    store = poxliff.PoXliffFile.parsestring(data)
    entries = []
    for number, unit in enumerate(store.units, 1):
        if unit.isheader():
            continue
        resname = unit.xmlelement.get("resname")
        if resname is None:
            raise PackageError(f"trans-unit {number} has no resname (the entry's key)")
        domain, context = split_key(resname)
        parts = unit.units if unit.hasplural() else [unit]
        english = _strings(unit.source)
        translation = tuple(str(part.target or "") for part in parts)
        if unit.hasplural():
            english = english[:2]
        else:
            translation = translation[:1]
        done = unit.isapproved() or all(part.get_state_n() >= part.S_TRANSLATED for part in parts)
        entries.append(Returned(domain, context, english, translation, done))
    return store.gettargetlanguage() or "", entries


# Merging.


@dataclass
class Outcome:
    lang: str
    merged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    untranslated: int = 0
    fuzzy: int = 0
    unchanged: int = 0
    written: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            *(f"merged {line}" for line in self.merged),
            *(f"refused {line}" for line in self.refused),
            f"{self.lang}: {len(self.merged)} merged, {len(self.refused)} refused, "
            f"{self.untranslated} not translated, {self.fuzzy} still marked fuzzy, "
            f"{self.unchanged} unchanged",
        ]


def merge(config: Settings, data: bytes, name: str = "") -> Outcome:
    """Merge a returned package into its language's catalogs: every entry that still matches
    the English and passes the checks. Malformed files raise ``PackageError``, writing nothing."""
    returns = parse(data, config.languages(), name)
    lang = returns.lang
    catalogs = {domain: (path, catalog) for domain, path, catalog in _catalogs(config, lang)}
    outcome = Outcome(lang)
    changed: set[str] = set()
    for entry in returns.entries:
        if not any(entry.translation):
            outcome.untranslated += 1
            continue
        if not entry.done:
            outcome.fuzzy += 1
            continue
        message = None
        if entry.domain in catalogs:
            message = catalogs[entry.domain][1].get(entry.english[0], entry.context)
        if message is None or _forms(message.id) != entry.english:
            outcome.refused.append(
                f"{entry.label}: no entry has this English any more (it changed after the "
                "package was made, or was removed): make a new package"
            )
            continue
        catalog = catalogs[entry.domain][1]
        problems = check(entry, message, catalog)
        if problems:
            outcome.refused.append(f"{entry.label}: {'; '.join(problems)}")
            continue
        string: str | tuple[str, ...] = (
            entry.translation if isinstance(message.id, tuple) else entry.translation[0]
        )
        if not message.fuzzy and _forms(message.string) == _forms(string):
            outcome.unchanged += 1
            continue
        message.string = string
        message.flags.discard("fuzzy")
        message.previous_id = []
        changed.add(entry.domain)
        outcome.merged.append(entry.label)
    for domain in sorted(changed):
        path, catalog = catalogs[domain]
        catalog.revision_date = dt.datetime.now(dt.UTC)
        write(path, catalog, domain)
        outcome.written.append(path)
    return outcome


def check(entry: Returned, message: Message, catalog: Catalog) -> list[str]:
    """Why ``entry``'s translation cannot replace ``message``'s; nothing if it can."""
    english, forms = entry.english, entry.translation
    plural = len(english) > 1
    if plural and len(forms) != catalog.num_plurals:
        return [
            f"{len(forms)} plural forms, {catalog.locale_identifier} needs {catalog.num_plurals}"
        ]
    problems = [f"plural form {i} is empty" for i, form in enumerate(forms) if not form]
    names = {name for text in english for name in NAMED_PLACEHOLDER.findall(text)}
    for i, form in enumerate(forms):
        if not form:
            continue
        source = english[0] if i == 0 or not plural else english[1]
        found = set(NAMED_PLACEHOLDER.findall(form))
        # A plural form may leave out the number ("one section"): its placeholders need only be
        # among the English ones.
        missing = set() if plural else names - found
        if missing or found - names:
            problems.append(
                f"placeholders differ: {_placeholders(missing)} missing, "
                f"{_placeholders(found - names)} not in the English"
            )
        if "python-format" in message.flags:
            try:
                form % dict.fromkeys(names, 1)
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(f"cannot be formatted ({exc})")
        for what, pattern in (("citations", CITATION_RE), ("links", LINK_RE)):
            wanted, got = sorted(pattern.findall(source)), sorted(pattern.findall(form))
            if wanted != got:
                problems.append(f"{what} differ: {wanted} in English, {got} here")
        if form.count(BOLD) != source.count(BOLD):
            problems.append(
                f"bold markers differ: {source.count(BOLD)} '**' in English, "
                f"{form.count(BOLD)} here"
            )
        if len(source) >= SHORT:
            ratio = len(form) / len(source)
            if not SHORTEST <= ratio <= LONGEST:
                problems.append(
                    f"length is {ratio:.2f} times the English (allowed {SHORTEST} to {LONGEST})"
                )
    if not problems and "python-format" in message.flags:
        # What ``compile`` checks with Babel (format specifiers, plural count) passes too.
        string = entry.translation if plural else forms[0]
        trial = Message(message.id, string, flags=["python-format"])
        problems.extend(str(error) for error in trial.check(catalog))
    return list(dict.fromkeys(problems))


def _placeholders(names: set[str]) -> str:
    return ", ".join(f"%({name})s" for name in sorted(names)) or "none"
