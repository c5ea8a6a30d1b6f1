"""Translation QA: translate-toolkit's pofilter tests, set up per language (app/i18n/qa.py), run
by ``flask translate check``."""

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from translate.filters import checks

from app.content.conventions import DOMAINS, catalog_path
from app.i18n import qa
from tests.conftest import ROOT
from tests.helpers import invoke


def test_shipped_catalogs_pass_qa():
    problems = qa.problems(ROOT / "translations")
    assert problems == [], "\n".join(problems)


def test_excluded_and_allowed_tests_are_toolkit_tests_and_allowed_messages_exist():
    """A typo, or an exception left behind after the English changed, would silently do
    nothing: every name must be a test the toolkit has, every allowed message a catalog entry."""
    offered = set(checks.StandardChecker().getfilters())
    assert set(qa.EXCLUDED) <= offered
    for lang, tests in qa.ALLOWED.items():
        english = set()
        for domain in DOMAINS:
            with catalog_path(ROOT / "translations", lang, domain).open("rb") as handle:
                english |= {m.id for m in read_po(handle) if isinstance(m.id, str)}
        for test, messages in tests.items():
            assert test in offered and test not in qa.EXCLUDED, test
            assert messages <= english, messages - english


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.slow
def test_check_fails_on_real_defects_and_says_where(project_config, project):
    lc = project / "translations"
    hindi = catalog_path(lc, "hi", "articles")
    french = catalog_path(lc, "fr", "articles")
    russian = catalog_path(lc, "ru", "messages")
    # A changed emergency number, a link whose address was lost, a bracket left open.
    replace_once(hindi, "आपात स्थिति में 112 पर", "आपात स्थिति में 102 पर")
    replace_once(
        french,
        "[A Closer Look at Stem Cells](http://www.closerlookatstemcells.org/What_to_Ask.html)"
        " (en anglais)",
        "A Closer Look at Stem Cells (en anglais)",
    )
    replace_once(russian, "%(name)s, %(date)s (UTC).", "%(name)s, %(date)s (UTC.")

    result = invoke(project_config, "check")

    assert result.exit_code == 1
    lines = result.output.splitlines()

    def reported(path: Path, ending: str) -> bool:
        return any(line.startswith(f"{path}:") and line.endswith(ending) for line in lines)

    assert reported(
        hindi,
        '"In an emergency in India, call 112 [@erss-112].": numbers: '
        "different numbers: 112 missing; 102 added",
    ), result.output
    assert reported(
        french,
        ": urls: different URLs: http://www.closerlookatstemcells.org/What_to_Ask.html missing",
    ), result.output
    assert reported(
        russian, "\"Marked as answered by %(name)s on %(date)s (UTC).\": brackets: Missing ')'"
    ), result.output


def write_catalog(root: Path, lang: str, english: str | tuple, translation: str | tuple) -> Path:
    catalog = Catalog(locale=lang, domain="messages")
    catalog.add(english, translation)
    path = catalog_path(root, lang, "messages")
    path.parent.mkdir(parents=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)
    return root


ARABIC_QUERIES = ("لا توجد استفسارات", "استفسار واحد", "استفساران", "%(num)s استفسارات")

#: (language, English, a legitimate translation in that language's own forms, the same with a
#: real defect, the test that must report it).
CASES = [
    pytest.param(
        "bn",
        "In an emergency in India, call 112.",
        "ভারতে জরুরি অবস্থায় ১১২ নম্বরে ফোন করুন।",
        "ভারতে জরুরি অবস্থায় ১২১ নম্বরে ফোন করুন।",
        "numbers",
        id="bn-digits-and-danda",
    ),
    pytest.param(
        "bn",
        "ALS is a disease of the nerves.",
        "ALS হলো স্নায়ুর একটি রোগ।",
        "এএলএস হলো স্নায়ুর একটি রোগ।",
        "acronyms",
        id="bn-abbreviation-in-latin-letters",
    ),
    pytest.param(
        "hi",
        "Ask the clinic for its CTRI number.",
        "क्लिनिक से उसका CTRI नंबर माँगें।",
        "क्लिनिक से उसका CTRI नंबर माँगें",
        "endpunc",
        id="hi-danda",
    ),
    pytest.param(
        "hi",
        "Go to [ctri.nic.in](https://ctri.nic.in), and search.",
        "[ctri.nic.in](https://ctri.nic.in) पर जाएँ, और खोजें।",
        "ctri.nic.in पर जाएँ, और खोजें।",
        "urls",
        id="hi-url-after-a-markdown-link",
    ),
    pytest.param(
        "fr",
        "Showing results for:",
        "Résultats pour\u202f:",
        "Résultats pour:",
        "endpunc",
        id="fr-narrow-no-break-space-before-colon",
    ),
    pytest.param(
        "fr",
        "2.1% of people died.",
        "2,1\u00a0% des personnes sont mortes.",
        "2,4\u00a0% des personnes sont mortes.",
        "numbers",
        id="fr-decimal-comma",
    ),
    pytest.param(
        "fr",
        "MS is a disease of the brain.",
        "La SEP est une maladie du cerveau.",
        "C’est une maladie du cerveau.",
        "acronyms",
        id="fr-own-abbreviation",
    ),
    pytest.param(
        "fr",
        "It counts as a drug under the Drugs and Cosmetics Act 1940.",
        "C’est un médicament au sens de la loi de 1940 (Drugs and Cosmetics Act 1940).",
        "C’est un médicament au sens de la loi de 1945 (Drugs and Cosmetics Act 1940).",
        "numbers",
        id="fr-english-gloss-in-brackets",
    ),
    pytest.param(
        "ru",
        'A "REF" number is not a registration.',
        "Номер «REF» — это не регистрация.",
        "Номер REF — это не регистрация.",
        "doublequoting",
        id="ru-guillemets",
    ),
    pytest.param(
        "ar",
        "Is it safe to fly, and when?",
        "هل السفر آمن، ومتى؟",
        "هل السفر آمن، ومتى",
        "endpunc",
        id="ar-comma-and-question-mark",
    ),
    pytest.param(
        "ar",
        "Ask about NIV.",
        "اسأل عن التهوية غير الجراحية (NIV).",
        "اسأل عن التهوية غير الجراحية (NIV.",
        "brackets",
        id="ar-added-gloss-in-brackets",
    ),
    pytest.param(
        "ar",
        ("%(num)s query", "%(num)s queries"),
        (*ARABIC_QUERIES, "%(num)s استفسارًا", "%(num)s استفسار"),
        (*ARABIC_QUERIES, "%(num)s استفسارًا", "%(number)s استفسار"),
        "printf",
        id="ar-plural-forms-without-the-number",
    ),
]


@pytest.mark.parametrize(("lang", "english", "legitimate", "defect", "test"), CASES)
def test_a_language_own_forms_pass_and_a_defect_in_them_is_reported(
    tmp_path, lang, english, legitimate, defect, test
):
    assert qa.problems(write_catalog(tmp_path / "good", lang, english, legitimate)) == []
    problems = qa.problems(write_catalog(tmp_path / "bad", lang, english, defect))
    assert any(f": {test}: " in problem for problem in problems), problems
