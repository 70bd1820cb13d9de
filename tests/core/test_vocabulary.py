"""The one vocabulary: the bundled file, user files over it, lookups and matching."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sarcolit.core.errors import ConfigError
from sarcolit.core.models import Intervention
from sarcolit.core.settings import Settings
from sarcolit.core.vocabulary import (
    BUNDLED,
    Vocabulary,
    default_vocabulary,
    load_vocabulary,
)
from sarcolit.ingest import tag_text

VOCABULARY = default_vocabulary()


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_bundled_vocabulary_loads_once() -> None:
    assert load_vocabulary() is VOCABULARY
    assert VOCABULARY.sources == (BUNDLED,)
    assert len(VOCABULARY.agents) >= 80


@pytest.mark.parametrize(
    ("phrase", "agents"),
    [
        ("PD-1 inhibitor", {"pembrolizumab", "nivolumab", "toripalimab", "sintilimab"}),
        ("anti-PD-L1", {"atezolizumab", "durvalumab", "envafolimab"}),
        ("checkpoint inhibitors", {"pembrolizumab", "atezolizumab", "ipilimumab"}),
        ("VEGFR TKI", {"axitinib", "pazopanib", "famitinib", "apatinib"}),
        ("multikinase inhibitor", {"sunitinib", "regorafenib", "lenvatinib"}),
        ("engineered T cells", {"letetresgene autoleucel", "HER2 CAR-T"}),
    ],
)
def test_a_class_phrase_expands_to_its_agents(phrase: str, agents: set[str]) -> None:
    named = VOCABULARY.canonical_class(phrase)
    assert named is not None
    assert agents <= set(VOCABULARY.agents_in_class(named))


def test_class_hierarchy() -> None:
    assert VOCABULARY.class_ancestors("anti-PD-1") == (
        "checkpoint inhibitor",
        "immunotherapy",
    )
    assert "imatinib" in VOCABULARY.agents_in_class("TKI")
    assert "imatinib" not in VOCABULARY.agents_in_class("VEGFR TKI")
    assert "pembrolizumab" not in VOCABULARY.agents_in_class("VEGFR TKI")
    assert {"TCR-T", "CAR-T", "TIL"} <= set(
        VOCABULARY.class_descendants("cell therapy")
    )
    assert VOCABULARY.common_class(["anti-PD-1", "anti-CTLA-4"]) == (
        "checkpoint inhibitor"
    )


def test_subtype_hierarchy_and_labels() -> None:
    assert set(VOCABULARY.subtype_descendants("LPS")) == {
        "DDLPS",
        "WDLPS",
        "MRCLS",
        "PLPS",
    }
    assert {"LPS", "DDLPS", "SS"} <= set(VOCABULARY.subtype_descendants("STS"))
    assert VOCABULARY.subtype_ancestors("DDLPS") == ("LPS", "STS")
    assert VOCABULARY.subtype_label("SS") == "synovial sarcoma"
    assert VOCABULARY.is_broad("STS")
    assert not VOCABULARY.is_broad("SS")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("synovial sarcoma", "SS"),
        ("Synovial Sarcomas", "SS"),
        ("SS", "SS"),
        ("ss", "SS"),
        ("MLS", "MRCLS"),
        ("osteosarcoma", "OS"),
        ("Kaposi's sarcoma", "KS"),
        ("UPS", "UPS"),
        ("unknown tumour", None),
    ],
)
def test_canonical_subtype(name: str, code: str | None) -> None:
    assert VOCABULARY.canonical_subtype(name) == code


@pytest.mark.parametrize(
    ("name", "agent"),
    [
        ("lete-cel", "letetresgene autoleucel"),
        ("NY-ESO-1c259T", "letetresgene autoleucel"),
        ("TQB2450", "benmelstobart"),
        ("OPDIVO", "nivolumab"),
        ("OH2", "oh2"),
        ("Gleevec", "imatinib"),
        ("aspirin", None),
    ],
)
def test_canonical_agent(name: str, agent: str | None) -> None:
    assert VOCABULARY.canonical_agent(name) == agent


def test_other_lookups() -> None:
    assert VOCABULARY.canonical_class("car t") == "CAR-T"
    assert VOCABULARY.canonical_class("immune checkpoint inhibitor") == (
        "checkpoint inhibitor"
    )
    assert VOCABULARY.canonical_trial("sarc 028") == "SARC028"
    assert VOCABULARY.canonical_trial("Alliance A091401") == "A091401"
    assert VOCABULARY.canonical_trial("SU2C-SARC032") == "SARC032"
    assert VOCABULARY.canonical_trial("no trial") is None
    assert VOCABULARY.endpoint_of("objective response rate") == "ORR"
    assert VOCABULARY.endpoint_of("Best overall response rate") == "ORR"
    assert VOCABULARY.endpoint_of("event-free survival") == "EFS"
    assert VOCABULARY.endpoint_values("PFS") == {
        "%": "PFS_rate",
        "months": "median_PFS",
    }


def test_mentions_carry_spans_values_and_classes() -> None:
    text = "Pembrolizumab plus axitinib in ASPS; PD-1/PD-L1 inhibitors; HLA-A02:01."
    (pembro, axitinib) = VOCABULARY.find_agents(text)
    assert text[pembro.start : pembro.end] == "Pembrolizumab"
    assert (axitinib.value, axitinib.classes) == ("axitinib", ("VEGFR TKI",))
    (phrase,) = VOCABULARY.find_classes(text)
    assert phrase.classes == ("anti-PD-1", "anti-PD-L1")
    assert phrase.value == "checkpoint inhibitor"
    assert [m.value for m in VOCABULARY.find_subtypes(text)] == ["ASPS"]
    assert [m.value for m in VOCABULARY.find_targets(text)] == ["HLA-A*02:01"]


def test_measurements_are_not_treatments() -> None:
    text = "IL-12 levels rose after IL-12 was given"
    (given,) = VOCABULARY.find_agents(text)
    assert given.start == text.rindex("IL-12")


def test_search_terms_join_names_and_abbreviations() -> None:
    assert VOCABULARY.search_terms("objective response rates and mPFS") == (
        "orr and mpfs pfs"
    )


def test_user_file_extends_and_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [classes.anti-TIGIT]
        label = "anti-TIGIT"
        parents = ["checkpoint inhibitor"]
        phrases = ["TIGIT inhibitor"]

        [agents.tiragolumab]
        classes = ["anti-TIGIT"]
        synonyms = ["MTIG7192A"]

        [agents.pembrolizumab]
        synonyms = ["pembro"]

        [subtypes.SS]
        label = "synovial sarcoma (SS)"

        [subtypes.IS]
        label = "intimal sarcoma"
        names = ["intimal sarcoma"]
        parents = ["STS"]
        """,
    )
    mine = load_vocabulary(path)
    assert mine is load_vocabulary(path)
    assert mine.sources == (BUNDLED, path.resolve())
    assert mine.canonical_agent("MTIG7192A") == "tiragolumab"
    assert mine.canonical_agent("pembro") == "pembrolizumab"
    assert mine.canonical_agent("Keytruda") == "pembrolizumab"
    assert "tiragolumab" in mine.agents_in_class("checkpoint inhibitor")
    assert mine.subtype_label("SS") == "synovial sarcoma (SS)"
    assert mine.canonical_subtype("synovial sarcoma") == "SS"
    tags = tag_text("tiragolumab in intimal sarcoma", mine)
    assert tags.agents == ("tiragolumab",)
    assert tags.subtypes == ("IS",)
    assert tag_text("tiragolumab in intimal sarcoma").agents == ()
    assert mine.digest != VOCABULARY.digest
    # A record may now carry the new class.
    assert Intervention.model_validate(
        {
            "name": "tiragolumab",
            "agent_class": "anti-TIGIT",
            "evidence": {"doc_id": "d", "start": 0, "end": 3, "quote": "abc"},
        }
    ).agent_class == ("anti-TIGIT")


