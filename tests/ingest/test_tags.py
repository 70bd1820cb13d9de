from __future__ import annotations

import time
from pathlib import Path

import pytest

from sarcolit.core.vocabulary import default_vocabulary
from sarcolit.ingest import normalize, tag_text

VOCABULARY = default_vocabulary()

REVIEW = (
    Path(__file__).resolve().parents[2]
    / "corpus"
    / "reviews"
    / "sarcoma-immunotherapy-review.txt"
)


def test_nct_ids() -> None:
    tags = tag_text("A phase II trial (NCT03277924) and nct02834013 and NCT123.")
    assert tags.nct_ids == ("NCT02834013", "NCT03277924")


@pytest.mark.parametrize(
    ("text", "trial"),
    [
        ("In the pioneering phase II SARC028 trial", "SARC028"),
        ("the SARC-032 study", "SARC032"),
        ("In the Alliance A091401 trial", "A091401"),
        ("In the phase II SPEARHEAD-1 trial", "SPEARHEAD-1"),
        ("Sunitinib plus nivolumab (ImmunoSarc-I trail)", "ImmunoSarc-I"),
        ("the ImmunoSarc2 trial", "ImmunoSarc-II"),
        ("the ImmunoSarc trial", "ImmunoSarc"),
        ("the subsequent phase III KEYNOTE-252 trial failed", "KEYNOTE-252"),
        ("The STRIvE-02 trial (NCT04483778)", "STRIvE-02"),
        ("The HEROS 2.0 phase I trial", "HEROS 2.0"),
    ],
)
def test_named_trials(text: str, trial: str) -> None:
    assert trial in tag_text(text).trials


@pytest.mark.parametrize(
    ("text", "agent"),
    [
        ("treated with lete-cel at doses", "letetresgene autoleucel"),
        ("Letetresgene autoleucel (lete-cel) is", "letetresgene autoleucel"),
        ("afami-cel achieved an ORR", "afamitresgene autoleucel"),
        ("novel PD-L1 antibody TQB2450 (Benmelstobart)", "benmelstobart"),
        ("The success of T-VEC in melanoma", "talimogene laherparepvec"),
        ("oncolytic vaccinia virus JX-594", "pexastimogene devacirepvec"),
        ("Keytruda every three weeks", "pembrolizumab"),
        ("Opdivo and Yervoy", "nivolumab"),
        ("Opdivo and Yervoy", "ipilimumab"),
        ("High-dose IL-2 has been approved", "aldesleukin"),
        ("OH2 is an oncolytic HSV-2", "oh2"),
        ("imatinib (Gleevec) in GIST", "imatinib"),
        ("tazemetostat in epithelioid sarcoma", "tazemetostat"),
        ("such as MGA271 (Fc-optimized", "enoblituzumab"),
        ("CMB305 is a lentiviral-based vaccine", "cmb305"),
        ("liposomal doxorubicin and paclitaxel", "paclitaxel"),
        ("IDO1 inhibitor epacadostat with pembrolizumab", "epacadostat"),
    ],
)
def test_agents_resolve_synonyms(text: str, agent: str) -> None:
    assert agent in tag_text(text).agents


def test_interleukin_biology_is_not_an_agent() -> None:
    tags = tag_text("IL-2 stimulates T and NK cells; tregs secrete IL-10.")
    assert tags.agents == ()


@pytest.mark.parametrize(
    ("text", "agent_class"),
    [
        ("pembrolizumab alone", "anti-PD-1"),
        ("atezolizumab, an anti-PD-L1 agent", "anti-PD-L1"),
        ("Emerging novel PD\u22121/PD\u2212L1 inhibitors", "anti-PD-L1"),
        ("Emerging novel PD-1/PD-L1 inhibitors", "anti-PD-1"),
        ("CTLA-4 inhibitor ipilimumab", "anti-CTLA-4"),
        ("B7-H3 CAR-T showed safety", "CAR-T"),
        ("improved CAR T cell expansion", "CAR-T"),
        ("a novel TCR-T therapy targeting NY-ESO-1", "TCR-T"),
        ("A combination of OH2 and anti-PD-1 therapy", "oncolytic virus"),
        ("Oncolytic peptides, such as LTX-315", "oncolytic peptide"),
        ("tyrosine kinase inhibitors (TKIs) like pazopanib", "TKI"),
        ("tyrosine kinase inhibitors (TKIs) like pazopanib", "VEGFR TKI"),
        ("immune checkpoint inhibitors", "checkpoint inhibitor"),
        ("DC vaccination could enhance antitumor immunity", "vaccine"),
        ("Cytokine-based therapy for sarcoma", "cytokine"),
        ("trabectedin plus nivolumab", "chemotherapy"),
        ("TILs therapy in sarcoma", "TIL"),
    ],
)
def test_agent_classes(text: str, agent_class: str) -> None:
    assert agent_class in tag_text(text).agent_classes


