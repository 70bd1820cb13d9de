from sarcolit.retrieval import plan, resolve, split_parts

ATEZOLIZUMAB = "What was the objective response rate of atezolizumab in ASPS?"


def test_a_follow_up_takes_the_earlier_questions_subject() -> None:
    read = resolve("And what about its toxicity?", [ATEZOLIZUMAB])
    assert "atezolizumab" in read
    assert "alveolar soft part sarcoma" in read
    assert read.startswith("What about the toxicity")


def test_that_trial_and_the_combination_are_replaced() -> None:
    assert "SARC028" in resolve(
        "How many patients did that trial treat?", ["What did SARC028 find?"]
    )
    read = resolve(
        "How toxic was the combination?",
        ["What did axitinib plus pembrolizumab achieve?"],
    )
    assert "axitinib plus pembrolizumab" in read
    assert "combination" not in read


def test_the_latest_question_that_names_a_subject_is_used() -> None:
    history = ["What did SPEARHEAD-1 report?", "And its response rate?"]
    assert "SPEARHEAD-1" in resolve("How long did responses last?", history)


def test_a_question_with_its_own_subject_is_left_alone() -> None:
    own = "What was the ORR of pembrolizumab in SARC028?"
    assert resolve(own, [ATEZOLIZUMAB]) == own
    assert resolve("And its toxicity?", []) == "And its toxicity?"


def test_two_questions_in_one_are_split() -> None:
    assert split_parts(
        "What was the response rate of atezolizumab in ASPS, and which toxicities "
        "were most common?"
    ) == [
        "What was the response rate of atezolizumab in ASPS?",
        "which toxicities were most common?",
    ]


def test_one_question_in_two_clauses_stays_whole() -> None:
    for question in (
        "Which trials combined a PD-1 inhibitor with a TKI, and what response rates "
        "did they report?",
        "In the cohort of 163 STS samples, what share were PD-L1 positive?",
        "What overall ORR, counting the delayed response, did T-VEC plus "
        "pembrolizumab achieve?",
    ):
        assert split_parts(question) == [question]


def test_parts_are_read_in_the_light_of_earlier_parts() -> None:
    parts = plan(
        "What response rate did SPEARHEAD-1 report, and how common was cytokine "
        "release syndrome?"
    )
    assert [p.asked for p in parts] == [
        "What response rate did SPEARHEAD-1 report?",
        "how common was cytokine release syndrome?",
    ]
    assert "SPEARHEAD-1" in parts[1].question
    assert all(p.query is not None for p in parts)


def test_a_single_fact_question_with_no_history_is_planned_whole() -> None:
    (part,) = plan("What was the objective response rate in SARC028?")
    assert part.query is None
    assert part.question == part.asked


def test_a_pronoun_after_the_questions_own_subject_refers_to_it() -> None:
    own = (
        "Which trials combined a PD-1 inhibitor with a VEGFR TKI, and how did they do?"
    )
    assert resolve(own, [ATEZOLIZUMAB]) == own


def test_a_reference_the_question_cannot_fill_itself_still_takes_the_history() -> None:
    history = ["What did atezolizumab achieve in ASPS?"]
    assert "atezolizumab" in resolve("What was its response rate in UPS?", history)
    assert "alveolar soft part sarcoma" in resolve(
        "How did pembrolizumab do in that subtype?", history
    )


def test_a_follow_up_after_a_class_question_keeps_the_class() -> None:
    history = [
        "What was the ORR of pembrolizumab in UPS in SARC028?",
        "Which trials combined a PD-1 inhibitor with a VEGFR TKI?",
    ]
    read = resolve("And what about their toxicity?", history)
    assert "VEGFR TKI" in read
    assert "anti-PD-1" in read
    assert "SARC028" not in read
    assert "pembrolizumab" not in read


def test_a_standalone_question_after_others_is_not_read_as_a_summary() -> None:
    (part,) = plan(
        "How much does a course of nivolumab cost in Norway?", [ATEZOLIZUMAB]
    )
    assert part.query is None  # the single-fact answerer answers or refuses it
    (follow_up,) = plan("And what about its toxicity?", [ATEZOLIZUMAB])
    assert follow_up.query is not None


def test_that_as_a_conjunction_is_no_reference_to_the_history() -> None:
    own = "Is there evidence that immunotherapy works in synovial sarcoma?"
    assert resolve(own, ["How much does a course of nivolumab cost in Norway?"]) == own