def test_replace_drops_the_bundled_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [agents.pembrolizumab]
        replace = true
        classes = ["anti-PD-1"]
        synonyms = ["pembro"]
        """,
    )
    mine = load_vocabulary(path)
    assert mine.canonical_agent("pembro") == "pembrolizumab"
    assert mine.canonical_agent("Keytruda") is None


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            """
            # a comment
            [agents.tiragolumab]
            classes = ["anti-TIGIT"]
            """,
            2,
            "agent 'tiragolumab': unknown class 'anti-TIGIT'",
        ),
        (
            """
            [subtypes.IS]
            label = "intimal sarcoma"

            [subtypes.XS]
            label = "x sarcoma"
            parents = ["nope"]
            """,
            4,
            "subtype 'XS': unknown parent 'nope'",
        ),
        (
            """
            [agents.newmab]
            classes = ["anti-PD-1"]
            synonyms = ["Keytruda"]
            """,
            1,
            "agent name 'Keytruda' of 'newmab' already names 'pembrolizumab'",
        ),
        (
            """
            [agents]
            newmab = { classes = "anti-PD-1" }
            """,
            2,
            "agents.newmab: field 'classes'",
        ),
        (
            """
            [agents.newmab]
            classes = ["anti-PD-1"]
            colour = "blue"
            """,
            1,
            "agents.newmab: field 'colour': Extra inputs are not permitted",
        ),
        (
            """
            [agents.newmab
            classes = ["anti-PD-1"]
            """,
            1,
            "not valid TOML",
        ),
        (
            """
            [drugs.newmab]
            """,
            1,
            "unknown section 'drugs'",
        ),
    ],
)
def test_a_malformed_entry_is_one_line_naming_file_and_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_vocabulary(path)
    error = str(caught.value)
    assert "\n" not in error
    assert error.startswith(f"{path.resolve()}:{line}: ")
    assert message in error


def test_a_missing_user_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_vocabulary(tmp_path / "absent.toml")


def test_settings_name_the_user_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "[agents.newmab]\nclasses = ['anti-PD-1']\n")
    monkeypatch.setenv("SARCOLIT_VOCABULARY", str(path))
    settings = Settings()
    assert settings.vocabulary == path
    vocabulary: Vocabulary = load_vocabulary(settings.vocabulary)
    assert vocabulary.canonical_agent("newmab") == "newmab"
    assert "newmab" in vocabulary.agents_in_class("anti-PD-1")


def test_records_refuse_an_unknown_class() -> None:
    with pytest.raises(ValueError, match="unknown agent class 'anti-XYZ'"):
        Intervention.model_validate(
            {
                "name": "x",
                "agent_class": "anti-XYZ",
                "evidence": {"doc_id": "d", "start": 0, "end": 1, "quote": "x"},
            }
        )
