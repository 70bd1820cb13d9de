"""What a document is and which trial it reports, read from the text itself.

Real abstracts name the trial, its agents and subtypes in the title, the first
sentence or the registration line, and then write "the objective response rate
was 25%". :func:`with_context` reads those places once at ingest, so that every
later stage (chunk context for search, the answerer's qualifier checks, record
binding in extraction) knows the subject of a single-trial text.

Kinds, decided in this order:

- ``regulatory``: an approval or designation text of a regulator (FDA, EMA ...).
- ``table``: most lines are table rows (a results table flattened to text).
- ``review``: says it is a review, or names several distinct trials up front.
- ``trial``: a single-trial report: its title and opening name one trial, or
  one set of agents, and nothing suggests several.
- ``article``: anything else.

A ``.meta.json`` sidecar's kind, when given, wins over the inferred one.
"""

from __future__ import annotations

import re

from sarcolit.core.models import DocKind, Document, Span, Subject, Tags
from sarcolit.core.text import NCT, nct_id
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.ingest.assemble import CELL_SEPARATOR
from sarcolit.ingest.chunking import sentence_spans
from sarcolit.ingest.tags import tag_text

OPENING_SENTENCES = 3
"""Sentences after the title read as the document's opening."""
_OPENING_CHARS = 1500
_REGULATOR = re.compile(
    r"\b(?:Food and Drug Administration|FDA|European Medicines Agency|EMA|CHMP|"
    r"Medicines and Healthcare products Regulatory Agency|MHRA|NMPA|"
    r"Health Canada|Project Orbis)\b"
)
_REGULATORY_ACT = re.compile(
    r"\b(?:approv(?:ed|al|es)|authori[sz](?:ed|ation)|designation|"
    r"granted|label(?:ing)?|prescribing information)\b",
    re.IGNORECASE,
)
_REVIEW = re.compile(
    r"\b(?:review|overview|meta-analysis|systematic|landscape|state of the art|"
    r"where [\w -]+ stands|evidence (?:to date|so far))\b",
    re.IGNORECASE,
)
_REGISTRATION = re.compile(
    r"\b(?:registered|registration|ClinicalTrials\.gov|EudraCT|ChiCTR|identifier|"
    r"clinical trial (?:information|identification))\b",
    re.IGNORECASE,
)
# Page furniture that names other trials: links to related stories, references.
_ASIDE = re.compile(
    r"(?i)^(?:related|references?|see also|further reading|more on|read more)\b"
)
_MIN_WORDS = 4  # shorter lines of an opening are labels: "Abstract", a journal
_PHASE = re.compile(
    r"\bphase\s*(I{1,3}(?:/I{1,3})?[ab]?|[123](?:/[123])?[ab]?)\b"
    r"(?![/-]?(?:I{1,3}|[123])\b)",
    re.IGNORECASE,
)
_ROMAN = {"1": "I", "2": "II", "3": "III"}
_TABLE_SHARE = 0.4


def _phase(text: str) -> str | None:
    """Return the first phase named in ``text`` ('Ib' -> 'I', '1/2' -> 'I/II')."""
    match = _PHASE.search(text)
    if match is None:
        return None
    raw = match.group(1).upper().rstrip("AB")
    return "/".join(_ROMAN.get(part, part) for part in raw.split("/"))


def _opening(doc: Document) -> list[tuple[int, int]]:
    """Return the spans of the first sentences (title line included), labels skipped."""
    limit = min(len(doc.text), _OPENING_CHARS)
    spans = [
        (s, e)
        for s, e in sentence_spans(doc.text[:limit])
        if len(doc.text[s:e].split()) >= _MIN_WORDS
    ]
    return spans[: OPENING_SENTENCES + 1]


def _registration(doc: Document) -> list[tuple[int, int]]:
    """Return the spans of sentences that register the trial (NCT id lines)."""
    spans = sentence_spans(doc.text)
    return [(s, e) for s, e in spans if _REGISTRATION.search(doc.text, s, e)]


def _merge(tags: list[Tags]) -> Tags:
    def union(field: str) -> tuple[str, ...]:
        return tuple(sorted({v for t in tags for v in getattr(t, field)}))

    return Tags(
        nct_ids=union("nct_ids"),
        trials=union("trials"),
        agents=union("agents"),
        agent_classes=union("agent_classes"),
        subtypes=union("subtypes"),
    )


def _table_share(doc: Document) -> float:
    lines = [line for line in doc.text.split("\n") if line.strip()]
    if not lines:
        return 0.0
    rows = sum(1 for line in lines if line.count(CELL_SEPARATOR.strip()) >= 2)
    return rows / len(lines)


