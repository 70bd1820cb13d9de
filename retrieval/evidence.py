"""Does a sentence hold the qualifiers a question names? Directly or by context.

A sentence answers a question only when every qualifier the question names holds
for it: in the sentence itself, in its paragraph (a review names the trial a
sentence or two before), or in its document's subject (a single-trial abstract
names its trial in the title). A sentence that names another trial, agent,
subtype, arm, population or time point contradicts the question and is never
the answer. A subtype holds through the document only when the document is about
that one subtype: a multi-cohort trial's overall ORR is not its ASPS ORR.
"""

from __future__ import annotations

import re

from sarcolit.core.models import Tags
from sarcolit.core.text import fold
from sarcolit.core.vocabulary import Vocabulary
from sarcolit.retrieval import claims
from sarcolit.retrieval.facts import subtype_covers
from sarcolit.retrieval.question import Question
from sarcolit.retrieval.setting import Setting, Tally, Verdict

_MONO_CUE = re.compile(
    r"\b(?:alone|monotherapy|single[- ]agent|on (?:its|their) own|single drug)\b",
    re.IGNORECASE,
)


# A sentence that brings in a study of its own ("A subsequent basket trial
# reported ...", "Another analysis confirmed ...") is not about the trial its
# paragraph named before it.
_NEW_STUDY = re.compile(
    r"^(?:In\s+)?(?:an?|another|one|other|a later|a subsequent)\s+(?:[\w/-]+\s+){0,4}?"
    r"(?:trials?|stud(?:y|ies)|analys[ie]s|series|reports?|basket)\b",
    re.IGNORECASE,
)


_INTRODUCES = re.compile(
    r"\bet al\b|\b(?:trial|study|analysis|series)\b.*\b(?:in|of|with)\b", re.I
)
_BACK = re.compile(
    r"\b(?:both|each of the|all three|these|those|the same) (?:cohorts?|groups?|"
    r"subtypes?|histolog(?:y|ies)|populations?|arms?)\b",
    re.IGNORECASE,
)


def _trials(q: Question, s: Setting, tally: Tally) -> bool:
    """Trial names and NCT ids: names compare with names, ids with ids.

    Returns True when the sentence holds a trial the question names.
    """
    held = False
    new_study = _NEW_STUDY.match(s.text.strip()) is not None
    for field in ("trials", "nct_ids"):
        asked = set(getattr(q.entities, field))
        if not asked:
            continue
        for where, weight in ((s.own, 1.0), (s.local, 0.6), (s.subject, 0.8)):
            named = set(getattr(where, field))
            if where is s.local and new_study and named:
                tally.violations.append("another study than the one named before")
                break
            if asked & named:
                tally.hold(", ".join(sorted(asked)), weight)
                held = True
                break
            if named and not _family(asked, named):
                tally.violations.append(f"another trial ({', '.join(sorted(named))})")
                break
        else:
            tally.missing.append(", ".join(sorted(asked)))
    return held


def _family(asked: set[str], named: set[str]) -> bool:
    """Return True when a named trial is the asked one's family ('ImmunoSarc-I')."""
    return any(
        n.startswith(a + "-") or a.startswith(n + "-") for a in asked for n in named
    )


def _agents(
    q: Question, s: Setting, tally: Tally, trial: bool, vocab: Vocabulary
) -> None:
    """The agents asked about, in the sentence, its paragraph or its document.

    When the sentence holds the trial the question names, a partner drug it
    does not repeat ("PR rate of 33%" in a paragraph about NCT03277924) is
    not missing: the trial names the regimen.
    """
    asked = set(q.entities.agents)
    if not asked:
        _classes(q, s, tally, trial, vocab)
        return
    missing = tally.missing
    if trial:
        missing = []  # the trial names the regimen
    subject = set(s.subject.agents)
    if s.own.agent_classes and not s.own.agents:
        tally.bonus -= 0.5  # a sentence about a whole class ("anti-PD-1 therapy")
    for where, weight in ((s.own, 1.0), (s.local, 0.6)):
        if where.agents:
            _named_agents(q, s, tally, set(where.agents), weight, missing)
            return
    if asked <= subject:
        tally.hold(" + ".join(sorted(asked)), 0.8)
    elif subject and not subject & asked:
        tally.violations.append(f"another agent ({', '.join(sorted(subject))})")
    else:
        missing.append(" + ".join(sorted(asked)))


def _named_agents(
    q: Question,
    s: Setting,
    tally: Tally,
    named: set[str],
    weight: float,
    missing: list[str],
) -> None:
    """Judge the agents a sentence (or its paragraph) names against those asked."""
    asked, subject = set(q.entities.agents), set(s.subject.agents)
    if asked <= named | subject:
        tally.hold(" + ".join(sorted(asked)), weight)
        _arm(q, s, named, tally)
    elif named & asked:
        missing.append(" + ".join(sorted(asked - named - subject)))
    elif not (named <= subject and asked <= subject):
        tally.violations.append(f"another agent ({', '.join(sorted(named))})")
    else:
        tally.hold(" + ".join(sorted(asked)), 0.8)


