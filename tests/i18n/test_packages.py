"""Work packages for translators outside the repository: ``flask translate package`` and
``merge``, on a private copy of the project."""

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po, write_po
from translate.misc.multistring import multistring
from translate.storage import poxliff

from app import create_app
from app.i18n import packages, workflow
from tests.helpers import invoke

ARTICLE = "ms-stem-cell-therapy"
PARAGRAPH_CONTEXT = "articles/ms-stem-cell-therapy#what-is-ms"
MARK = "PKG"


def change_english(project: Path, starts: str, added: str) -> tuple[str, str]:
    """Add a sentence to the article's block that starts with ``starts``: (old, new) English."""
    article = project / "content" / f"{ARTICLE}.md"
    text = article.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(starts))
    article.write_text(text.replace(line, f"{line} {added}"), encoding="utf-8")
    return line.removeprefix("- "), f"{line} {added}".removeprefix("- ")


def extract_and_update(config: dict, lang: str) -> None:
    for args in (("extract",), ("update", lang)):
        result = invoke(config, *args)
        assert result.exit_code == 0, result.output


def translated(english: str) -> str:
    """A translation that keeps what the checks look for, at the English's length."""
    return f"{MARK} {english}"


def fill_po(path: Path, translate=translated, only: tuple[str, ...] = ()) -> None:
    """What a translator's PO editor does: translate each entry (or those whose English
    contains one of ``only``) and clear its fuzzy flag."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id or (only and not any(part in str(message.id) for part in only)):
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(translate(message.id[1]) for _ in range(catalog.num_plurals))
        else:
            message.string = translate(message.id)
        message.flags.discard("fuzzy")
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    path.write_bytes(buffer.getvalue())


def fill_xliff(path: Path, translate=translated) -> None:
    """What a CAT tool does: set each target, which marks the unit translated."""
    store = poxliff.PoXliffFile.parsestring(path.read_bytes())
    for unit in store.units:
        if unit.hasplural():
            forms = len(unit.units)
            unit.target = multistring([translate(str(unit.source.strings[1]))] * forms)
        else:
            unit.target = translate(str(unit.source))
    path.write_bytes(bytes(store))


def catalog_bytes(project: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in (project / "translations").rglob("*.po")}


def page(config: dict, lang: str) -> str:
    response = create_app(config).test_client().get(f"/{lang}/articles/{ARTICLE}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "fmt", "name"), [("hi", "po", "hi.po"), ("fr", "xliff", "fr.xlf")]
)
def test_a_returned_package_is_merged_and_shown(project_config, project, tmp_path, lang, fmt, name):
    old, new = change_english(project, "Multiple sclerosis (MS) is ", "An added sentence.")
    extract_and_update(project_config, lang)
    assert invoke(project_config, "compile", lang).exit_code == 0
    assert f'<p lang="en" dir="ltr" data-untranslated>{old[:20]}' in page(project_config, lang)

    package = tmp_path / name
    args = ["package", lang, "-o", str(package)] + (["--format", fmt] if fmt == "po" else [])
    result = invoke(project_config, *args)
    assert result.exit_code == 0, result.output
    assert f"wrote {package} ({fmt})" in result.output
    text = package.read_text(encoding="utf-8")
    if fmt == "po":
        assert f"X-Work-Package: {packages.MARKER}" in text
        assert f'msgctxt "{PARAGRAPH_CONTEXT}"' in text
        assert "#, fuzzy" in text and '#| msgid ""\n#| "Multiple sclerosis (MS) is' in text
        assert "Glossary: multiple sclerosis (MS) = मल्टीपल स्क्लेरोसिस (MS)" in text
    else:
        assert 'target-language="fr"' in text and 'source-language="en"' in text
        assert f'resname="{PARAGRAPH_CONTEXT}"' in text
        assert '<alt-trans xml:space="preserve" origin="previous">' in text
        assert "Glossary: MS (multiple sclerosis) = SEP (sclérose en plaques)" in text
        assert "An added sentence." in text and "Previous English" in text

    (fill_po if fmt == "po" else fill_xliff)(package)
    result = invoke(project_config, "merge", str(package))
    assert result.exit_code == 0, result.output
    assert f'merged {PARAGRAPH_CONTEXT} "Multiple sclerosis (MS) is' in result.output
    assert "0 refused" in result.output

    po = (project / "translations" / lang / "LC_MESSAGES" / "articles.po").read_text("utf-8")
    entry = po[po.index(f'msgctxt "ms-stem-cell-therapy#what-is-ms"\nmsgid "{new[:30]}') :]
    assert entry.split("\n\n")[0].endswith(f'msgstr "{MARK} {new}"')
    assert f'#, fuzzy\n#| msgid "{old[:20]}' not in po
    assert "\n#: content/ms-stem-cell-therapy.md:" not in po  # the project's format is kept
    assert "POT-Creation-Date" not in po
    again = invoke(project_config, "merge", str(package))
    assert again.exit_code == 0 and f"{lang}: 0 merged, 0 refused" in again.output

    assert invoke(project_config, "compile", lang).exit_code == 0
    body = page(project_config, lang)
    assert f"{MARK} Multiple sclerosis (MS) is a long-term disease" in body
    assert f"data-untranslated>{old[:20]}" not in body
    assert "An added sentence." in body

    # Everything that was waiting was in the package and is merged: nothing is waiting now.
    result = invoke(project_config, "package", lang, "-o", str(tmp_path / "again.po"))
    assert result.exit_code == 0 and "no package written" in result.output
    assert not (tmp_path / "again.po").exists()


@pytest.mark.slow
def test_an_entry_whose_english_changed_again_is_refused(project_config, project, tmp_path):
    change_english(project, "Multiple sclerosis (MS) is ", "An added sentence.")
    extract_and_update(project_config, "hi")
    package = tmp_path / "hi.po"
    assert invoke(project_config, "package", "hi", "-o", str(package)).exit_code == 0
    fill_po(package, only=("An added sentence.",))

    _, newest = change_english(project, "Multiple sclerosis (MS) is ", "And one more.")
    extract_and_update(project_config, "hi")
    before = catalog_bytes(project)
    result = invoke(project_config, "merge", str(package))
    assert result.exit_code == 1
    assert re.search(
        rf'^refused {PARAGRAPH_CONTEXT} "Multiple sclerosis.*": no entry has this English any more',
        result.output,
        re.M,
    )
    assert "0 merged, 1 refused" in result.output
    assert catalog_bytes(project) == before
    po = (project / "translations" / "hi" / "LC_MESSAGES" / "articles.po").read_text("utf-8")
    entry = po[: po.index(f'msgid "{newest}"')].rsplit("\n\n", 1)[1]
    assert entry.startswith("#. ") and "#, fuzzy\n" in entry  # still waiting for work


def test_broken_placeholders_and_citations_are_refused_with_the_reason(
    project_config, project, tmp_path
):
    change_english(project, "- AHSCT is risky.", "Ask your team about it.")
    extract_and_update(project_config, "hi")
    messages = project / "translations" / "hi" / "LC_MESSAGES" / "messages.po"
    catalog = workflow.read(messages, "messages", "hi")
    copy = catalog.get(
        "You asked for a copy of what we store about your question %(ref)s. Here it is."
    )
    copy.flags.add("fuzzy")
    workflow.write(messages, catalog, "messages")

    package = tmp_path / "hi.po"
    assert invoke(project_config, "package", "hi", "-o", str(package)).exit_code == 0

    def careless(english: str) -> str:
        return translated(re.sub(r"\[@[^\]]+\]", "", english).replace("%(ref)s", "%(rf)s"))

    fill_po(package, careless, only=("AHSCT is risky", "You asked for a copy"))
    before = catalog_bytes(project)
    result = invoke(project_config, "merge", str(package))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    citation = next(line for line in lines if "AHSCT is risky" in line)
    assert citation.startswith("refused articles/ms-stem-cell-therapy#")
    assert "citations differ: ['sormani2017'] in English, [] here" in citation
    placeholder = next(line for line in lines if "You asked for a copy" in line)
    assert placeholder.startswith('refused messages "You asked for a copy')
    assert "placeholders differ: %(ref)s missing, %(rf)s not in the English" in placeholder
    assert catalog_bytes(project) == before


def good_package(config: dict, project: Path, tmp_path: Path) -> Path:
    change_english(project, "Multiple sclerosis (MS) is ", "An added sentence.")
    extract_and_update(config, "hi")
    package = tmp_path / "hi.po"
    assert invoke(config, "package", "hi", "-o", str(package)).exit_code == 0
    fill_po(package)
    return package


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda text: text.replace('msgid "', "msgid ", 3), "cannot be read as PO"),
        (
            lambda text: text.replace("Language: hi", "Language: xx"),
            "language 'xx' has no catalogs",
        ),
        (lambda text: text.replace("Language: hi\\n", ""), "does not say its language"),
        (
            lambda text: text.replace(f'msgctxt "{PARAGRAPH_CONTEXT}"', 'msgctxt "article/x#y"'),
            "entry key 'article/x#y' does not start with a domain",
        ),
        (lambda text: '<?xml version="1.0"?>\n<xliff version="1.2">' + text, "cannot be read"),
    ],
    ids=["syntax", "language", "no-language", "domain", "xml"],
)
def test_a_malformed_file_writes_nothing(project_config, project, tmp_path, spoil, reason):
    package = good_package(project_config, project, tmp_path)
    text = package.read_text(encoding="utf-8")
    spoilt = spoil(text)
    assert spoilt != text
    package.write_text(spoilt, encoding="utf-8")
    before = catalog_bytes(project)
    result = invoke(project_config, "merge", str(package))
    assert result.exit_code == 1
    assert reason in result.output and "Nothing was merged." in result.output
    assert "merged " not in result.output.replace("Nothing was merged.", "")
    assert catalog_bytes(project) == before


def test_an_entry_left_fuzzy_or_empty_is_not_merged(project_config, project, tmp_path):
    change_english(project, "Multiple sclerosis (MS) is ", "An added sentence.")
    extract_and_update(project_config, "hi")
    package = tmp_path / "hi.xlf"
    assert invoke(project_config, "package", "hi", "-o", str(package)).exit_code == 0
    before = catalog_bytes(project)
    result = invoke(project_config, "merge", str(package))
    assert result.exit_code == 0, result.output
    assert "hi: 0 merged, 0 refused" in result.output and "1 still marked fuzzy" in result.output
    assert catalog_bytes(project) == before


def test_a_language_without_catalogs_has_no_package(project_config, tmp_path):
    result = invoke(project_config, "package", "xx", "-o", str(tmp_path / "xx.po"))
    assert result.exit_code == 1 and "'xx' has no catalogs" in result.output
    assert not (tmp_path / "xx.po").exists()


def refusals(english, translation, lang_plurals=2, flags=()):
    """The checks alone, on one entry of a catalog with ``lang_plurals`` plural forms."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="ru" if lang_plurals == 3 else "hi")
    english = tuple(english) if isinstance(english, list) else (english,)
    message = Message(english if len(english) > 1 else english[0], "", flags=flags)
    translation = tuple(translation) if isinstance(translation, list) else (translation,)
    entry = packages.Returned("messages", None, english, translation, done=True)
    return packages.check(entry, message, catalog)


