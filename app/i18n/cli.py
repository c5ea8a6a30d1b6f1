"""``flask translate``: the translators' commands (see README, "Translating")."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.i18n import workflow

#: ``app.i18n.packages.FORMATS``, named here so that translate-toolkit, which that module
#: imports, is loaded by the package commands only, never by the running site.
PACKAGE_FORMATS = ("po", "xliff")


def _settings() -> workflow.Settings:
    return workflow.settings(current_app.config)


@click.group(cls=AppGroup)
def translate() -> None:
    """Extract, update, compile and check the gettext catalogs."""


@translate.command()
def extract() -> None:
    """Regenerate the templates (.pot) from templates, Python code and articles."""
    for path in workflow.extract_templates(_settings()):
        click.echo(f"wrote {path}")


@translate.command()
@click.argument("languages", nargs=-1)
def update(languages: tuple[str, ...]) -> None:
    """Merge the templates into every language (or the LANGUAGES given).

    Entries whose English source changed are marked fuzzy and stop being shown until a
    translator reviews them.
    """
    for path in workflow.update(_settings(), languages or None):
        click.echo(f"updated {path}")


@translate.command()
@click.argument("language")
def init(language: str) -> None:
    """Start translating into a new LANGUAGE (a code such as 'sw' or 'uz')."""
    try:
        written = workflow.init(_settings(), language)
    except workflow.CatalogError as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        click.echo(f"created {path}")
    click.echo("Translate the .po files, then run 'flask translate compile' and restart the site.")


@translate.command(name="compile")
@click.argument("languages", nargs=-1)
def compile_(languages: tuple[str, ...]) -> None:
    """Compile .po to .mo (fuzzy entries are left out, so they are shown in English)."""
    try:
        written = workflow.compile_catalogs(_settings(), languages or None)
    except workflow.CatalogError as exc:
        raise click.ClickException(f"some catalogs have errors:\n{exc}") from None
    click.echo(f"compiled {len(written)} catalogs")


@translate.command()
@click.option(
    "--fail-under", type=click.IntRange(0, 100), help="Exit 1 if a language is below PCT%."
)
@click.argument("languages", nargs=-1)
def status(fail_under: int | None, languages: tuple[str, ...]) -> None:
    """Translated / fuzzy / untranslated counts per language and article.

    Fuzzy entries never count as translated.
    """
    rows = workflow.status(_settings(), languages or None)
    click.echo(
        f"{'language':<9}{'part':<26}{'translated':>11}{'fuzzy':>7}{'untransl.':>10}{'%':>5}"
    )
    failing = []
    for row in rows:
        for part, count in row.parts.items():
            click.echo(
                f"{row.lang:<9}{part:<26}{count.translated:>11}{count.fuzzy:>7}"
                f"{count.untranslated:>10}{count.percent:>5}"
            )
        overall = row.overall
        click.echo(
            f"{row.lang:<9}{'all':<26}{overall.translated:>11}{overall.fuzzy:>7}"
            f"{overall.untranslated:>10}{overall.percent:>5}"
        )
        if fail_under is not None and overall.percent < fail_under:
            failing.append(f"{row.lang} ({overall.percent}%)")
    if failing:
        click.echo(f"below {fail_under}%: {', '.join(failing)}", err=True)
        sys.exit(1)


@translate.command()
@click.option("--fail-under", type=click.IntRange(0, 100), default=100, show_default=True)
def check(fail_under: int) -> None:
    """Fail if catalogs are out of sync, do not compile, mismatch placeholders or are incomplete,
    if pofilter's checks find a defect (app/i18n/qa.py) or a glossary lists a word twice."""
    problems = workflow.check(_settings(), minimum=fail_under)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("catalogs are in sync, compile cleanly, are complete and pass the QA checks")


@translate.command()
@click.argument("language")
@click.option(
    "--format",
    "format_",
    type=click.Choice(PACKAGE_FORMATS),
    help="po, or xliff for CAT tools [default: xliff for an .xlf/.xliff FILE, else po]",
)
@click.option(
    "-o",
    "--output",
    "output",
    metavar="FILE",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
)
def package(language: str, format_: str | None, output: Path) -> None:
    """Write LANGUAGE's entries waiting for work to FILE, for a translator outside the repository.

    Fuzzy and untranslated entries of both domains, with their context, the previous English,
    the comments for translators and the glossary terms they contain. Each entry is keyed
    DOMAIN/CONTEXT (msgctxt in PO, resname in XLIFF): leave keys and English unchanged.
    """
    from app.i18n import packages

    fmt = format_ or packages.detect(b"", output.name)
    try:
        built = packages.build(_settings(), language, fmt)
    except packages.PackageError as exc:
        raise click.ClickException(str(exc)) from None
    if not built.count:
        click.echo(f"nothing of {language} is waiting for work: no package written")
        return
    output.write_bytes(built.data)
    click.echo(
        f"wrote {output} ({fmt}): {built.count} entries of {language} "
        f"({built.fuzzy} fuzzy, {built.untranslated} untranslated)"
    )


@translate.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def merge(file: Path) -> None:
    """Merge a returned work package FILE (PO or XLIFF) into its language's catalogs.

    Only entries whose English still matches the catalog and whose translation passes the
    checks are merged (and are no longer fuzzy); every other one is reported with the reason,
    and the exit status is then 1. A file that is not a readable package changes nothing.
    """
    from app.i18n import packages

    try:
        outcome = packages.merge(_settings(), file.read_bytes(), file.name)
    except packages.PackageError as exc:
        raise click.ClickException(f"{file}: {exc}. Nothing was merged.") from None
    for line in outcome.lines():
        click.echo(line)
    for path in outcome.written:
        click.echo(f"updated {path}")
    if outcome.written:
        click.echo("Review the changes, then run 'flask translate compile'.")
    if outcome.refused:
        sys.exit(1)
