"""Recognise trials, agents, agent classes and sarcoma subtypes in a passage.

Everything recognised comes from the vocabulary
(:mod:`sarcolit.core.vocabulary`); subtypes are recorded by code ('SS'), the
same id extraction records, and broad families (soft tissue sarcoma) are not
tagged.
"""

from __future__ import annotations

from sarcolit.core.models import Tags
from sarcolit.core.text import NCT, nct_id
from sarcolit.core.vocabulary import Vocabulary, default_vocabulary


def tag_text(text: str, vocabulary: Vocabulary | None = None) -> Tags:
    """Return the NCT ids, trials, agents, agent classes and subtypes in ``text``.

    An agent's classes are tagged with it ('pembrolizumab' adds 'anti-PD-1').
    """
    vocab = vocabulary or default_vocabulary()
    found: dict[str, set[str]] = {"agent": set(), "class": set(), "subtype": set()}
    trials = {m.value for m in vocab.find_series(text)}
    for mention in vocab.entities(text):
        if mention.kind == "trial":
            trials.add(mention.value)
        elif mention.kind != "subtype" or not vocab.is_broad(mention.value):
            found[mention.kind].add(mention.value)
        found["class"].update(mention.classes)
    return Tags(
        nct_ids=tuple(sorted({nct_id(m) for m in NCT.finditer(text)})),
        trials=tuple(sorted(trials)),
        agents=tuple(sorted(found["agent"])),
        agent_classes=tuple(sorted(found["class"])),
        subtypes=tuple(sorted(found["subtype"])),
    )
