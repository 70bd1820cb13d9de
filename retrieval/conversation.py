"""Conversations: follow-ups read in the light of earlier questions; multi-part splits.

"And what about its toxicity?" after a question about atezolizumab in ASPS is
read as a question about atezolizumab in ASPS: the trial, agents and subtype of
the latest earlier question that named any stand in for "its", "that trial",
"the combination" or "the disease", or are added when the follow-up names
nothing. A question that asks two things ("What was the response rate, and
which toxicities were most common?") is split into parts, each answered, the
later parts read in the light of the earlier ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sarcolit.core.text import NCT
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary
from sarcolit.ingest import tag_text
from sarcolit.retrieval.synthesis_query import SynthesisQuery, names_in, understand

# Bare 'this' and 'that' are left out: 'evidence that immunotherapy works'
# uses 'that' as a conjunction far more often than as a pronoun.
_REFERENCE = re.compile(
    r"\b(?:it|its|they|them|their|these|those)\b"
    r"|\b(?:the|this|that) (?:trial|study|drug|agent|regimen|combination|therapy"
    r"|treatment|product|antibody|doublet|disease|subtype|tumou?r)s?\b",
    re.IGNORECASE,
)
_REGIMEN_WORDS = re.compile(
    r"\b(?:this|that|the) (?:drug|agent|regimen|combination|therapy|treatment|product"
    r"|antibody|doublet)\b|\b(?:it|they|them)\b",
    re.IGNORECASE,
)
_TRIAL_WORDS = re.compile(r"\b(?:this|that|the) (?:trial|study)\b", re.IGNORECASE)
_DISEASE_WORDS = re.compile(
    r"\b(?:this|that|the) (?:disease|subtype|tumou?r)\b", re.IGNORECASE
)
_POSSESSIVE = re.compile(r"\b(?:its|their)\b", re.IGNORECASE)
_LEAD = re.compile(r"^\s*(?:and|so|but|also|then|ok(?:ay)?)[,\s]+", re.IGNORECASE)
# Where a second question starts: a wh-word after a comma, or a wh-word or an
# auxiliary after "and" or a question mark ("..., did X achieve?" is one question).
_SPLIT = re.compile(
    r"\s*(?:[,;]\s*(?=(?:what|which|how|who|when|where|why)\b)"
    r"|(?:[,;]\s*)?\s+and\s+(?=(?:what|which|how|who|when|where|why|is|are|was|were"
    r"|did|does|do|has|have|can)\b)"
    r"|\?\s+)",
    re.IGNORECASE,
)
_ASKS = re.compile(
    r"\s*(?:what|which|how|who|when|where|why|is|are|was|were|did|does|do|has|have"
    r"|can|compare|list)\b",
    re.IGNORECASE,
)
_PLURAL_BACK = re.compile(r"\b(?:they|their|them|these|those|each)\b", re.IGNORECASE)
MIN_PART_WORDS = 3


@dataclass(frozen=True)
class Anchor:
    """What an earlier question was about: trial names, regimen and subtype."""

    trials: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    subtypes: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    """Drug classes, kept only when no agent is named ('a PD-1 inhibitor')."""

    @property
    def regimen(self) -> str:
        """Return the agents (else the classes) as one regimen: 'A plus B'."""
        return " plus ".join(self.agents or self.classes)

    def phrase(self, vocabulary: Vocabulary) -> str:
        """Return the anchor as words: 'atezolizumab in alveolar soft part sarcoma'."""
        regimen = self.regimen
        who = ", ".join(p for p in (", ".join(self.trials), regimen) if p)
        where = " and ".join(vocabulary.subtype_label(s) for s in self.subtypes)
        return f"{who} in {where}" if who and where else who or where

    def __bool__(self) -> bool:
        """Return True when the anchor names anything."""
        return bool(self.trials or self.agents or self.subtypes or self.classes)


@dataclass(frozen=True)
class Part:
    """One question to answer: standalone, as read, and how it was asked."""

    question: str
    asked: str
    query: SynthesisQuery | None
    """The question read across trials; None for a single-fact question."""


def anchor_of(question: str, vocabulary: Vocabulary) -> Anchor:
    """Return the trials, agents and subtypes a question names."""
    tags = tag_text(question, vocabulary)
    trials = (*tags.trials, *tags.nct_ids, *sorted(names_in(question, vocabulary)))
    return Anchor(
        trials=tuple(dict.fromkeys(trials)),
        agents=tags.agents,
        subtypes=tags.subtypes,
        classes=() if tags.agents else tags.agent_classes,
    )


def resolve(
    question: str, history: Sequence[str], vocabulary: Vocabulary | None = None
) -> str:
    """Return ``question`` made standalone with the conversation's latest subject.

    Unchanged when there is no history, or when the question names its own
    subject and refers to nothing earlier.
    """
    vocab = vocabulary or default_vocabulary()
    if not history or _self_contained(question, vocab):
        return question
    own = anchor_of(question, vocab)
    anchor = Anchor()
    for position in range(len(history) - 1, -1, -1):
        earlier = resolve(history[position], history[:position], vocab)
        anchor = anchor_of(earlier, vocab)
        if anchor:
            break
    if not anchor:
        return question
    return _rewrite(question, anchor, own, vocab)


def _self_contained(question: str, vocabulary: Vocabulary) -> bool:
    """Return True when a question names its own subject before referring to one.

    "Which trials combined a PD-1 inhibitor with a VEGFR TKI, and how did they
    do?": 'they' are the trials it names (a class counts), not the earlier
    question's subject. "What was its ORR in UPS?" and "What did pembrolizumab
    achieve in that subtype?" still need the earlier question.
    """
    mentions = vocabulary.entities(question)
    starts = [m.start for m in mentions] + [m.start() for m in NCT.finditer(question)]
    kinds = {m.kind for m in mentions}
    if NCT.search(question) or anchor_of(question, vocabulary).trials:
        kinds.add("trial")
    if not kinds:
        return False
    reference = _REFERENCE.search(question)
    if reference is None:
        return True
    if starts and reference.start() < min(starts):
        return False
    return not (
        (_DISEASE_WORDS.search(question) and "subtype" not in kinds)
        or (_TRIAL_WORDS.search(question) and "trial" not in kinds)
        or (_REGIMEN_WORDS.search(question) and not kinds & {"agent", "class"})
    )


def _rewrite(question: str, anchor: Anchor, own: Anchor, vocabulary: Vocabulary) -> str:
    text = _LEAD.sub("", question).strip()
    text = text[:1].upper() + text[1:]
    regimen = anchor.regimen or ", ".join(anchor.trials)
    used = False
    if anchor.subtypes and _DISEASE_WORDS.search(text):
        disease = vocabulary.subtype_label(anchor.subtypes[0])
        text = _DISEASE_WORDS.sub(disease, text)
    if anchor.trials and _TRIAL_WORDS.search(text):
        text, used = _TRIAL_WORDS.sub(anchor.trials[0], text), True
    if regimen and _REGIMEN_WORDS.search(text):
        text, used = _REGIMEN_WORDS.sub(regimen, text, count=1), True
    text = _POSSESSIVE.sub("the", text)
    missing = Anchor(
        trials=tuple(t for t in anchor.trials if t not in own.trials),
        agents=tuple(a for a in anchor.agents if a not in own.agents),
        classes=tuple(c for c in anchor.classes if c not in own.classes),
        subtypes=tuple(s for s in anchor.subtypes if not own.subtypes),
    )
    if missing and not (used and not missing.subtypes):
        stem = text.rstrip(" ?.")
        return f"{stem} ({missing.phrase(vocabulary)})?"
    return text


def split_parts(question: str) -> list[str]:
    """Split a question that asks two things; one part when it asks one.

    "Which trials ..., and what response rates did they report?" stays whole:
    its second clause asks about the same trials; so does "In the cohort of 163
    samples, what share ...?", one question after an opening phrase.
    """
    pieces = [p.strip(" ,;") for p in _SPLIT.split(question) if p.strip(" ,;")]
    if len(pieces) < 2 or any(len(p.split()) < MIN_PART_WORDS for p in pieces):
        return [question]
    if not _ASKS.match(pieces[0]) or any(_PLURAL_BACK.search(p) for p in pieces[1:]):
        return [question]
    return [p if p.endswith("?") else p.rstrip(".") + "?" for p in pieces]


def plan(
    question: str, history: Sequence[str] = (), vocabulary: Vocabulary | None = None
) -> list[Part]:
    """Return the parts to answer, each standalone and read across trials if asked.

    A single question with no history that asks for a single fact comes back as
    one part with no query: the single-fact answerer answers it.
    """
    vocab = vocabulary or default_vocabulary()
    parts = split_parts(question)
    whole = resolve(question, history, vocab)
    # Only a follow-up (read in the light of the history) is read as a summary
    # of what it refers to; a question that stands alone is asked as it is, so
    # "What does nivolumab cost in Norway?" after other questions is still
    # refused rather than answered with everything said about nivolumab.
    single = [
        Part(
            whole,
            question,
            understand(whole, focused=whole != question, vocabulary=vocab),
        )
    ]
    if len(parts) == 1:
        return single
    planned: list[Part] = []
    # A part that names no subject shares the whole question's ("How many were
    # enrolled and how many treated in trial X?"), else the earlier parts'.
    earlier = [*history, whole]
    for part in parts:
        standalone = resolve(part, earlier, vocab)
        query = understand(standalone, focused=True, vocabulary=vocab)
        planned.append(Part(standalone, part, query))
        earlier.append(standalone)
    # A part with no subject to read it by: answer the question whole.
    return single if any(p.query is None for p in planned) else planned
