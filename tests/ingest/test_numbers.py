from sarcolit.ingest.numbers import words_to_digits


def test_number_words_become_digits() -> None:
    assert words_to_digits("eighteen percent of Twenty-one") == "18 percent of 21"
    assert words_to_digits("forty two, zero, nineteen") == "42, 0, 19"


def test_one_can_stay_a_pronoun() -> None:
    assert words_to_digits("one of the trials", keep_one=True) == "one of the trials"
    assert words_to_digits("one of the trials") == "1 of the trials"


def test_words_inside_other_words_are_left_alone() -> None:
    assert words_to_digits("someone, often, tent") == "someone, often, tent"
