"""The translators' glossaries feed search: "Readers also type" is read from the Markdown tables,
checked by ``flask translate check``, and a reader's other word finds the translation's word."""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from app.search import glossary
from app.search import site as search_site
from app.search.analysis import words
from app.search.index import documents
from app.search.synonyms import Match, matches, member
from tests.conftest import ROOT
from tests.helpers import invoke

LANGS = ["hi", "ar", "bn", "ru", "fr"]

SAMPLE = """# Glossary: English to Hindi

Use these terms in every catalog of this language.

| English | Translation | Readers also type | Note |
|---|---|---|---|
| clinical trial; trial | क्लिनिकल ट्रायल; ट्रायल | नैदानिक परीक्षण; क्लीनिकल ट्रायल | masculine |
| side effect | साइड इफ़ेक्ट | दुष्प्रभाव (formal) ;  | |
| stem cell therapy / treatment | स्टेम सेल थेरेपी / स्टेम सेल इलाज (इलाज) | स्टेम सेल उपचार | a \\| b |
| vein | नस | | "into a vein" = नस में |

Some prose with a | pipe that is no table.

| English | Translation | Note |
|---|---|---|
| muscle | मांसपेशी | the old layout: nothing for search |

| Name | Value |
|---|---|
| not | a glossary table |
"""


