"""Which sentences of a trial's documents answer a synthesis question's topics.

A sentence answers a topic when it names it (directly, or through the header of
the table it is a row of) and states a result: a number, or a negative finding
("none of the 12 patients had an objective response"). Sentences that describe
the design rather than the outcome ("the primary endpoint was ...", "a response
rate of 25% was considered meaningful") are never chosen.
"""

from __future__ import annotations

import re

from sarcolit.core.text import strip_citation_markers, words_to_digits
from sarcolit.retrieval.synthesis_query import SynthesisQuery, Topic
from sarcolit.retrieval.synthesis_sources import Profile, Sentence

_SENTENCE_WORDS: dict[Topic, str] = {
    "enrolment": r"\benrol\w*|\btreated\b|\bevaluable\b|\beligible\b|\baccru\w*"
    r"|\bassessed\b",
    "response": r"\brespon\w*|\borr\b|objective|remission|\bshr[ai]nk\w*|partial"
    r"|complete",
    "pfs": r"progression[- ]free|\bpfs\b|non-?progression|free of progression",
    "os": r"overall survival|\bos\b|survival|\balive\b",
    "dcr": r"disease control|\bdcr\b|clinical benefit|stable disease",
    "dor": r"duration of response|\bdor\b|response duration|\blasted\b|durable",
    "dfs": r"disease[- ]free|relapse[- ]free|recurrence|\bdfs\b|\brfs\b",
    "pathologic": r"patholog\w*|hyalini\w*|necrosis",
    "toxicity": r"adverse|toxicit\w*|grade [1-5]|\btraes?\b|cytokine release"
    r"|side effect|tolerat\w*|\w+penia\b|musculoskeletal|fatigue"
    r"|\brash\b|nausea|hypertension|pneumonitis",
    "approval": r"approv\w*|designation|accelerated|breakthrough",
    "biomarker": r"biomarker|associated|predict\w*|correlat\w*|went with|linked"
    r"|pd-?l1|cd8|cd20|b[- ]cells?|b lineage|\btls\b|tertiary lymphoid|\btmb\b"
    r"|signature|infiltrat\w*|expression",
    "target": r"\btarget(?:s|ing|ed)?\b(?! dose)|directed (?:against|at)"
    r"|recogni[sz]\w*|\bantigen",
}
SENTENCE_TOPICS: dict[Topic, re.Pattern[str]] = {
    topic: re.compile(pattern, re.IGNORECASE)
    for topic, pattern in _SENTENCE_WORDS.items()
}
# A stated number, not a digit of a name (SPEARHEAD-1, NCT03967223, PD-L1).
_NUMBER = re.compile(r"(?<![\w.*-])\d+(?:[.,]\d+)?(?![\w-])|\d%")
_NEGATIVE = re.compile(
    r"\b(?:none|neither|no (?:objective|confirmed|complete|patient|clinical|response)"
    r"|not (?:reached|reach))\b",
    re.IGNORECASE,
)
# Design statements, never results. Strong cues exclude a sentence outright;
# weak ones only when it states no outcome.
_STRONG_DESIGN = re.compile(
    r"\b(?:was|were) (?:considered|deemed)\b|would be (?:called|declared|considered)"
    r"|was to be declared|\bif (?:at least|the rate|\d)|design required|\bwill be\b"
    r"|^\s*(?:abbreviations?|methods?|background|purpose|objectives?|design|interventions?|rationale"
    r"|main outcomes?|patients and methods|eligib\w*|importance|introduction)\b",
    re.IGNORECASE,
)
_DESIGN_SECTION = re.compile(
    r"(?:^|> )(?:methods?|background|introduction|rationale|design|eligibility"
    r"|patients and methods|study design|interventions?|who can take part)\s*$",
    re.IGNORECASE,
)
_WEAK_DESIGN = re.compile(
    r"primary (?:end ?point|endpoint|outcome)|secondary (?:end ?points?|endpoints?)"
    r"|\bnull\b|threshold|\bmg\b|mg/(?:kg|m2)|every \d+ (?:weeks|days)|\beligible\b"
    r"|(?:efficacy|outcome) measures?"
    r"|\benrolled\b(?!.*\b(?:respon|surviv))",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"\b(?:responds?|responsive|resist\w*) (?:\w+ )?to (?:cytotoxic|chemo|standard)"
    r"|\baccounts for\b|\bis diagnosed in\b|\bdefines?\b|\bdefined as\b",
    re.IGNORECASE,
)
_OUTCOME = re.compile(
    r"\b(?:responded|achieved|reached|occurred|showed|gave|produced|yielded|lasted|met"
    r"|improved|rose|observed|did not|no patient)\b|\b(?:was|were) \d|\d%"
    r"|\bhad (?:an? )?(?:objective|overall|partial|complete|confirmed|stable|grade"
    r"|treatment|serious)",
    re.IGNORECASE,
)
_CONCLUSION = re.compile(
    r"^\s*(?:conclusions?|interpretation|meaning|take-home|bottom line)\b",
    re.IGNORECASE,
)
_SUMMARY_TOPICS = frozenset({"approval", "target", "biomarker"})
_FINDING = re.compile(
    r"associat\w*|predict\w*|correlat\w*|linked|went with|regardless|whatever the"
    r"|determinant|identified|\bhigher\b|\blower\b|more likely|longer|only \d+ of"
    r"|positiv\w*",
    re.IGNORECASE,
)
_HEADLINE = re.compile(
    r"\b(?:overall|objective) response rate\b|\bORR\b", re.IGNORECASE
)
"""The headline response figure, read before complete or partial response rates."""
_TRIAL_WIDE = frozenset({"toxicity"})
"""Topics a trial reports for all its patients, whatever their subtype."""
_ACT = re.compile(r"\b(?:granted|approved|approval)\b", re.IGNORECASE)
_REGULATOR = re.compile(
    r"\bFDA\b|Food and Drug|\bEMA\b|\bagency\b|regulator", re.IGNORECASE
)


