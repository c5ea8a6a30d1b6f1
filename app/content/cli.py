"""``flask content``: checks an editor runs before an article change is merged."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.content.readability import Limits, measure
from app.content.site import store

content = AppGroup("content", help="Article checks for editors.")

#: Prose words per article at most (issue: say more with fewer, simpler words).
MAX_WORDS = {"als-stem-cell-therapy": 3500, "ms-stem-cell-therapy": 2200}


@content.command("check")
@click.option("--max-grade", type=float, default=Limits.grade, show_default=True)
@click.option("--max-smog", type=float, default=Limits.smog, show_default=True)
def check(max_grade: float, max_smog: float) -> None:
    """Readability of every article's English, per article and per section; fails above the
    limits (grade, SMOG, sentence length, key points) or over an article's word budget."""
    library = store().library
    limits = Limits(grade=max_grade, smog=max_smog)
    failed = False
    for article in library.articles:
        report = measure(article, limits)
        problems = list(report.problems)
        budget = MAX_WORDS.get(article.slug)
        if budget is not None and report.whole.words > budget:
            problems.append(f"{report.whole.words} words of prose, over the {budget} budget")
        click.echo(
            f"{article.slug}: {report.whole.words} words, grade {report.whole.grade}, "
            f"SMOG {report.whole.smog}"
        )
        for section_id, score in report.sections.items():
            click.echo(
                f"  {section_id:32} {score.words:5} words  grade {score.grade:5}  "
                f"SMOG {score.smog:5}"
            )
        for problem in problems:
            click.echo(f"  FAIL {article.path.name}: {problem}")
        failed = failed or bool(problems)
    if failed:
        sys.exit(1)
