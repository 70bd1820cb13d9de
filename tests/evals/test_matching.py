import pytest

from sarcolit.evals.matching import (
    canonical,
    contains_fact,
    key_terms,
    lexically_supported,
    numbers_in,
)


@pytest.mark.parametrize(
    "answer",
    [
        "SARC028 reported an ORR of 18%.",
        "SARC028 reported an ORR of 18 %.",
        "SARC028 reported an ORR of eighteen percent.",
        "SARC028 reported an ORR of 18 per cent.",
        "SARC028 reported an ORR of 18.0% [1].",
    ],
)
def test_percent_spellings_match(answer: str) -> None:
    assert contains_fact(answer, "18%")


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("an ORR of 118%", "18%"),
        ("an ORR of 1.8%", "8%"),
        ("an ORR of 25%", "5%"),
        ("84 patients", "8"),
        ("8.4 months", "84"),
        ("an ORR of 18", "18%"),
        ("disease progression", "PR"),
    ],
)
def test_boundaries_prevent_false_matches(text: str, fact: str) -> None:
    assert not contains_fact(text, fact)


def test_bare_number_matches_percentage_and_words_compose() -> None:
    assert contains_fact("an ORR of 18%", "18")
    assert contains_fact("twenty-five patients", "25 patients")
    assert contains_fact("1,407 sarcomas", "1407")
    assert contains_fact("a DCR of 80.0%", "80%")
    assert contains_fact("median OS of 14\u201319 months", "14-19 months")


def test_text_facts_are_case_insensitive_and_allow_greek_suffix() -> None:
    assert contains_fact("IFN\u03b1 was among the first agents", "ifn")
    assert contains_fact(
        "High TAM levels predict local recurrence.", "Local Recurrence"
    )


def test_canonical_drops_citation_markers() -> None:
    assert canonical("ORR was 18% [1]. PFS was 4 months [2, 3].") == (
        "orr was 18%. pfs was 4 months."
    )


def test_numbers_ignore_words_and_fold_spellings() -> None:
    assert numbers_in("eighteen percent of 84 patients, HR 0.60, 1,407 cases") == {
        "18",
        "84",
        "0.6",
        "1407",
    }
    assert numbers_in("SARC028 enrolled patients") == frozenset()


def test_key_terms_skip_stopwords_and_stem() -> None:
    terms = key_terms("The patients responded to pembrolizumab in the trial")
    assert "respon" in terms
    assert "pembro" in terms
    assert "the" not in terms
    assert "patien" not in terms


def test_lexical_support_needs_every_number_and_term() -> None:
    passage = (
        "In SARC028, 84 STS patients treated with pembrolizumab had an ORR of 18%."
    )
    assert lexically_supported("Pembrolizumab had an ORR of 18% in SARC028.", passage)
    assert not lexically_supported("Pembrolizumab had an ORR of 25%.", passage)
    assert not lexically_supported("Nivolumab had an ORR of 18%.", passage)