def test_prior_chemotherapy_is_not_a_chemotherapy_arm() -> None:
    assert (
        "chemotherapy"
        not in tag_text("who had received prior chemotherapy").agent_classes
    )


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        ("alveolar soft part sarcoma", "ASPS"),
        ("Alveolar soft-part sarcoma (ASPS)", "ASPS"),
        ("ASPS cohorts exhibited", "ASPS"),
        ("metastatic SS or myxoid round cell liposarcoma (MRCLS)", "SS"),
        ("metastatic SS or myxoid round cell liposarcoma (MRCLS)", "MRCLS"),
        ("in synovial sarcomas", "SS"),
        ("retroperitoneal dedifferentiated liposarcoma (DDLPS)", "DDLPS"),
        ("undifferentiated pleomorphic sarcoma", "UPS"),
        ("undifferentiated leiomyosarcomas with dense infiltration", "LMS"),
        ("classical Kaposi sarcoma (cKS)", "cKS"),
        ("HIV-related KS", "KS"),
        ("clear cell sarcoma", "CCS"),
        ("gastrointestinal stromal tumor (GIST)", "GIST"),
        ("a pediatric Ewing\u2019s sarcoma patient", "ES"),
        ("osteosarcoma showed only a 5% response", "OS"),
        ("responses in angiosarcoma", "AS"),
        ("In chondrosarcoma, CD68+ TAMs", "CHS"),
        ("as shown in MFS and UPS analyses", "MFS"),
        ("myxofibrosarcoma and pleomorphic sarcoma", "MFS"),
    ],
)
def test_subtypes(text: str, subtype: str) -> None:
    assert subtype in tag_text(text).subtypes


@pytest.mark.parametrize(
    "text",
    [
        "a median PFS of 11.1 months and OS of 34.7 months",
        "overall survival (OS) improved; ES and AS were not assessed",
        "the ASPSCR1-TFE3 fusion",
        "SS18-SSX fusion transcripts",
        "a soft-tissue sarcoma (STS) cohort",
    ],
)
def test_ambiguous_abbreviations_are_not_tagged(text: str) -> None:
    assert tag_text(text).subtypes == ()


def test_specific_liposarcoma_does_not_also_tag_generic() -> None:
    assert tag_text("dedifferentiated liposarcoma").subtypes == ("DDLPS",)
    assert tag_text("liposarcoma").subtypes == ("LPS",)


def test_tags_are_sorted_and_unique() -> None:
    tags = tag_text("nivolumab, pembrolizumab and nivolumab in UPS and UPS")
    assert tags.agents == ("nivolumab", "pembrolizumab")
    assert tags.subtypes == ("UPS",)
    assert tag_text("nothing of interest here").is_empty()


def test_review_mentions_every_major_entity() -> None:
    tags = tag_text(REVIEW.read_text(encoding="utf-8"))
    for agent in (
        "pembrolizumab",
        "nivolumab",
        "ipilimumab",
        "toripalimab",
        "atezolizumab",
        "durvalumab",
        "avelumab",
        "axitinib",
        "sunitinib",
        "anlotinib",
        "benmelstobart",
        "doxorubicin",
        "trabectedin",
        "eribulin",
        "epacadostat",
        "letetresgene autoleucel",
        "afamitresgene autoleucel",
        "talimogene laherparepvec",
        "ltx-315",
        "cmb305",
    ):
        assert agent in tags.agents
    assert {"SARC028", "A091401", "SPEARHEAD-1", "ImmunoSarc-I", "KEYNOTE-252"} <= set(
        tags.trials
    )
    assert {"ASPS", "SS", "UPS", "DDLPS", "MRCLS", "CCS", "cKS", "LMS"} <= set(
        tags.subtypes
    )


def test_every_agent_and_subtype_tags_as_itself() -> None:
    for agent in VOCABULARY.agents:
        assert agent in tag_text(f"treated with {agent} alone").agents, agent
    for code, subtype in VOCABULARY.subtypes.items():
        found = tag_text(f"patients with {subtype.label}").subtypes
        assert found == (() if subtype.broad else (code,)), code


def test_tag_text_is_fast() -> None:
    text = normalize(REVIEW.read_text(encoding="utf-8"))
    pieces = [text[i : i + 1000] for i in range(0, len(text) - 1000, 1000)]
    tag_text(pieces[0])
    started = time.perf_counter()
    for piece in pieces * 5:
        tag_text(piece)
    per_chunk = (time.perf_counter() - started) / (len(pieces) * 5)
    # The goal is 0.5 ms; the bound leaves room for a shared, loaded CI machine.
    assert per_chunk < 0.002