# How long responses lasted is the duration of response, not the response rate.
_DURATION = re.compile(
    r"duration of (?:the )?responses?|response duration|responses? (?:lasted|persisted"
    r"|continued|(?:were )?(?:still )?ongoing)|time to response|responses took",
    re.IGNORECASE,
)


def sentence_topics(sentence: Sentence) -> frozenset[Topic]:
    """Return the topics a sentence (with its table header) speaks of."""
    text = f"{sentence.header} {sentence.text}"
    found = {t for t, pattern in SENTENCE_TOPICS.items() if pattern.search(text)}
    if "response" in found and not SENTENCE_TOPICS["response"].search(
        _DURATION.sub(" ", text)
    ):
        found.discard("response")
    return frozenset(found)


def is_design(text: str) -> bool:
    """Return True when a sentence describes the design or the background.

    "The disease ... hardly responds to chemotherapy" is background, not a
    trial's result.
    """
    if _STRONG_DESIGN.search(text) or _BACKGROUND.search(text):
        return True
    return bool(_WEAK_DESIGN.search(text)) and not _OUTCOME.search(text)


def numbers_of(text: str) -> frozenset[str]:
    """Return the numbers a sentence states (not 'CD20', 'PD-1' or a '[3]' marker)."""
    digits = words_to_digits(strip_citation_markers(text), keep_one=True)
    return frozenset(m.group().rstrip("%") for m in _NUMBER.finditer(digits))


def states_result(text: str) -> bool:
    """Return True when a sentence states a number or a negative finding.

    Reference markers ("[1, 2]", "(34)") are not numbers the sentence states.
    """
    digits = words_to_digits(strip_citation_markers(text), keep_one=True)
    return bool(_NUMBER.search(digits)) or bool(_NEGATIVE.search(text))


def names_subtype(sentence: Sentence, query: SynthesisQuery) -> bool:
    """Return True when the sentence names one of the query's subtypes.

    Besides the vocabulary's names, the distinctive words of a subtype's name
    all appearing count: "synovial cell sarcoma" names synovial sarcoma.
    """
    if sentence.subtypes & query.subtypes:
        return True
    words = set(re.findall(r"[a-z]+", sentence.text.lower()))
    return any(w and w <= words for w in query.subtype_words)


def answered_topics(
    sentence: Sentence,
    query: SynthesisQuery,
    profile: Profile,
    group_subtypes: frozenset[str] = frozenset(),
) -> tuple[float, frozenset[Topic]] | None:
    """Return a sentence's score and the asked topics it answers, or None."""
    value = score(sentence, query, profile, group_subtypes)
    if value is None:
        return None
    topics = set(sentence_topics(sentence) & set(query.topics))
    _specific(sentence, topics, query, profile)
    return value, frozenset(topics)


