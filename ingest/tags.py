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
    agents = vocab.find_agents(text)
    classes = {c for m in vocab.find_classes(text) for c in m.classes}
    classes.update(c for m in agents for c in m.classes)
    subtypes = {
        m.value for m in vocab.find_subtypes(text) if not vocab.is_broad(m.value)
    }
    return Tags(
        nct_ids=tuple(sorted({nct_id(m) for m in NCT.finditer(text)})),
        trials=tuple(sorted({m.value for m in vocab.find_trials(text)})),
        agents=tuple(sorted({m.value for m in agents})),
        agent_classes=tuple(sorted(classes)),
        subtypes=tuple(sorted(subtypes)),
    )