def infer_kind(
    doc: Document,
    opening: Tags,
    *,
    registered: bool,
    vocabulary: Vocabulary | None = None,
) -> DocKind:
    """Return the kind of ``doc`` from its text (see the module docstring).

    Args:
        doc: The document.
        opening: Entities of its title, opening and registration line.
        registered: Whether it has a registration line (a trial's own report).
        vocabulary: Names of trials (default: the bundled vocabulary).
    """
    head = doc.text[:_OPENING_CHARS]
    if _REGULATOR.search(head) and _REGULATORY_ACT.search(head):
        return "regulatory"
    if _table_share(doc) >= _TABLE_SHARE:
        return "table"
    if _REVIEW.search(doc.title) or len(opening.trials) > 1 or len(opening.nct_ids) > 1:
        return "review"
    if not (opening.trials or opening.nct_ids or opening.agents):
        return "article"
    # Without a registration line, a text that names two trials anywhere
    # discusses them rather than reporting one (a name and an NCT id may be
    # the same trial; related-story links and references do not count).
    if not registered and _distinct_trials(_body(doc), vocabulary) > 1:
        return "article"
    return "trial"


def _distinct_trials(text: str, vocabulary: Vocabulary | None) -> int:
    """Count the trials a text names: a name and an NCT id in one sentence are one."""
    names = set(tag_text(text, vocabulary).trials)
    unpaired = set()
    spans = sentence_spans(text) if NCT.search(text) else []
    for match in NCT.finditer(text):
        # the sentence (or title line) holding the id, e.g. 'IGNYTE-ESO
        # substudy 2: lete-cel in ... liposarcoma (NCT03967223)'
        start, end = next(
            ((s, e) for s, e in spans if s <= match.start() < e),
            (max(0, match.start() - 60), match.end() + 30),
        )
        if not tag_text(text[start:end], vocabulary).trials:
            unpaired.add(nct_id(match))
    return len(names) + len(unpaired)


def _body(doc: Document) -> str:
    """Return the text without its asides (related coverage, references)."""
    cuts = [
        (s.start, s.end) for s in doc.sections if _ASIDE.match(s.path.split(" > ")[-1])
    ]
    text = doc.text
    for start, end in sorted(cuts, reverse=True):
        text = text[:start] + text[end:]
    return text


def find_subject(
    doc: Document, vocabulary: Vocabulary | None = None
) -> tuple[Tags, bool, Subject]:
    """Return the entities of the opening, whether it is registered, and its subject.

    The subject is read from the title, the first sentences and the
    registration line: trial names, NCT ids, agents, subtypes and phase.
    """
    opening_spans, registered = _opening(doc), _registration(doc)
    places = [*opening_spans, *registered]
    tagged = [
        tag_text(doc.title, vocabulary),
        *(tag_text(doc.text[s:e], vocabulary) for s, e in places),
    ]
    opening = _merge(tagged)
    # The registration line names the trial's own id; an opening may also cite
    # an earlier trial's ("In a phase 1 trial (NCT03132922), ..."). A trial
    # name or id that is the only one in the whole text is the subject's too.
    whole = tag_text(doc.text, vocabulary)
    own_ids = _merge(
        [tag_text(doc.text[s:e], vocabulary) for s, e in registered]
    ).nct_ids
    if own_ids or len(whole.nct_ids) == 1:
        opening = opening.model_copy(update={"nct_ids": own_ids or whole.nct_ids})
    if not opening.trials and len(whole.trials) == 1:
        opening = opening.model_copy(update={"trials": whole.trials})
    phase = _phase(doc.title) or next(
        (found for s, e in places if (found := _phase(doc.text[s:e]))), None
    )
    subject = Subject(
        trials=opening.trials,
        nct_ids=opening.nct_ids,
        agents=opening.agents,
        agent_classes=opening.agent_classes,
        subtypes=opening.subtypes,
        phase=phase,
        spans=tuple(Span(start=s, end=e) for s, e in dict.fromkeys(places)),
    )
    return opening, bool(registered), subject


def _one_trial_table(doc: Document, vocabulary: Vocabulary | None) -> bool:
    """Return True for a results table of one trial.

    Its title or caption (the first block) names the trial or its agent, and
    the whole text names no second trial or NCT id.
    """
    caption = tag_text(doc.title + "\n" + doc.text.split("\n\n", 1)[0], vocabulary)
    if not (caption.trials or caption.nct_ids or caption.agents):
        return False
    whole = tag_text(doc.text, vocabulary)
    return len(set(whole.nct_ids)) <= 1 and len(set(whole.trials)) <= 1


def with_context(
    doc: Document,
    *,
    kind_given: bool = False,
    vocabulary: Vocabulary | None = None,
) -> Document:
    """Return ``doc`` with its inferred kind (unless given) and subject trial.

    Only single-trial reports, regulatory texts and tables of one trial get a
    subject: a review's or a multi-trial table's results belong to the trials
    they name locally.
    """
    opening, registered, subject = find_subject(doc, vocabulary)
    kind = (
        doc.kind
        if kind_given
        else infer_kind(doc, opening, registered=registered, vocabulary=vocabulary)
    )
    single = kind in ("trial", "regulatory") and len(set(opening.nct_ids)) <= 1
    single = single or (kind == "table" and _one_trial_table(doc, vocabulary))
    return doc.model_copy(update={"kind": kind, "subject": subject if single else None})
