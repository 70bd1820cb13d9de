import pytest

from sarcolit.core.text import (
    CITATION_MARKER,
    NCT,
    STOPWORDS,
    marker_numbers,
    nct_id,
    strip_citation_markers,
    word_number_value,
    words_to_digits,
)


def test_number_words_become_digits() -> None:
    assert words_to_digits("eighteen percent of Twenty-one") == "18 percent of 21"
    assert words_to_digits("forty two, zero, nineteen") == "42, 0, 19"


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("one", 1),
        ("Twenty-one", 21),
        ("twenty one", 21),
        ("Seventy-six", 76),
        ("ninety-nine", 99),
        ("ninety", 90),
        ("One hundred", 100),
        ("one-hundred", 100),
        ("zero", 0),
        ("ten-one", None),
        ("patients", None),
    ],
)
def test_number_word_values(word: str, value: int | None) -> None:
    assert word_number_value(word) == value


def test_one_can_stay_a_pronoun() -> None:
    assert words_to_digits("one of the trials", keep_one=True) == "one of the trials"
    assert words_to_digits("twenty-one of them", keep_one=True) == "21 of them"


def test_number_words_are_whole_words() -> None:
    assert words_to_digits("often someone tenfold") == "often someone tenfold"


def test_nct_ids() -> None:
    found = [nct_id(m) for m in NCT.finditer("NCT03277924, nct 02834013, NCT123")]
    assert found == ["NCT03277924", "NCT02834013"]


@pytest.mark.parametrize(
    ("marker", "numbers"),
    [("[4]", (4,)), ("(12, 13)", (12, 13)), ("[1-3]", (1, 2, 3)), ("[2; 5]", (2, 5))],
)
def test_citation_markers(marker: str, numbers: tuple[int, ...]) -> None:
    match = CITATION_MARKER.fullmatch(marker)
    assert match is not None
    assert marker_numbers(match.group(1) or match.group(2)) == numbers


def test_citation_markers_leave_quantities_alone() -> None:
    text = "an ORR of 18% (15/84) [1] in 2019 (21%) (55, 56)."
    assert strip_citation_markers(text) == "an ORR of 18% (15/84) in 2019 (21%)."


def test_stopwords_hold_function_words_only_in_lowercase() -> None:
    assert {"the", "of", "patients"} <= STOPWORDS
    assert not {"orr", "pfs", "response"} & STOPWORDS
