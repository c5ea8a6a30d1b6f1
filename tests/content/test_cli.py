"""``flask content check``: the reading level of every article, held to its limits (issue 15)."""

from __future__ import annotations

import pytest

from app import create_app


def check(config: dict):
    return create_app(config).test_cli_runner().invoke(args=["content", "check"])


@pytest.mark.slow
def test_the_shipped_articles_are_within_every_limit(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    for slug in ("als-stem-cell-therapy", "ms-stem-cell-therapy"):
        line = next(x for x in result.output.splitlines() if x.startswith(slug + ":"))
        assert "grade" in line and "SMOG" in line
    assert "  key-points " in result.output
    assert "FAIL" not in result.output


def test_a_long_sentence_fails_with_its_line(project_config, project):
    article = project / "content" / "ms-stem-cell-therapy.md"
    text = article.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("Multiple sclerosis (MS)"))
    long = "This sentence goes on " + "and on " * 15 + "until nobody can follow it any more."
    article.write_text(text.replace(first, first + " " + long), encoding="utf-8")
    result = check(project_config)
    assert result.exit_code == 1
    number = text.splitlines().index(first) + 1
    assert f"FAIL ms-stem-cell-therapy.md: line {number}: a sentence of 41 words" in result.output


def test_hard_words_fail_the_grade_and_key_points_must_open_the_article(project_config, project):
    article = project / "content" / "ms-stem-cell-therapy.md"
    text = article.read_text(encoding="utf-8")
    hard = (
        "- Immunoablative conditioning necessitates comprehensive multidisciplinary "
        "pretransplantation evaluation.\n"
    )
    text = text.replace(
        "## Key points {#key-points}\n\n", "## Key points {#key-points}\n\n" + hard * 6
    )
    article.write_text(text.replace("{#key-points}", "{#summary}"), encoding="utf-8")
    result = check(project_config)
    assert result.exit_code == 1
    assert "no 'key-points' section to open the article" in result.output
    assert "SMOG 9.4 is over 9.0" in result.output


def test_an_article_over_its_word_budget_fails(project_config, project):
    article = project / "content" / "ms-stem-cell-therapy.md"
    text = article.read_text(encoding="utf-8")
    extra = "\n\nWe add plain words here. They are easy to read. " * 60
    article.write_text(text + extra, encoding="utf-8")
    result = check(project_config)
    assert result.exit_code == 1
    assert "over the 2200 budget" in result.output
