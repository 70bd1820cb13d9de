"""Recognise trials, agents, agent classes and sarcoma subtypes in a passage.

Names are matched on folded text (lowercase; dashes, underscores and spaces
all one space) with a trie-shaped regex, so one pass over a chunk tests every
name at once; abbreviations are matched case-sensitively as whole words.
All patterns are compiled at import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TypeAlias

from sarcolit.core.models import Tags
from sarcolit.ingest.lexicon import (
    AGENT_ABBREVIATIONS,
    AGENT_CLASSES,
    AGENTS,
    CLASS_ABBREVIATIONS,
    CLASS_PHRASES,
    KNOWN_TRIALS,
    SUBTYPES,
    TRIAL_NAMES,
)

_FOLD_SEPARATORS = re.compile(r"[\s\-_\u2010-\u2015\u2212\u00ad]+")
_FOLD_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'"})

# What a match means: (field, canonical value).
Effect: TypeAlias = tuple[str, str]
_Trie: TypeAlias = dict[str, "_Trie"]


def fold(text: str) -> str:
    """Return the matching form of a name: lowercase, dashes and spaces as one space."""
    return _FOLD_SEPARATORS.sub(" ", text.lower().translate(_FOLD_QUOTES)).strip()


def _trie_regex(terms: Iterable[str]) -> str:
    """Return a regex alternation of ``terms`` factored as a trie (longest first)."""
    root: _Trie = {}
    for term in terms:
        node = root
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node(root)


def _trie_node(node: _Trie) -> str:
    branches = [
        re.escape(c) + _trie_node(child) for c, child in sorted(node.items()) if c
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:
        return f"(?:{body})?"
    return body


def _word_regex(terms: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(" + _trie_regex(terms) + r")(?!\w)", flags)


def _name_effects() -> dict[str, tuple[Effect, ...]]:
    effects: dict[str, list[Effect]] = {}

    def add(name: str, effect: Effect | None) -> None:
        bucket = effects.setdefault(fold(name), [])
        if effect is not None:
            bucket.append(effect)

    for agent, (_, synonyms) in AGENTS.items():
        for name in (agent, *synonyms):
            add(name, ("agent", agent))
    for phrase, classes in CLASS_PHRASES.items():
        add(phrase, None)
        for agent_class in classes:
            add(phrase, ("class", agent_class))
    for code, (_, names, _) in SUBTYPES.items():
        for name in names:
            add(name, ("subtype", code))
            add(name + "s", ("subtype", code))
    for name, trial in TRIAL_NAMES.items():
        add(name, ("trial", trial))
    return {name: tuple(dict.fromkeys(bucket)) for name, bucket in effects.items()}


def _abbreviation_effects() -> dict[str, tuple[Effect, ...]]:
    effects: dict[str, tuple[Effect, ...]] = {}
    for abbreviation, agent in AGENT_ABBREVIATIONS.items():
        effects[abbreviation] = (("agent", agent),)
    for abbreviation, classes in CLASS_ABBREVIATIONS.items():
        effects[abbreviation] = tuple(("class", c) for c in classes)
    for code, (_, _, abbreviations) in SUBTYPES.items():
        for abbreviation in abbreviations:
            effects[abbreviation] = (("subtype", code),)
            effects[abbreviation + "s"] = (("subtype", code),)
    return effects


_NAME_EFFECTS = _name_effects()
_ABBREVIATION_EFFECTS = _abbreviation_effects()
_NAMES = _word_regex(_NAME_EFFECTS)
_ABBREVIATIONS = _word_regex(_ABBREVIATION_EFFECTS)
_AGENT_CLASSES = {agent: classes for agent, (classes, _) in AGENTS.items()}
_NCT = re.compile(r"\bNCT ?(\d{8})\b", re.IGNORECASE)
# Trial patterns run on folded text; each maps its match to a canonical name.
_TRIAL = re.compile(
    r"\b(?:sarc ?(?P<sarc>\d{3})"
    r"|a(?P<alliance>09\d{4})"
    r"|spearhead ?(?P<spearhead>\d)"
    r"|immunosarc(?: ?(?P<immunosarc>ii|i|2|1))?"
    r"|keynote ?(?P<keynote>\d{3})"
    r"|checkmate ?(?P<checkmate>\d{3})"
    r"|strive ?(?P<strive>\d{2})"
    r"|heros ?(?P<heros>\d\.\d)"
    r"|eortc ?(?P<eortc>\d{5})"
    r"|s(?P<swog>1609))\b"
)
_IMMUNOSARC: dict[str | None, str] = {
    None: "ImmunoSarc",
    "i": "ImmunoSarc-I",
    "1": "ImmunoSarc-I",
}
_TRIAL_FORMATS = {
    "sarc": "SARC{}",
    "alliance": "A{}",
    "spearhead": "SPEARHEAD-{}",
    "keynote": "KEYNOTE-{}",
    "checkmate": "CheckMate-{}",
    "strive": "STRIvE-{}",
    "heros": "HEROS {}",
    "eortc": "EORTC-{}",
    "swog": "S{}",
}


def _trial_name(match: re.Match[str]) -> str:
    groups = {k: v for k, v in match.groupdict().items() if v is not None}
    for key, template in _TRIAL_FORMATS.items():
        if key in groups:
            return template.format(groups[key])
    return _IMMUNOSARC.get(groups.get("immunosarc"), "ImmunoSarc-II")


def tag_text(text: str) -> Tags:
    """Return the NCT ids, trials, agents, agent classes and subtypes in ``text``."""
    found: dict[str, set[str]] = {
        "nct": set(),
        "trial": set(),
        "agent": set(),
        "class": set(),
        "subtype": set(),
    }
    folded = fold(text)
    for match in _NAMES.finditer(folded):
        for field, value in _NAME_EFFECTS[match.group(1)]:
            found[field].add(value)
    for match in _ABBREVIATIONS.finditer(text):
        for field, value in _ABBREVIATION_EFFECTS[match.group(1)]:
            found[field].add(value)
    found["nct"].update("NCT" + m.group(1) for m in _NCT.finditer(text))
    found["trial"].update(_trial_name(m) for m in _TRIAL.finditer(folded))
    for agent in found["agent"]:
        found["class"].update(_AGENT_CLASSES[agent])
    return Tags(
        nct_ids=tuple(sorted(found["nct"])),
        trials=tuple(sorted(found["trial"])),
        agents=tuple(sorted(found["agent"])),
        agent_classes=tuple(sorted(found["class"])),
        subtypes=tuple(sorted(found["subtype"])),
    )


def subtype_names() -> tuple[str, ...]:
    """Return the canonical subtype abbreviations, in lexicon order."""
    return tuple(SUBTYPES)


def subtype_label(code: str) -> str:
    """Return the full name of a canonical subtype ('SS' -> 'synovial sarcoma')."""
    return SUBTYPES[code][0]


def agent_names() -> tuple[str, ...]:
    """Return the canonical agent names, sorted."""
    return tuple(sorted(AGENTS))


def agent_class_names() -> tuple[str, ...]:
    """Return the canonical agent classes, in lexicon order."""
    return tuple(AGENT_CLASSES)


def trial_names() -> tuple[str, ...]:
    """Return the named trials of the seed review (others are found by pattern)."""
    return KNOWN_TRIALS


_SUBTYPE_LOOKUP: dict[str, str] = {
    **{fold(code): code for code in SUBTYPES},
    **{fold(label): code for code, (label, _, _) in SUBTYPES.items()},
    **{fold(n): code for code, (_, names, _) in SUBTYPES.items() for n in names},
}
_AGENT_LOOKUP: dict[str, str] = {
    fold(name): agent
    for agent, (_, synonyms) in AGENTS.items()
    for name in (agent, *synonyms)
}
_CLASS_LOOKUP: dict[str, str] = {fold(c): c for c in AGENT_CLASSES}


def canonical_subtype(name: str) -> str | None:
    """Return the canonical subtype for a name or abbreviation, or None.

    'synovial sarcoma', 'SS' and 'ss' all give 'SS'; 'MLS' gives 'MRCLS'.
    """
    effects = _ABBREVIATION_EFFECTS.get(name.strip(), ())
    codes = [value for field, value in effects if field == "subtype"]
    return codes[0] if codes else _SUBTYPE_LOOKUP.get(fold(name))


def canonical_agent(name: str) -> str | None:
    """Return the canonical agent for a generic, brand or code name, or None.

    'lete-cel' gives 'letetresgene autoleucel', 'Keytruda' gives 'pembrolizumab'.
    """
    if name.strip() in AGENT_ABBREVIATIONS:
        return AGENT_ABBREVIATIONS[name.strip()]
    return _AGENT_LOOKUP.get(fold(name))


def canonical_agent_class(name: str) -> str | None:
    """Return the canonical agent class for ``name`` ('car t' -> 'CAR-T'), or None."""
    return _CLASS_LOOKUP.get(fold(name))


def canonical_trial(name: str) -> str | None:
    """Return the canonical name of a trial or NCT id ('sarc 028' -> 'SARC028')."""
    tags = tag_text(name)
    return (tags.nct_ids + tags.trials or (None,))[0]