def write_glossary(translations: Path, lang: str, text: str) -> Path:
    path = glossary.path(translations, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_glossary_table_is_read_with_what_readers_also_type():
    entries = glossary.parse(SAMPLE)
    assert [e.english for e in entries] == [
        "clinical trial; trial",
        "side effect",
        "stem cell therapy / treatment",
        "vein",
        "muscle",
    ]
    trial, side_effect, therapy, vein, muscle = entries
    # Alternatives are separated by semicolons; brackets are comments; empty parts are dropped.
    assert trial.also == ("नैदानिक परीक्षण", "क्लीनिकल ट्रायल")
    assert side_effect.also == ("दुष्प्रभाव",)
    # The Translation's own terms, separated by ";" or "/", join the group.
    assert trial.group == ("क्लिनिकल ट्रायल", "ट्रायल", "नैदानिक परीक्षण", "क्लीनिकल ट्रायल")
    assert therapy.terms == ("स्टेम सेल थेरेपी", "स्टेम सेल इलाज")
    assert therapy.line == 9
    # A row without alternatives, or in a table of the old layout, is no group.
    assert vein.also == () and vein.group == ()
    assert muscle.translation == "मांसपेशी" and muscle.group == ()


def test_every_shipped_glossary_has_the_column_and_passes_the_check():
    translations = ROOT / "translations"
    for lang in LANGS:
        text = glossary.path(translations, lang).read_text(encoding="utf-8")
        headers = [line for line in text.splitlines() if line.startswith("| English |")]
        assert headers and all("| Readers also type |" in h for h in headers), lang
        assert len(glossary.groups(translations, lang)) >= 5, lang
    assert glossary.problems(translations) == []


def test_a_word_listed_for_two_terms_is_a_problem_naming_both(tmp_path):
    write_glossary(
        tmp_path,
        "hi",
        "| English | Translation | Readers also type | Note |\n"
        "|---|---|---|---|\n"
        "| side effect | साइड इफ़ेक्ट | दुष्प्रभाव | |\n"
        "| harm | नुकसान | दुष्प्रभाव; हानि | |\n"  # the same word for a second term
        "| risk | जोखिम | ख़तरा | |\n"
        "| danger | ख़तरा | | |\n"  # another term's Translation
        "| hospital | अस्पताल | हॉस्पिटल | |\n",
    )
    found = glossary.problems(tmp_path)
    assert len(found) == 2, found
    twice, translation = found
    assert "'side effect'" in twice and "'harm'" in twice and "दुष्प्रभाव" in twice
    assert "glossary.md:3:" in twice and "(line 4," in twice
    assert "'risk'" in translation and "'danger'" in translation and "ख़तरा" in translation


def test_spellings_that_search_joins_collide_too(tmp_path):
    """Without the nukta a word is the same word to search, so it collides the same way."""
    write_glossary(
        tmp_path,
        "hi",
        "| English | Translation | Readers also type | Note |\n"
        "|---|---|---|---|\n"
        "| side effect | साइड इफ़ेक्ट | साइड इफेक्ट | |\n"  # its own Translation: fine
        "| after-effect | असर | साइड इफ़ेक्ट | |\n",
    )
    [problem] = glossary.problems(tmp_path)
    assert "'after-effect'" in problem and "'side effect'" in problem


def test_a_row_with_a_missing_cell_is_a_problem(tmp_path):
    path = write_glossary(
        tmp_path,
        "fr",
        "| English | Translation | Readers also type | Note |\n"
        "|---|---|---|---|\n"
        "| side effect | effet indésirable | effet secondaire |\n",
    )
    assert glossary.problems(tmp_path) == [
        f"{path}:3: the row has 3 cells, its table has 4 columns (a missing or extra '|')"
    ]


@pytest.mark.slow
def test_translate_check_reports_a_glossary_collision(project_config, project):
    path = glossary.path(project / "translations", "ru")
    text = path.read_text(encoding="utf-8")
    row = "| drip | капельница | |"
    assert row in text
    path.write_text(text.replace(row, "| drip | капельница | пересадка |"), encoding="utf-8")
    result = invoke(project_config, "check")
    assert result.exit_code == 1
    [problem] = [line for line in result.output.splitlines() if "glossary.md" in line]
    assert "'пересадка'" in problem and "'drip'" in problem
    assert "'transplant; transplant team'" in problem


def test_the_readers_words_are_matched_against_whole_phrases(tmp_path):
    write_glossary(
        tmp_path,
        "hi",
        "| English | Translation | Readers also type | Note |\n"
        "|---|---|---|---|\n"
        "| clinical trial; trial | क्लिनिकल ट्रायल; ट्रायल | नैदानिक परीक्षण | |\n",
    )

    def said(text):
        typed = [words("hi", word) for word in text.split()]
        return matches("hi", typed, tmp_path)

    trial, loanword, formal = (member("hi", t) for t in ("ट्रायल", "क्लिनिकल ट्रायल", "नैदानिक परीक्षण"))
    # The formal phrase, inflected, between other words: the loanword and "trial" too.
    assert said("सुरक्षित नैदानिक परीक्षणों") == [Match(1, 3, (loanword, trial))]
    # The loanword: the formal phrase, never the looser "trial" alone.
    assert said("क्लिनिकल ट्रायल") == [Match(0, 2, (formal,))]
    # Half a phrase says nothing; nor does a word with no terms (a prefix in a query).
    assert said("नैदानिक") == [] and matches("hi", [(), words("hi", "परीक्षण")], tmp_path) == []


def test_the_glossary_reader_is_plain_python():
    names = set()
    for node in ast.walk(ast.parse((ROOT / "app/search/glossary.py").read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    assert not {n for n in names if n.startswith(("flask", "werkzeug", "app.web", "app.i18n"))}


@pytest.mark.parametrize(
    ("query", "loanword"),
    [
        ("नैदानिक परीक्षण", "क्लिनिकल ट्रायल"),
        ('"नैदानिक परीक्षण"', "क्लिनिकल ट्रायल"),
        ("दुष्प्रभाव", "साइड इफ़ेक्ट"),
    ],
)
def test_a_formal_hindi_query_finds_the_sections_that_use_the_loanword(app, query, loanword):
    service = search_site.service(app)
    texts: dict[str, str] = defaultdict(str)  # a section's text and its tables'
    for article in service.store.all_localized("hi"):
        for document in documents(article):
            texts[f"{document['slug']}#{document['section']}"] += document["text_hi"]
    # The formal words are nowhere in the articles: only the glossary joins them.
    assert not any(query.strip('"') in text for text in texts.values())
    page = service.search(query, "hi")
    assert page.lang == "hi" and not page.corrected and page.total
    top = [f"{r.slug}#{r.section}" for r in page.results[:3]]
    assert all(loanword in texts[section] for section in top), top


def test_the_search_page_finds_the_loanword_for_the_formal_words(client):
    page = client.get("/hi/search", query_string={"q": "नैदानिक परीक्षण"})
    assert page.status_code == 200
    assert "/hi/articles/als-stem-cell-therapy#checking-a-trial" in page.get_data(as_text=True)
