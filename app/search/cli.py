"""``flask search``: build and inspect the search index."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.search.index import BuildError, build_index, current_info, fingerprint
from app.search.site import service


@click.group(cls=AppGroup)
def search() -> None:
    """Build and inspect the search index."""


@search.command()
@click.option("--if-stale", is_flag=True, help="Keep the current index if content is unchanged.")
def build(if_stale: bool) -> None:
    """Build a new index, validate it and swap it in; the old one serves until then."""
    running = service()
    try:
        info = build_index(running.store, running.root, running.languages, only_if_stale=if_stale)
    except BuildError as exc:
        raise click.ClickException(f"the new index failed validation: {exc}") from None
    counts = ", ".join(f"{lang} {n}" for lang, n in sorted(info.counts.items()))
    # A document is a section or a table, in one language.
    click.echo(f"index {info.path.name} ({info.fingerprint}) serving: {counts} documents")


@search.command()
def status() -> None:
    """Which build is served, and whether it matches the current content and catalogs."""
    running = service()
    info = current_info(running.root)
    if info is None:
        click.echo("no index: run 'flask search build'")
        raise SystemExit(1)
    fresh = "current" if info.fingerprint == fingerprint(running.store) else "STALE"
    click.echo(f"{info.path.name} built {info.built_at}, {fresh} ({info.fingerprint})")
