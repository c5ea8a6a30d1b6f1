"""The translators' workflow, through ``flask translate`` on a private copy of the project."""

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app import create_app
from tests.conftest import ROOT
from tests.helpers import edit_paragraph, invoke

PARAGRAPH = re.compile(r"^(When many studies|.*)$")


def fill(po_path, translate) -> None:
    """Translate every entry of a catalog the way a translator's tool would."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if isinstance(message.id, tuple):
            message.string = tuple(translate(message) for _ in range(catalog.num_plurals))
        elif message.id:
            message.string = translate(message)
        message.flags.discard("fuzzy")
    from app.i18n.workflow import write

    write(po_path, catalog, po_path.stem)


def fake_translation(message) -> str:
    """Keeps citations, links and placeholders, as a careful translator does."""
    source = message.id[0] if isinstance(message.id, tuple) else message.id
    keep = re.findall(r"\[@[^\]]+\]|\]\([^)]+\)|%\(\w+\)[sd]", source)
    prefix = re.sub(r"[\[\]()%@*]", "", source[:20])
    return "SW " + prefix + " " + " ".join(keep)


def test_init_adds_a_language_that_the_site_then_offers(project_config, project):
    result = invoke(project_config, "init", "sw")
    assert result.exit_code == 0, result.output
    lc = project / "translations" / "sw" / "LC_MESSAGES"
    assert (lc / "messages.po").is_file() and (lc / "articles.po").is_file()
    assert (project / "translations" / "sw" / "glossary.md").is_file()
    page = create_app(project_config).test_client().get("/sw/")
    assert page.status_code == 200
    assert '<html lang="sw" dir="ltr">' in page.get_data(as_text=True)


def test_init_refuses_an_unknown_or_existing_language(project_config):
    assert invoke(project_config, "init", "qq").exit_code != 0
    assert invoke(project_config, "init", "sw").exit_code == 0
    result = invoke(project_config, "init", "sw")
    assert result.exit_code != 0 and "already has catalogs" in result.output


@pytest.mark.slow
def test_changed_english_paragraph_turns_fuzzy_and_is_shown_in_english(project_config, project):
    assert invoke(project_config, "init", "sw").exit_code == 0
    lc = project / "translations" / "sw" / "LC_MESSAGES"
    fill(lc / "articles.po", fake_translation)
    fill(lc / "messages.po", fake_translation)
    assert invoke(project_config, "compile", "sw").exit_code == 0
    page = create_app(project_config).test_client().get("/sw/articles/ms-stem-cell-therapy")
    assert "data-untranslated" not in page.get_data(as_text=True)

    original = edit_paragraph(project, "cure MS.", "cure MS. An added sentence.")
    assert invoke(project_config, "extract").exit_code == 0
    assert invoke(project_config, "update").exit_code == 0
    po = (lc / "articles.po").read_text(encoding="utf-8")
    assert (
        f'#, fuzzy\n#| msgid "{original}"\nmsgctxt "ms-stem-cell-therapy#what-is-ms"\n'
        f'msgid "{original} An added sentence."\n'
    ) in po

    status = invoke(project_config, "status", "--fail-under", "100", "sw")
    assert status.exit_code == 1
    row = next(line for line in status.output.splitlines() if "ms-stem-cell-therapy" in line)
    assert row.split()[1:] == [row.split()[1], row.split()[2], "1", "0", row.split()[5]]

    assert invoke(project_config, "compile", "sw").exit_code == 0
    page = create_app(project_config).test_client().get("/sw/articles/ms-stem-cell-therapy")
    body = page.get_data(as_text=True)
    assert f'<p lang="en" dir="ltr" data-untranslated>{original[:20]}' in body
    assert "An added sentence." in body
    note = re.search(r'<p class="translation-note">(.*?)</p>', body, re.S)[1]
    assert "99" in note


def test_status_never_counts_fuzzy_as_translated(project_config, project):
    invoke(project_config, "init", "sw")
    po = project / "translations" / "sw" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id:
            message.string = fake_translation(message)
            message.flags.add("fuzzy")
    from app.i18n.workflow import write

    write(po, catalog, "messages")
    result = invoke(project_config, "status", "sw")
    interface = next(line for line in result.output.splitlines() if "interface" in line).split()
    assert interface[2] == "0"
    assert int(interface[3]) > 0
    assert interface[-1] == "0"


@pytest.mark.slow
def test_check_catches_sources_changed_without_extract(project_config, project):
    article = project / "content" / "ms-stem-cell-therapy.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace("## Glossary", "## Words we use", 1),
        encoding="utf-8",
    )
    result = invoke(project_config, "check", "--fail-under", "0")
    assert result.exit_code == 1
    assert "articles.pot is out of date" in result.output


def test_compile_rejects_a_translation_that_drops_a_citation(project_config, project):
    invoke(project_config, "init", "sw")
    po = project / "translations" / "sw" / "LC_MESSAGES" / "articles.po"
    fill(po, lambda m: "SW " + re.sub(r"\[@[^\]]+\]", "", m.id))
    result = invoke(project_config, "compile", "sw")
    assert result.exit_code == 1
    assert "citations differ" in result.output


def test_compile_rejects_a_broken_interface_placeholder(project_config, project):
    invoke(project_config, "init", "sw")
    po = project / "translations" / "sw" / "LC_MESSAGES" / "messages.po"
    fill(po, lambda m: "SW %(d %(date)s" if "%(date)s" in m.id else fake_translation(m))
    result = invoke(project_config, "compile", "sw")
    assert result.exit_code == 1
    assert "cannot be formatted" in result.output


def test_article_catalogs_carry_no_false_python_format_flags(project):
    pot = (project / "translations" / "articles.pot").read_text(encoding="utf-8")
    assert "%" in pot
    assert "python-format" not in pot


def test_the_commands_work_on_the_folders_the_site_reads(app_config, project, tmp_path):
    """TRANSLATIONS_DIR and CONTENT_DIR, not the repository, whatever folder they are in."""
    import shutil

    catalogs_dir, content_dir = tmp_path / "srv" / "catalogs", tmp_path / "srv" / "articles"
    shutil.move(project / "translations", catalogs_dir)
    shutil.move(project / "content", content_dir)
    config = {**app_config, "TRANSLATIONS_DIR": str(catalogs_dir), "CONTENT_DIR": str(content_dir)}
    before = sorted(ROOT.glob("translations/*/LC_MESSAGES/*.mo"))
    stamps = [p.stat().st_mtime_ns for p in before]
    assert invoke(config, "compile").exit_code == 0
    assert len(list(catalogs_dir.glob("*/LC_MESSAGES/*.mo"))) == 10
    assert [p.stat().st_mtime_ns for p in before] == stamps
    article = content_dir / "ms-stem-cell-therapy.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("long-term disease", "lifelong disease"), encoding="utf-8")
    assert invoke(config, "extract").exit_code == 0
    pot = (catalogs_dir / "articles.pot").read_text(encoding="utf-8")
    assert "lifelong disease" in pot and "#: content/ms-stem-cell-therapy.md\n" in pot
    assert "lifelong disease" not in (ROOT / "translations" / "articles.pot").read_text("utf-8")


@pytest.mark.slow
def test_shipped_catalogs_are_in_sync_compile_and_are_complete(runner):
    """The CI gate: re-extract and compare, compile with placeholder checks, 100% per language."""
    result = runner.invoke(args=["translate", "check"])
    assert result.exit_code == 0, result.output


def test_every_shipped_language_reads_completely(client):
    for lang in ("hi", "ar", "bn", "ru", "fr"):
        for slug in ("als-stem-cell-therapy", "ms-stem-cell-therapy"):
            page = client.get(f"/{lang}/articles/{slug}").get_data(as_text=True)
            assert "data-untranslated" not in page, (lang, slug)
            assert '<p class="translation-note">' in page


def test_untranslated_plural_messages_compile(project):
    from app.i18n import workflow

    template = project / "app" / "templates" / "plural.html"
    template.write_text('{{ ngettext("%(num)s day", "%(num)s days", 2) }}', encoding="utf-8")
    config = workflow.Settings(project / "translations", project / "content", code=project)
    workflow.extract_templates(config)
    workflow.init(config, "sw")
    assert workflow.compile_catalogs(config, ["sw"])


def test_extracting_and_updating_unchanged_sources_changes_no_file(project_config, project):
    """No creation date in templates or catalogs: a run that changes no text writes no change."""
    translations = project / "translations"
    before = {p: p.read_bytes() for p in translations.rglob("*.po*")}
    assert invoke(project_config, "extract").exit_code == 0
    assert invoke(project_config, "update").exit_code == 0
    after = {p: p.read_bytes() for p in translations.rglob("*.po*")}
    assert after == before
    assert all(b"POT-Creation-Date" not in data for data in after.values())


def test_locations_name_the_file_without_a_line_number(app):
    """A line added above a message must not change every catalog: locations are files only."""
    for path in (ROOT / "translations").rglob("*.po*"):
        locations = [line for line in path.read_text("utf-8").splitlines() if line.startswith("#:")]
        assert locations, path
        assert not [line for line in locations if re.search(r":\d+\b", line)], path


def entries(path) -> set[tuple]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {(m.context, m.id, m.string, m.fuzzy, tuple(m.previous_id or ())) for m in catalog}


@pytest.mark.slow
def test_one_changed_sentence_changes_one_entry_of_each_article_catalog(project_config, project):
    catalogs = project / "translations"
    before = {p: p.read_text("utf-8") for p in catalogs.rglob("*.po*")}
    original = edit_paragraph(project, "cure MS.", "cure MS. One more.")
    assert invoke(project_config, "extract").exit_code == 0
    assert invoke(project_config, "update").exit_code == 0

    changed = {p.relative_to(catalogs) for p in before if p.read_text("utf-8") != before[p]}
    languages = {p.parent.parent.name for p in catalogs.glob("*/LC_MESSAGES/articles.po")}
    assert changed == {Path("articles.pot")} | {
        Path(lang, "LC_MESSAGES", "articles.po") for lang in languages
    }
    for name in changed:
        path = catalogs / name
        old = path.with_suffix(".old")
        old.write_text(before[path], encoding="utf-8")
        gone, new = entries(old) - entries(path), entries(path) - entries(old)
        assert (len(gone), len(new)) == (1, 1), name
        assert next(iter(new))[1] == original + " One more."


def test_update_drops_the_old_english_once_an_entry_is_reviewed(project_config, project):
    po = project / "translations" / "fr" / "LC_MESSAGES" / "articles.po"
    original = edit_paragraph(project, "cure MS.", "cure MS. One more.")
    invoke(project_config, "extract")
    invoke(project_config, "update", "fr")
    assert f'#, fuzzy\n#| msgid "{original}"\n' in po.read_text("utf-8")

    # The translator reviews it (drops the fuzzy flag); a tool left a mangled copy behind.
    reviewed = po.read_text("utf-8").replace(
        f'#, fuzzy\n#| msgid "{original}"\n',
        f'# | msgid "{original[:30]}"\n#| msgid "{original}"\n',
    )
    po.write_text(reviewed, encoding="utf-8")
    assert invoke(project_config, "update", "fr").exit_code == 0
    after = po.read_text("utf-8")
    assert f'msgid "{original} One more."' in after
    assert "#| msgid" not in after and "# | msgid" not in after


def test_compiling_unchanged_catalogs_gives_the_same_bytes(project_config, project):
    """No date of compilation goes into a .mo: the content version and every page's ETag change
    only when text does."""
    assert invoke(project_config, "compile", "hi").exit_code == 0
    mo = project / "translations" / "hi" / "LC_MESSAGES" / "articles.mo"
    with mo.open("rb") as handle:
        compiled = read_mo(handle)
    with (project / "translations" / "hi" / "LC_MESSAGES" / "articles.po").open("rb") as handle:
        po = read_po(handle)
    assert compiled.creation_date == po.revision_date
    first = mo.read_bytes()
    assert invoke(project_config, "compile", "hi").exit_code == 0
    assert mo.read_bytes() == first