def score(
    sentence: Sentence,
    query: SynthesisQuery,
    profile: Profile,
    group_subtypes: frozenset[str] = frozenset(),
) -> float | None:
    """Return how well a sentence answers the query's topics, or None if it does not.

    The first topic the question asks about weighs most ("response rates" before
    the survival figures that "results" also covers).

    Args:
        sentence: A sentence attributed to a trial the query asks about.
        query: The question, read.
        profile: The sentence's document.
        group_subtypes: The subtypes the sentence's trial enrolled.
    """
    topics = set(sentence_topics(sentence) & set(query.topics))
    if not topics or sentence.is_header or _is_title(sentence, profile):
        return None  # a table's header row, or the document's title
    if topics != {"enrolment"} and is_design(sentence.text):
        return None
    if _DESIGN_SECTION.search(sentence.chunk.section):
        return None
    if not _specific(sentence, topics, query, profile):
        return None
    needs_result = bool(topics - _SUMMARY_TOPICS)
    if needs_result and not states_result(sentence.text):
        return None
    if query.excluded and sentence.subtypes and sentence.subtypes <= query.excluded:
        return None
    trial_wide = topics <= _TRIAL_WIDE and sentence.own
    if (
        query.subtypes
        and not (trial_wide and _enrolled(query, profile, group_subtypes))
        and not _subtype_ok(sentence, query, profile, group_subtypes)
    ):
        return None
    value = sum(_weight(t, query) for t in topics) + (
        0.5 if "%" in sentence.text else 0.0
    )
    value -= 1.0 if _CONCLUSION.search(sentence.text) else 0.0
    value += 0.25 if "response" in topics and _HEADLINE.search(sentence.text) else 0.0
    lowered = sentence.text.lower()
    value += 0.75 * sum(1 for t in query.terms if t in lowered)
    return value - len(sentence.text) / 2000


def _is_title(sentence: Sentence, profile: Profile) -> bool:
    """Return True for the document's title read as its first sentence."""
    if sentence.position > 1:
        return False
    text = " ".join(sentence.text.lower().split()).rstrip(".")
    title = " ".join(profile.title.lower().split()).rstrip(".")
    return bool(text) and (text == title or title.startswith(text))


def _weight(topic: Topic, query: SynthesisQuery) -> float:
    """Weigh what the question asks for by name far above what 'results' implies."""
    if topic in query.explicit:
        return 1.5
    if query.explicit:
        return 0.1
    return 1.0 if topic == query.topics[0] else 0.5


def _specific(
    sentence: Sentence, topics: set[Topic], query: SynthesisQuery, profile: Profile
) -> bool:
    """Drop the summary topics a sentence only brushes against.

    An approval is a regulator's act (not "approved for melanoma" in passing);
    a biomarker sentence states a finding about the markers the question names.
    """
    text = sentence.text
    regulator = profile.kind == "regulatory" or _REGULATOR.search(text)
    if "approval" in topics and not (regulator and _ACT.search(text)):
        topics.discard("approval")
    if "biomarker" in topics:
        named = not query.markers or any(
            re.search(m, text, re.IGNORECASE) for m in query.markers
        )
        if not named or not _FINDING.search(text):
            topics.discard("biomarker")
    return bool(topics)


def _enrolled(
    query: SynthesisQuery, profile: Profile, group_subtypes: frozenset[str]
) -> bool:
    """Return True when the trial enrolled an asked subtype, or is the one named."""
    enrolled = profile.subtypes | group_subtypes
    return bool(enrolled & query.subtypes) or bool(query.trials & profile.trials)


def _subtype_ok(
    sentence: Sentence,
    query: SynthesisQuery,
    profile: Profile,
    group_subtypes: frozenset[str],
) -> bool:
    subtypes = query.subtypes - query.parents  # a liposarcoma trial is not MRCLS
    if names_subtype(sentence, query):
        return True
    if not sentence.own or sentence.subtypes:
        return False  # a cited result, or a cohort of another subtype
    enrolled = profile.subtypes or group_subtypes
    # A trial of those subtypes only (or of one of them and one other) reports
    # on them throughout.
    if enrolled and enrolled <= subtypes:
        return True
    return bool(enrolled & subtypes) and len(enrolled) <= 2
