import os

import pytest

from app.content import ContentError, load_article, load_library
from tests.conftest import ROOT
from tests.helpers import GOOD, write


def test_shipped_library_loads_both_articles_linked_to_each_other():
    library = load_library(ROOT / "content")
    assert set(library.slugs) == {"als-stem-cell-therapy", "ms-stem-cell-therapy"}
    als = library.get("als-stem-cell-therapy")
    ms = library.get("ms-stem-cell-therapy")
    assert als.related == ("ms-stem-cell-therapy",)
    assert ms.related == ("als-stem-cell-therapy",)


@pytest.mark.parametrize(
    ("slug", "words", "sections"),
    [
        ("als-stem-cell-therapy", (2500, 4600), (15, 24)),
        ("ms-stem-cell-therapy", (1500, 3000), (10, 18)),
    ],
)
def test_shipped_articles_have_the_agreed_size(slug, words, sections):
    article = load_library(ROOT / "content").get(slug)
    assert words[0] <= article.word_count <= words[1]
    assert sections[0] <= len(article.sections) <= sections[1]
    assert article.next_review > article.reviewed >= article.published


def test_article_is_sections_of_blocks(tmp_path):
    article = load_article(write(tmp_path, GOOD))
    assert [s.id for s in article.sections] == ["start", "second"]
    start, second = article.sections
    assert start.title == "Start here"
    assert [(b.kind, b.text) for b in start.blocks] == [
        ("paragraph", "A paragraph with a citation [@one]."),
        ("item", "First item"),
        ("item", "Second item"),
        ("note", "A note."),
    ]
    assert [b.kind for b in second.blocks] == ["subheading", "item", "item"]
    assert second.blocks[1].ordered
    assert start.blocks[0].line == 21


def test_rewrapping_a_paragraph_does_not_change_its_text(tmp_path):
    wrapped = GOOD.replace(
        "A paragraph with a citation [@one].", "A paragraph\nwith a citation [@one]."
    )
    a = load_article(write(tmp_path, GOOD))
    b = load_article(write(tmp_path, wrapped))
    assert a.sections[0].blocks[0].text == b.sections[0].blocks[0].text


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("summary: What the sample says.\n", ""), 1, "'summary' is missing"),
        (("## Second part {#second}", "## Second part {#start}"), 28, "'start' is used twice"),
        (("## Second part {#second}", "## Second part"), 28, "needs an id"),
        (("A paragraph with", "A <b>raw</b> paragraph with"), 21, "raw HTML is not allowed"),
        (("[@one]", "[@two]"), 21, "[@two] has no source"),
        (("- Second item", "- Second item\n  - nested"), 25, "nested lists"),
        (("### A sub-heading", "#### A sub-heading"), 30, "h4 headings are not allowed"),
        (("published: 2026-01-01", "published: soon"), 5, "published must be a date"),
        (
            ("## Start here {#start}\n", "Loose text.\n\n## Start here {#start}\n"),
            19,
            "after a section",
        ),
        (("A paragraph with", "```\ncode\n```\n\nA paragraph with"), 21, "fence is not allowed"),
        (("slug: sample", "slug: other"), 2, "must match the file name"),
    ],
)
def test_invalid_content_fails_with_file_and_line(tmp_path, change, line, message):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ContentError) as excinfo:
        load_article(path)
    assert message in str(excinfo.value)
    assert str(excinfo.value).startswith(f"{path}:{line}:")


def test_unknown_related_slug_fails_at_load_time(tmp_path):
    write(tmp_path, GOOD.replace("related: []", "related:\n  - missing-article"))
    with pytest.raises(ContentError, match=r"sample.md:\d+: related article 'missing-article'"):
        load_library(tmp_path)


def test_uncited_source_fails(tmp_path):
    text = GOOD.replace(
        "    url: https://doi.org/10.1000/sample\n",
        "    url: https://doi.org/10.1000/sample\n"
        "  - id: two\n    title: Unused\n    publisher: P\n    url: https://example.org\n",
    )
    with pytest.raises(ContentError, match="sources never cited: two"):
        load_article(write(tmp_path, text))


def test_library_version_changes_with_content(tmp_path):
    write(tmp_path, GOOD)
    before = load_library(tmp_path).version
    write(tmp_path, GOOD.replace("A note.", "A changed note."))
    assert load_library(tmp_path).version != before


def test_an_edited_article_is_read_again_even_at_the_same_size_and_moment(tmp_path):
    """Libraries are kept per process by a digest of their files' bytes, never by time."""
    path = write(tmp_path, GOOD)
    first = load_library(tmp_path)
    stat = path.stat()
    write(tmp_path, GOOD.replace("A sample article", "A simple article"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    second = load_library(tmp_path)
    assert (first.articles[0].title, second.articles[0].title) == (
        "A sample article",
        "A simple article",
    )
    assert load_library(tmp_path) is second
