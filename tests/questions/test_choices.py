"""Country and language lists in the reader's language and alphabet."""

from app.questions import choices


def test_countries_are_named_and_sorted_for_the_reader():
    french = [name for _, name in choices.countries("fr")]
    assert french.index("Égypte") < french.index("Espagne") < french.index("États-Unis")
    assert french.index("États-Unis") < french.index("Zimbabwe")
    codes = {code for code, _ in choices.countries("fr")}
    assert {"IN", "BD", "RU"} <= codes
    assert not codes & choices.NOT_COUNTRIES
    assert dict(choices.countries("hi"))["IN"] == "भारत"


def test_answer_languages_put_the_site_languages_first():
    found = choices.answer_languages(("en", "hi"), "en")
    assert [code for code, _ in found[:2]] == ["en", "hi"]
    assert dict(found)["hi"] == "हिन्दी (Hindi)"
    assert dict(found)["en"] == "English"
    assert {"ar", "bn", "ru", "fr", "ur"} <= set(dict(found))
