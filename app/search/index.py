"""Build the search index into a new directory, check it, then swap it in atomically.

Layout of the index directory::

    builds/<id>/   one complete Whoosh index per build, with meta.json beside it
    current        symlink to the build being served; replaced in one rename
    .lock          serialises builders across processes

A half-built index is never served: readers only ever follow ``current``, which points at a
build only after it has been written, committed and validated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema

from app.builds import locked, swap_current
from app.content.catalog import LocalizedArticle
from app.content.render import plain_text
from app.content.store import ContentStore
from app.search.analysis import PairAnalyzer, analyzer

META = "meta.json"
KEEP_BUILDS = 2
#: How many times the section heading is repeated in the searched text: a word in the heading
#: says more about the section than the same word in its body. One searched field per language
#: (rather than one per part) keeps each query to one posting list per word.
HEADING_WEIGHT = 3


class BuildError(RuntimeError):
    """The new index failed validation; the one being served is left in place."""


@dataclass(frozen=True)
class IndexInfo:
    path: Path
    fingerprint: str
    built_at: str
    counts: dict[str, int]


#: The code that decides what goes into the index: a change to it makes every index stale.
_ANALYSIS_SOURCES = ("analysis.py", "index.py")


@cache
def _analysis_version() -> str:
    digest = hashlib.sha256()
    for name in _ANALYSIS_SOURCES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:8]


def fingerprint(store: ContentStore) -> str:
    """What an index was built from: content, catalogs and the analysis code."""
    return f"{store.version}-{_analysis_version()}"


#: Score multiplier for an article's opening section (its key points).
OPENING_BOOST = 1.2


def field(name: str, lang: str) -> str:
    return f"{name}_{lang}"


def schema(languages: list[str]) -> Schema:
    fields = {
        "slug": ID(stored=True),
        "section": ID(stored=True),
        "lang": ID(stored=True),
        "url": STORED(),
    }
    for lang in languages:
        fields[field("text", lang)] = TEXT(analyzer=analyzer(lang))
        # The text's adjacent term pairs, for phrases (``app.search.engine``): no positions.
        fields[field("pairs", lang)] = TEXT(analyzer=PairAnalyzer(lang), phrase=False)
        for name in ("title", "heading", "body"):
            fields[field(name, lang)] = STORED()
        # Unstemmed, unfolded words: what "did you mean" suggests from.
        fields[field("words", lang)] = TEXT(analyzer=analyzer(lang, stemming=False, folding=False))
    return Schema(**fields)


def documents(article: LocalizedArticle) -> Iterator[dict[str, str]]:
    """One document per section, and one per table, in the text the reader sees on the page.

    A table is a document of its own, searched under its section but linking to the table
    itself, so a hit in a table cell takes the reader to the table. A figure's caption,
    alternative text, description and drawing text belong to its section's document.
    """
    lang = article.lang
    slug = article.article.slug
    title = plain_text(article.title.value)

    def document(section_id: str, anchor: str, heading: str, body: str) -> dict[str, str]:
        text = "\n".join([title, *[heading] * HEADING_WEIGHT, body])
        return {
            "slug": slug,
            "section": section_id,
            "lang": lang,
            "url": f"/{lang}/articles/{slug}#{anchor}",
            field("title", lang): title,
            field("heading", lang): heading,
            field("body", lang): body,
            field("text", lang): text,
            field("pairs", lang): text,
            field("words", lang): f"{title}\n{heading}\n{body}",
        }

    for number, section in enumerate(article.sections):
        heading = plain_text(section.heading.value)
        texts: list[str] = []
        for block, text in section.blocks:
            if block.kind == "table":
                cells = [section.text(u).value for u in block.units[1:]]
                caption = plain_text(text.value)
                body = "\n".join([caption, *(plain_text(c) for c in cells)])
                yield document(
                    section.id, block.anchor or section.id, f"{heading}: {caption}", body
                )
                continue
            texts.append(text.value)
            texts.extend(section.text(u).value for u in block.units[1:])
        body = "\n".join(plain_text(t) for t in texts)
        found = document(section.id, section.id, heading, body)
        if number == 0:
            # The key points open every article (``flask content check`` makes sure): for a
            # broad question they are the best place to land, not merely the shortest section.
            found["_boost"] = OPENING_BOOST  # type: ignore[assignment]
        yield found


def expected_documents(store: ContentStore) -> int:
    """Documents per language: one per section and one per table."""
    return sum(
        len(a.sections) + sum(1 for s in a.sections for b in s.blocks if b.kind == "table")
        for a in store.library.articles
    )


def current_info(root: Path) -> IndexInfo | None:
    """The build being served, or None when there is none or it is unreadable."""
    current = root / "current"
    try:
        path = current.resolve(strict=True)
        meta = json.loads((path / META).read_text(encoding="utf-8"))
        return IndexInfo(path, meta["fingerprint"], meta["built_at"], meta["counts"])
    except (OSError, ValueError, KeyError):
        return None


def build_index(
    store: ContentStore, root: Path, languages: list[str], only_if_stale: bool = False
) -> IndexInfo:
    """Build, validate and swap in a new index; with ``only_if_stale`` keep a current one."""
    root = Path(root)
    with locked(root):
        info = current_info(root)
        if only_if_stale and info and info.fingerprint == fingerprint(store) and _opens(info.path):
            return info
        build = root / "builds" / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
        build.mkdir(parents=True)
        try:
            counts = _write(store, build, languages)
            _validate(store, build, languages, counts)
        except Exception:
            shutil.rmtree(build, ignore_errors=True)
            raise
        info = IndexInfo(
            build,
            fingerprint(store),
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            counts,
        )
        meta = {"fingerprint": info.fingerprint, "built_at": info.built_at, "counts": counts}
        (build / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        swap_current(root, build)
        _prune(root, keep=build)
        return info


def _write(store: ContentStore, build: Path, languages: list[str]) -> dict[str, int]:
    ix = whoosh_index.create_in(str(build), schema(languages))
    counts = dict.fromkeys(languages, 0)
    writer = ix.writer(limitmb=64)
    try:
        for lang in languages:
            for article in store.all_localized(lang):
                for document in documents(article):
                    writer.add_document(**document)
                    counts[lang] += 1
    except Exception:
        writer.cancel()
        raise
    writer.commit(optimize=True)
    ix.close()
    return counts


def _validate(
    store: ContentStore, build: Path, languages: list[str], counts: dict[str, int]
) -> None:
    """Every language has every section, and each finds a known section by its heading."""
    from app.search.query import clean, run

    expected = expected_documents(store)
    ix = whoosh_index.open_dir(str(build))
    try:
        if ix.doc_count() != expected * len(languages):
            raise BuildError(
                f"index has {ix.doc_count()} documents, expected {expected} per language"
            )
        with ix.searcher() as searcher:
            for lang in languages:
                if counts.get(lang) != expected:
                    raise BuildError(
                        f"{lang}: {counts.get(lang)} documents indexed, expected {expected}"
                    )
                article = store.all_localized(lang)[0]
                section = article.sections[-1]
                query = plain_text(section.heading.value)
                page = run(searcher, clean(query), lang, 1, fallback=False)
                if not any(r.section == section.id for r in page.results[:3]):
                    raise BuildError(f"{lang}: the query {query!r} does not find its own section")
    finally:
        ix.close()


def _opens(path: Path) -> bool:
    try:
        whoosh_index.open_dir(str(path)).close()
    except Exception:  # noqa: BLE001 - any failure to open means "rebuild"
        return False
    return True


def _prune(root: Path, keep: Path) -> None:
    """Keep the new build and the one before it (a worker may still be reading that)."""
    builds = sorted((root / "builds").iterdir(), key=lambda p: p.name, reverse=True)
    for old in [b for b in builds if b != keep][KEEP_BUILDS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
