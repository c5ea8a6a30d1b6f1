"""How easy an article's English is to read, measured the same way every time.

Patients read these articles in a second language, often at 13 years' reading age or younger,
so each article is held to limits that ``flask content check`` enforces in the test suite:
Flesch-Kincaid grade and SMOG (textstat 0.7.3, pinned: later releases download a pronouncing
dictionary at run time, which a closed network cannot), the longest sentence, and an easier
limit for the key points that open an article. Prose is what a reader reads as sentences:
paragraphs, list items, notes and figure descriptions; not headings, table cells (fragments,
not sentences), captions, alternative text or the words inside a drawing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import regex

from app.content.model import Article, Block
from app.content.render import plain_text

PROSE_KINDS = frozenset({"paragraph", "item", "note", "description"})
SENTENCE_END = regex.compile(r"(?<=[.!?])\s+(?=[\"'(\p{Lu}\d])")


@dataclass(frozen=True)
class Limits:
    grade: float = 8.0
    smog: float = 9.0
    sentence_words: int = 30
    key_points_grade: float = 6.0
    key_points_section: str = "key-points"


@dataclass(frozen=True)
class Score:
    """Readability of one stretch of prose."""

    words: int
    grade: float
    smog: float


@dataclass(frozen=True)
class Report:
    article: Article
    whole: Score
    sections: dict[str, Score]
    #: Sentences over the limit, with the source line of their block.
    long_sentences: list[tuple[int, int, str]]
    problems: list[str]


def _prose(block: Block) -> Iterator[Block]:
    for unit in block.units:
        if unit.kind in PROSE_KINDS and unit.text:
            yield unit


def _sentence(text: str) -> str:
    text = plain_text(text)
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def score(texts: list[str]) -> Score:
    # Imported here: textstat (with pkg_resources and pyphen) weighs megabytes, and only
    # ``flask content check`` scores text, never the running site.
    import textstat

    joined = " ".join(texts)
    return Score(
        words=len(joined.split()),
        grade=float(textstat.flesch_kincaid_grade(joined)) if joined else 0.0,
        smog=float(textstat.smog_index(joined)) if joined else 0.0,
    )


def measure(article: Article, limits: Limits | None = None) -> Report:
    limits = limits or Limits()
    per_section: dict[str, list[str]] = {}
    long_sentences: list[tuple[int, int, str]] = []
    for section in article.sections:
        texts = per_section.setdefault(section.id, [])
        for block in section.blocks:
            for unit in _prose(block):
                text = _sentence(unit.text)
                texts.append(text)
                for sentence in SENTENCE_END.split(text):
                    words = len(sentence.split())
                    if words > limits.sentence_words:
                        long_sentences.append((unit.line, words, sentence))
    whole = score([t for texts in per_section.values() for t in texts])
    sections = {sid: score(texts) for sid, texts in per_section.items() if texts}
    problems = []
    if whole.grade > limits.grade:
        problems.append(f"Flesch-Kincaid grade {whole.grade} is over {limits.grade}")
    if whole.smog > limits.smog:
        problems.append(f"SMOG {whole.smog} is over {limits.smog}")
    key = sections.get(limits.key_points_section)
    if key is None:
        problems.append(f"no '{limits.key_points_section}' section to open the article")
    elif key.grade > limits.key_points_grade:
        problems.append(
            f"key points: Flesch-Kincaid grade {key.grade} is over {limits.key_points_grade}"
        )
    elif article.sections[0].id != limits.key_points_section:
        problems.append("the key points must be the first section")
    for line, words, _text in long_sentences:
        problems.append(
            f"line {line}: a sentence of {words} words (at most {limits.sentence_words})"
        )
    return Report(article, whole, sections, long_sentences, problems)
