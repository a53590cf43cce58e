"""The language of a command-line program from the POSIX locale variables (`language.environment`)."""

from __future__ import annotations

import pytest

from language import DEFAULT, Language
from language.environment import language_from_environment, language_of_locale


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nb_NO.UTF-8", "nb"),
        ("nn_NO.UTF-8", "nn"),
        ("no_NO", "nb"),
        ("no_NO.ISO-8859-1", "nb"),
        ("sv_SE.UTF-8", "sv"),
        ("sv_FI.UTF-8", "sv"),
        ("en_GB.UTF-8", "en"),
        ("en_US.UTF-8", "en"),
        ("nn_NO.UTF-8@euro", "nn"),
        ("NB_no.utf8", "nb"),
        ("sv", "sv"),
        ("C", "nb"),
        ("C.UTF-8", "nb"),
        ("POSIX", "nb"),
        ("de_DE.UTF-8", "nb"),
        ("", "nb"),
    ],
)
def test_lang_alone_names_the_language(lang: str, expected: Language) -> None:
    assert language_from_environment({"LANG": lang}) == expected


def test_nothing_set_is_the_default_bokmal() -> None:
    assert language_from_environment({}) == DEFAULT == "nb"


def test_lc_all_comes_before_lc_messages_which_comes_before_lang() -> None:
    everything = {"LC_ALL": "sv_SE.UTF-8", "LC_MESSAGES": "nn_NO.UTF-8", "LANG": "en_GB.UTF-8"}

    assert language_from_environment(everything) == "sv"
    assert language_from_environment({**everything, "LC_ALL": ""}) == "nn"
    assert language_from_environment({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "nn_NO.UTF-8"}) == "nn"
    assert language_from_environment({"LANG": "en_GB.UTF-8", "LC_MESSAGES": ""}) == "en"


def test_lc_all_set_to_c_overrides_a_language_in_lang() -> None:
    assert language_from_environment({"LC_ALL": "C", "LANG": "sv_SE.UTF-8"}) == "nb"


def test_other_locale_categories_do_not_choose_the_language() -> None:
    assert (
        language_from_environment({"LC_TIME": "sv_SE.UTF-8", "LC_CTYPE": "en_US.UTF-8", "LANG": "nn_NO.UTF-8"}) == "nn"
    )


def test_the_first_known_language_of_language_wins() -> None:
    assert language_from_environment({"LANG": "nb_NO.UTF-8", "LANGUAGE": "de:sv:en"}) == "sv"
    assert language_from_environment({"LANG": "en_GB.UTF-8", "LANGUAGE": "nn_NO:nb_NO"}) == "nn"
    assert language_from_environment({"LANG": "nn_NO.UTF-8", "LANGUAGE": "de:fr"}) == "nn"
    assert language_from_environment({"LANG": "sv_SE.UTF-8", "LANGUAGE": ""}) == "sv"


def test_language_is_ignored_when_the_locale_is_c_as_gnu_gettext_does() -> None:
    assert language_from_environment({"LANGUAGE": "sv", "LANG": "C"}) == "nb"
    assert language_from_environment({"LANGUAGE": "sv"}) == "nb"


@pytest.mark.parametrize("locale", ["de_DE.UTF-8", "C", "", "x"])
def test_a_locale_of_another_language_is_none_of_ours(locale: str) -> None:
    assert language_of_locale(locale) is None
