from collections.abc import Sequence
from pathlib import Path

import pytest

from sarcolit.core.models import (
    Answer,
    AnswerSentence,
    AnswerTable,
    Citation,
    Document,
    TableCell,
    TableRow,
)
from sarcolit.evals.gold import locate
from sarcolit.evals.synthesis_gold import LocatedFact, SynthesisFact
from sarcolit.evals.synthesis_run import aggregate, score_question
from sarcolit.evals.synthesis_scores import (
    contains_string,
    covers_quote,
    score_synthesis,
)

GOLD = Path("gold.jsonl")


def fact(review: Document, quote: str, *options: tuple[str, ...]) -> LocatedFact:
    spec = SynthesisFact(
        fact=" / ".join(" ".join(o) for o in options),
        alternatives=options,
        evidence=(quote,),
    )
    span = locate({"mini": review}, quote, path=GOLD, line=1)
    return LocatedFact(fact=spec, spans=(span,))


def cite(review: Document, text: str, n: int) -> Citation:
    start = review.text.index(text)
    return Citation(
        id=n,
        doc_id=review.id,
        title=review.title,
        start=start,
        end=start + len(text),
        quote=text,
    )


def answer(
    sentences: Sequence[tuple[str, tuple[int, ...]]], *cited: Citation
) -> Answer:
    return Answer(
        question="q",
        answer="\n".join(f"{t} [{', '.join(map(str, ids))}]" for t, ids in sentences),
        refused=False,
        sentences=tuple(AnswerSentence(text=t, citations=ids) for t, ids in sentences),
        citations=cited,
    )


ORR = "84 STS patients treated with pembrolizumab had an ORR of 18%"
UPS = "The best activity was observed in UPS of 40%"


def test_a_fact_counts_when_one_line_states_and_cites_it(review: Document) -> None:
    gold = fact(review, "had an ORR of 18%", ("SARC028", "18.0 %"))
    sentence = f"SARC028 (pembrolizumab): {ORR}."
    (score,) = score_synthesis(answer([(sentence, (1,))], cite(review, ORR, 1)), [gold])
    assert (score.stated, score.cited, score.line) == (True, True, sentence)


def test_strings_on_different_lines_do_not_count(review: Document) -> None:
    gold = fact(review, "had an ORR of 18%", ("SARC028", "18%"))
    lines = [("SARC028 (pembrolizumab):", (1,)), (f"{ORR}.", (1,))]
    (score,) = score_synthesis(answer(lines, cite(review, ORR, 1)), [gold])
    assert not score.stated


def test_a_stated_fact_citing_other_text_is_not_cited(review: Document) -> None:
    gold = fact(review, "had an ORR of 18%", ("pembrolizumab", "18%"))
    line = "Pembrolizumab: ORR 18%."
    (score,) = score_synthesis(answer([(line, (1,))], cite(review, UPS, 1)), [gold])
    assert (score.stated, score.cited) == (True, False)


def test_any_alternative_satisfies_the_fact(review: Document) -> None:
    gold = fact(review, "observed in UPS of 40%", ("SARC028", "40%"), ("UPS", "40%"))
    (score,) = score_synthesis(answer([(UPS, (1,))], cite(review, UPS, 1)), [gold])
    assert (score.stated, score.cited) == (True, True)


def test_a_table_row_is_a_line(review: Document) -> None:
    gold = fact(review, "observed in UPS of 40%", ("UPS", "40%"))
    table = AnswerTable(
        columns=("ORR",),
        rows=(
            TableRow(
                label="SARC028, UPS", cells=(TableCell(text="40%", citations=(1,)),)
            ),
        ),
    )
    reply = answer([("Pembrolizumab was tested.", ())], cite(review, UPS, 1))
    reply = reply.model_copy(update={"table": table})
    (score,) = score_synthesis(reply, [gold])
    assert (score.stated, score.cited) == (True, True)


def test_a_side_by_side_table_reads_by_column(review: Document) -> None:
    gold = fact(review, "observed in UPS of 40%", ("UPS", "40%"))
    table = AnswerTable(
        label="Endpoint",
        side_by_side=True,
        columns=("SARC028, UPS", "Other trial"),
        rows=(
            TableRow(
                label="ORR",
                cells=(TableCell(text="40%", citations=(1,)), TableCell(text="-")),
            ),
        ),
    )
    reply = answer([("Pembrolizumab was tested.", ())], cite(review, UPS, 1))
    (score,) = score_synthesis(reply.model_copy(update={"table": table}), [gold])
    assert (score.stated, score.cited) == (True, True)
    assert score.line == "SARC028, UPS | ORR 40%"
    swapped = table.model_copy(update={"columns": ("Other trial", "SARC028, UPS")})
    (score,) = score_synthesis(reply.model_copy(update={"table": swapped}), [gold])
    assert not score.stated  # the 40% is the other trial's


def test_a_refusal_states_nothing(review: Document) -> None:
    gold = fact(review, "had an ORR of 18%", ("18%",))
    refusal = Answer(question="q", answer="18% is not known.", refused=True)
    (score,) = score_synthesis(refusal, [gold])
    assert not score.stated


@pytest.mark.parametrize(
    ("cited", "expected"),
    [
        ("had an ORR of 18%", True),
        ("ORR of 18%. The best", True),
        ("18%. The best activity was observed", False),
    ],
)
def test_citation_must_cover_half_the_shorter_span(
    review: Document, cited: str, expected: bool
) -> None:
    quote = locate({"mini": review}, "had an ORR of 18%", path=GOLD, line=1)
    assert covers_quote(cite(review, cited, 1), quote) is expected


def test_metrics_average_questions_and_count_refusals(review: Document) -> None:
    from sarcolit.evals.synthesis_gold import SynthesisGoldRow, SynthesisQuestion

    facts = (
        fact(review, "had an ORR of 18%", ("pembrolizumab", "18%")),
        fact(review, "observed in UPS of 40%", ("UPS", "40%")),
    )
    row = SynthesisGoldRow(
        id="s1", question="q", kind="list", facts=tuple(f.fact for f in facts)
    )
    gold = SynthesisQuestion(row=row, line=1, facts=facts)
    half = score_question(gold, answer([(ORR, (1,))], cite(review, ORR, 1)))
    none = score_question(gold, Answer(question="q", answer="no", refused=True))
    metrics = aggregate([half, none])
    assert metrics["fact_recall"] == pytest.approx(0.25)
    assert metrics["questions_complete"] == 0.0
    assert metrics["false_refusal_rate"] == 0.5
    assert metrics["facts_cited"] == 1.0
    assert metrics["facts_stated"] == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("text", "string", "expected"),
    [
        ("Afami-cel's response rate", "afami-cel", True),
        ("in liposarcomas", "liposarc", True),
        ("an ORR of 25.0 %", "25%", True),
        ("an ORR of 25%", "5%", False),
        ("NY-ESO-1c259T cells", "NY-ESO-1c259", True),
    ],
)
def test_names_match_as_substrings_and_numbers_whole(
    text: str, string: str, expected: bool
) -> None:
    assert contains_string(text, string) is expected
