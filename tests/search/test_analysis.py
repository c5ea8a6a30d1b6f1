import pickle
import unicodedata

import pytest

from app.search.analysis import words
from app.search.index import schema


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # Vowel signs and the virama stay inside Devanagari and Bengali words.
        ("hi", "दुष्प्रभाव", ["दुष्प्रभाव"]),
        ("bn", "চিকিৎসা", ["চিকিৎসা"]),
        ("bn", "স্টেম সেল", ["স্টেম", "সেল"]),
        # Zero-width joiners are kept inside a word, and folded away for matching.
        ("bn", "র\u200d্যাব", ["র্যাব"]),
        ("hi", "क\u200cष", ["कष"]),
    ],
)
def test_indic_words_are_not_broken_apart(lang, text, expected):
    assert words(lang, text, stemming=False) == expected


@pytest.mark.parametrize(("lang", "composed"), [("bn", "রোগ"), ("fr", "thérapie"), ("ru", "йод")])
def test_text_and_queries_are_nfc_normalised(lang, composed):
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert words(lang, decomposed) == words(lang, composed)


def test_arabic_diacritics_tatweel_and_alef_forms_are_folded():
    assert words("ar", "العِلاجُ") == words("ar", "العلاج")
    assert words("ar", "الخـــلايا") == words("ar", "الخلايا")
    assert words("ar", "أطباء") == words("ar", "اطباء")


def test_french_matches_queries_typed_without_accents():
    assert words("fr", "thérapie") == words("fr", "therapie")
    assert words("fr", "cellule souche") == words("fr", "cellules souches")


def test_stemming_matches_inflected_forms():
    assert words("en", "treatments") == words("en", "treatment")
    assert words("ru", "клетки") == words("ru", "клетка")
    assert words("hi", "कोशिकाओं") == words("hi", "कोशिकाएं")


def test_bengali_inflected_form_keeps_a_stripped_variant_beside_the_word():
    assert words("bn", "চিকিৎসার") == ["চিকিৎসার", "চিকিৎসা"]
    assert "ডাক্তার" in words("bn", "ডাক্তারের")
    assert "ডাক্তার" in words("bn", "ডাক্তার")


def test_very_long_words_are_not_indexed():
    assert words("en", "a" * 200) == []


def test_the_schema_with_its_analysers_pickles():
    original = schema(["en", "hi", "ar", "bn", "ru", "fr"])
    restored = pickle.loads(pickle.dumps(original))
    assert restored == original
    assert [t.text for t in restored["text_bn"].analyzer("চিকিৎসার")] == ["চিকিৎসার", "চিকিৎসা"]