def _arm(q: Question, s: Setting, named: set[str], tally: Tally) -> None:
    """A combination's sentence is not the single agent's, unless it says 'alone'."""
    extra = named - set(q.entities.agents)
    alone = [rf"\b{re.escape(a)} (?:group|arm|cohort)\b" for a in q.entities.agents]
    said = _MONO_CUE.search(s.text) or any(
        re.search(p, s.text, re.IGNORECASE) for p in alone
    )
    if q.arm == "mono" and extra and not said:
        tally.violations.append(f"the combination with {', '.join(sorted(extra))}")


def _mono(q: Question, s: Setting, tally: Tally) -> None:
    """A combination trial's single-agent arm is the one it gives alone."""
    asked = set(q.entities.agents)
    alone = set(s.head.mono_agents) if s.head else set()
    partners = {*s.subject.agents, *s.own.agents} - asked
    if q.arm == "mono" and asked and partners and alone and not asked & alone:
        gone = " + ".join(sorted(asked))
        tally.violations.append(f"no {gone} arm (alone: {', '.join(sorted(alone))})")


def _classes(
    q: Question, s: Setting, tally: Tally, trial: bool, vocab: Vocabulary
) -> None:
    """The classes asked about, named or given by an agent of theirs."""
    asked = set(q.entities.agent_classes)
    if not asked:
        return
    members = {a for c in asked for a in vocab.agents_in_class(c)}
    for where, weight in ((s.own, 1.0), (s.local, 0.6), (s.subject, 0.8)):
        if asked & set(where.agent_classes) or members & set(where.agents):
            tally.hold(", ".join(sorted(asked)), weight)
            return
    if not trial:
        tally.missing.append(", ".join(sorted(asked)))


def _local(s: Setting, own: Tags) -> Tags:
    """The paragraph's entities, with the subtypes a sentence refers back to.

    "The two-year OS rate exceeded 80% in both cohorts" speaks of the subtypes
    the sentence before named; so does a result that follows the sentence
    introducing its study ("Nasr et al. assessed ICIs in metastatic UPS").
    """
    refers = _BACK.search(s.text) or (
        _INTRODUCES.search(s.before_text) and not _NEW_STUDY.match(s.text.strip())
    )
    if refers and not own.subtypes:
        return s.local.model_copy(update={"subtypes": s.before.subtypes})
    return s.local


def _subtypes(q: Question, s: Setting, tally: Tally, vocab: Vocabulary) -> None:
    """Check the subtypes asked about: named in the sentence or its section.

    A document's subject holds them when it is about them and no others.
    """

    def covers(asked: str, found: str) -> bool:
        return subtype_covers(asked, found, vocab)

    def all_asked(found: tuple[str, ...]) -> bool:
        return all(any(covers(a, f) for a in q.entities.subtypes) for f in found)

    own = s.own
    if s.header and len(own.subtypes) > 1 and not all_asked(own.subtypes):
        # A row whose population lists several subtypes reports them together.
        own = own.model_copy(update={"subtypes": ()})
    mixed = s.head is not None and s.head.mixed
    subject = s.subject.subtypes
    about_them = bool(subject) and all_asked(subject) and not mixed
    local = _local(s, own)
    for asked in q.entities.subtypes:
        for where, weight in ((own, 1.0), (local, 0.6)):
            if any(covers(asked, found) for found in where.subtypes):
                tally.hold(asked, weight)
                break
            if where.subtypes and not any(covers(f, asked) for f in where.subtypes):
                named = ", ".join(sorted(where.subtypes))
                tally.violations.append(f"another subtype ({named})")
                break
        else:
            if about_them and any(covers(asked, f) for f in subject):
                tally.hold(asked, 0.8)
            elif subject and not any(covers(asked, f) for f in subject):
                tally.violations.append(f"another subtype ({', '.join(subject)})")
            else:
                tally.missing.append(asked)


def _names(q: Question, s: Setting, tally: Tally) -> None:
    """Names are compared folded: 'PD-L1-positive' is 'PD-L1 positive'."""
    text = fold(f"{s.text}\n{s.local_text}\n{s.header}")
    head = fold(s.head.describe()) if s.head else ""
    for name in (*q.names, *q.soft_names):
        low = fold(name)
        if low in text:
            tally.hold(name, 1.0)
        elif low in head or name.lower() in s.doc_words:
            tally.hold(name, 0.5)
        elif name in q.names:
            tally.missing.append(name)


def judge(q: Question, s: Setting, vocab: Vocabulary) -> Verdict:
    """Return how sentence ``s`` (in its context) stands against question ``q``."""
    tally = Tally()
    trial = _trials(q, s, tally)
    _agents(q, s, tally, trial, vocab)
    _mono(q, s, tally)
    _subtypes(q, s, tally, vocab)
    _names(q, s, tally)
    claims.sources(q, s, tally)
    claims.populations(q, s, tally)
    claims.modifiers(q, s, tally)
    claims.answer_type(q, s, tally)
    claims.authors(q, s, tally)
    claims.phases(q, s, tally)
    claims.endpoint(q, s, tally, vocab)
    claims.content(q, s, tally)
    claims.anchors(q, s, tally)
    claims.priors(q, s, tally)
    return tally.verdict()