@pytest.mark.parametrize(
    ("english", "translation", "plurals", "reason"),
    [
        (
            "A **bold** claim about stem cells.",
            "Une affirmation audacieuse sur les cellules.",
            2,
            "bold markers differ",
        ),
        (
            "See [the trial](https://example.org/t) for details.",
            "Voir le essai pour details.",
            2,
            "links differ",
        ),
        ("A sentence of a plausible length.", "Oui.", 2, "length is 0.12 times the English"),
        ("A sentence of a plausible length.", "Une phrase " * 14, 2, "times the English"),
        (
            ["%(num)s day", "%(num)s days"],
            ["%(num)s день", "%(num)s дня"],
            3,
            "2 plural forms, ru needs 3",
        ),
        (
            ["%(num)s day", "%(num)s days"],
            ["%(num)s день", "", "%(num)s дней"],
            3,
            "plural form 1 is empty",
        ),
        ("Source %(number)s", "Source %(number", 2, "cannot be formatted"),
    ],
)
def test_each_check_says_why(english, translation, plurals, reason):
    flags = ["python-format"] if "%(" in str(english) else []
    problems = refusals(english, translation, plurals, flags)
    assert any(reason in problem for problem in problems), problems


def test_short_and_faithful_translations_pass():
    assert refusals("Risks", "Риски") == []
    assert refusals("Yes", "हाँ, बिल्कुल, यही सही उत्तर है") == []  # too short to judge length
    assert (
        refusals(
            ["%(num)s day", "%(num)s days"],
            ["%(num)s день", "%(num)s дня", "%(num)s дней"],
            3,
            ["python-format"],
        )
        == []
    )
    assert refusals("One **key** point [@one](x)", "Un point **clé** [@one](x)") == []
