"""Question understanding and the evidence rules, on hand-written sentences."""

from __future__ import annotations

from sarcolit.core.models import Document, Tags
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary
from sarcolit.retrieval.claims import holds_word
from sarcolit.retrieval.evidence import judge
from sarcolit.retrieval.facts import entities_in, has_percent
from sarcolit.retrieval.question import parse_question
from sarcolit.retrieval.setting import Setting, Verdict
from sarcolit.retrieval.sparse import head_of
from sarcolit.retrieval.tokens import tokenize


def verdict(question: str, sentence: str, before: str = "") -> Verdict:
    """Judge ``sentence`` (after ``before`` in its paragraph) against ``question``."""
    vocab: Vocabulary = default_vocabulary()
    previous = entities_in(before, vocab)
    setting = Setting(
        text=sentence,
        own=entities_in(sentence, vocab),
        local=previous.model_copy(update={"subtypes": ()}),
        local_text=before,
        subject=Tags(),
        tokens=frozenset(tokenize(sentence, vocab)),
        before=previous,
        before_text=before,
    )
    return judge(parse_question(question, vocab), setting, vocab)


def test_a_molecules_status_is_no_study_name() -> None:
    q = parse_question(
        "In SARC028, how many PD-L1-positive sarcomas responded?", default_vocabulary()
    )
    assert q.names == ()
    assert q.soft_names == ("PD-L1-positive",)
    assert "posit" in q.content


def test_a_stem_holds_its_derivations() -> None:
    tokens = frozenset(tokenize("CD20+ B cells were an independent predictor of PFS"))
    assert holds_word("predict", tokens)
    assert not holds_word("cost", tokens)


def test_a_bare_number_needs_the_words_it_counts() -> None:
    question = "How much does a course of nivolumab cost in Norway?"
    wrong = verdict(question, "Nivolumab alone gave an ORR of 5% in 43 patients.")
    right = verdict(question, "A course of nivolumab cost 40,000 euros in Norway.")
    assert not wrong.ok
    assert right.ok, right


def test_a_new_study_does_not_take_the_trial_named_before() -> None:
    question = "What was the objective response rate in SARC028?"
    before = "In the phase II SARC028 trial, the ORR was 18%."
    other = "A subsequent basket trial reported an ORR of 6.2% with pembrolizumab."
    same = "The ORR was 40% in UPS."
    assert not verdict(question, other, before).ok
    assert verdict(question, same, before).ok


def test_both_cohorts_are_the_subtypes_named_just_before() -> None:
    question = (
        "What two-year overall survival rate followed neoadjuvant checkpoint "
        "blockade in retroperitoneal DDLPS and UPS?"
    )
    before = (
        "Neoadjuvant nivolumab was given in retroperitoneal DDLPS and UPS; 89% of "
        "specimens showed pathologic response."
    )
    assert verdict(
        question, "The two-year OS rate exceeded 80% in both cohorts.", before
    ).ok
    assert not verdict(question, "The two-year OS rate exceeded 80%.", before).ok


def test_a_bound_is_a_stated_share() -> None:
    assert has_percent("The two-year OS rate exceeded 80% in both cohorts.")
    assert not has_percent("Responses were seen at 12 weeks.")


def test_a_result_after_its_studys_introduction_is_about_its_population() -> None:
    question = (
        "What median OS did Smith et al. report with checkpoint inhibitors in UPS?"
    )
    intro = "Smith et al. assessed checkpoint inhibitors in metastatic UPS."
    aside = "Only two patients had UPS."
    result = "The median OS was 12.9 months."
    assert verdict(question, result, intro).ok
    assert not verdict(question, result, aside).ok


def test_why_is_answered_by_a_reason() -> None:
    question = "Why was sunitinib given at a lower dose in the XYZ-1 trial?"
    before = "The XYZ-1 trial tested sunitinib with nivolumab."
    assert parse_question(question, default_vocabulary()).value is None
    because = "Because of toxicity, sunitinib was given at a lower dose."
    levels = "Sunitinib was given at 37.5 mg, then 25 mg daily."
    assert verdict(question, because, before).ok
    assert "a reason" in verdict(question, levels, before).missing


def test_which_patients_is_answered_by_who_they_were() -> None:
    question = "Which patients did the XYZ-1 trial enrol?"
    before = "The XYZ-1 trial tested sunitinib with nivolumab."
    who = "It treated patients with metastatic sarcoma that had not responded."
    result = "Among the 30 enrolled patients, the ORR was 36.7%."
    assert verdict(question, who, before).ok
    assert not verdict(question, result, before).ok


def test_a_high_dose_drug_asks_no_dose() -> None:
    q = parse_question("What limits high-dose IL-2 in melanoma?", default_vocabulary())
    assert q.value is None
    assert q.asks == "reason"


def test_a_childrens_question_is_not_answered_for_adults() -> None:
    question = "What atezolizumab dose is recommended for pediatric patients?"
    adults = "The recommended atezolizumab dose for adults is 840 mg every 2 weeks."
    children = "Pediatric patients received atezolizumab 15 mg/kg every 3 weeks."
    assert any("adult" in v for v in verdict(question, adults).violations)
    assert verdict(question, children).ok


def test_which_trial_is_named_by_the_numbers_the_question_quotes() -> None:
    question = "Which trial reported 19 responders among 52 patients?"
    caption = "Prospective trials of PD-1 blockade: activity by trial and cohort."
    row = "In ML39345, 19 of 52 patients responded."
    assert not verdict(question, caption).ok
    assert verdict(question, row).ok


def test_a_plain_text_files_first_line_is_its_title() -> None:
    text = (
        "Drug X in advanced sarcomas including alveolar soft-part sarcoma\n\n"
        "Median overall survival was 18.7 months."
    )
    doc = Document(id="d1", source="x/drug-x-2019.txt", title="drug-x-2019", text=text)
    # The trial enrolled several histologies: its overall figures are not ASPS's.
    assert head_of(doc, default_vocabulary()).mixed
