"""Vocabularies behind :mod:`sarcolit.ingest.tags`: agents, classes, subtypes, trials.

Names are matched case-insensitively after folding (lowercase, dashes and
spaces equivalent); abbreviations are matched case-sensitively as whole words.
Osteosarcoma, Ewing sarcoma and angiosarcoma have no abbreviation here on
purpose: 'OS', 'ES' and 'AS' mostly mean other things (overall survival...).
Liposarcoma's 'LPS' is left out too (lipopolysaccharide).
"""

from __future__ import annotations

# Agent classes: canonical name -> what it covers (for UI help).
AGENT_CLASSES: dict[str, str] = {
    "anti-PD-1": "PD-1 blocking antibodies",
    "anti-PD-L1": "PD-L1 blocking antibodies",
    "anti-CTLA-4": "CTLA-4 blocking antibodies",
    "anti-LAG-3": "LAG-3 blocking antibodies",
    "anti-B7-H3": "B7-H3 targeted antibodies and conjugates",
    "antibody-drug conjugate": "antibodies carrying a cytotoxic payload",
    "chemotherapy": "cytotoxic chemotherapy",
    "TKI": "tyrosine kinase inhibitors",
    "TCR-T": "T-cell receptor engineered T cells",
    "CAR-T": "chimeric antigen receptor T cells",
    "TIL": "tumor-infiltrating lymphocyte therapy",
    "oncolytic virus": "oncolytic viruses",
    "oncolytic peptide": "oncolytic peptides",
    "vaccine": "cancer vaccines",
    "cytokine": "cytokine-based therapy",
    "IDO inhibitor": "indoleamine 2,3-dioxygenase inhibitors",
    "EZH2 inhibitor": "EZH2 inhibitors",
}

# Agents: canonical lowercase generic name -> (classes, synonyms matched
# case-insensitively: brand names, code names, short names).
AGENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # PD-1
    "pembrolizumab": (("anti-PD-1",), ("keytruda", "mk-3475", "lambrolizumab")),
    "nivolumab": (("anti-PD-1",), ("opdivo", "bms-936558", "ono-4538")),
    "cemiplimab": (("anti-PD-1",), ("libtayo",)),
    "toripalimab": (("anti-PD-1",), ("loqtorzi", "js001")),
    "tislelizumab": (("anti-PD-1",), ("tevimbra", "bgb-a317")),
    "sintilimab": (("anti-PD-1",), ("tyvyt", "ibi308")),
    "camrelizumab": (("anti-PD-1",), ("shr-1210",)),
    "dostarlimab": (("anti-PD-1",), ("jemperli",)),
    "retifanlimab": (("anti-PD-1",), ("zynyz",)),
    "spartalizumab": (("anti-PD-1",), ("pdr001",)),
    "balstilimab": (("anti-PD-1",), ()),
    "cadonilimab": (("anti-PD-1", "anti-CTLA-4"), ("ak104",)),
    # PD-L1
    "atezolizumab": (("anti-PD-L1",), ("tecentriq", "mpdl3280a")),
    "durvalumab": (("anti-PD-L1",), ("imfinzi", "medi4736")),
    "avelumab": (("anti-PD-L1",), ("bavencio",)),
    "benmelstobart": (("anti-PD-L1",), ("tqb2450", "tqb-2450")),
    "envafolimab": (("anti-PD-L1",), ("kn035",)),
    "sugemalimab": (("anti-PD-L1",), ()),
    # CTLA-4, LAG-3
    "ipilimumab": (("anti-CTLA-4",), ("yervoy", "mdx-010")),
    "tremelimumab": (("anti-CTLA-4",), ("imjudo",)),
    "zalifrelimab": (("anti-CTLA-4",), ()),
    "relatlimab": (("anti-LAG-3",), ()),
    # B7-H3
    "enoblituzumab": (("anti-B7-H3",), ("mga271",)),
    "vobramitamab duocarmazine": (
        ("anti-B7-H3", "antibody-drug conjugate"),
        ("mgc018",),
    ),
    # Chemotherapy
    "doxorubicin": (("chemotherapy",), ("adriamycin", "doxil", "caelyx", "myocet")),
    "epirubicin": (("chemotherapy",), ()),
    "ifosfamide": (("chemotherapy",), ("ifex",)),
    "cyclophosphamide": (("chemotherapy",), ("cytoxan", "endoxan")),
    "trabectedin": (("chemotherapy",), ("yondelis", "et-743", "ecteinascidin 743")),
    "lurbinectedin": (("chemotherapy",), ("zepzelca",)),
    "eribulin": (("chemotherapy",), ("halaven",)),
    "gemcitabine": (("chemotherapy",), ("gemzar",)),
    "docetaxel": (("chemotherapy",), ("taxotere",)),
    "paclitaxel": (("chemotherapy",), ("taxol", "abraxane")),
    "dacarbazine": (("chemotherapy",), ()),
    "temozolomide": (("chemotherapy",), ("temodar",)),
    "vincristine": (("chemotherapy",), ()),
    "irinotecan": (("chemotherapy",), ()),
    "etoposide": (("chemotherapy",), ()),
    "cisplatin": (("chemotherapy",), ()),
    "methotrexate": (("chemotherapy",), ()),
    "dactinomycin": (("chemotherapy",), ("actinomycin d",)),
    # Tyrosine kinase inhibitors
    "pazopanib": (("TKI",), ("votrient",)),
    "axitinib": (("TKI",), ("inlyta",)),
    "sunitinib": (("TKI",), ("sutent",)),
    "anlotinib": (("TKI",), ("al3818",)),
    "regorafenib": (("TKI",), ("stivarga",)),
    "cabozantinib": (("TKI",), ("cabometyx", "cometriq")),
    "lenvatinib": (("TKI",), ("lenvima",)),
    "apatinib": (("TKI",), ("rivoceranib",)),
    "imatinib": (("TKI",), ("gleevec", "glivec")),
    "sorafenib": (("TKI",), ("nexavar",)),
    "ripretinib": (("TKI",), ("qinlock",)),
    "avapritinib": (("TKI",), ("ayvakit",)),
    # Cell therapies
    "letetresgene autoleucel": (("TCR-T",), ("lete-cel", "gsk3377794")),
    "afamitresgene autoleucel": (("TCR-T",), ("afami-cel", "tecelra", "adp-a2m4")),
    "lifileucel": (("TIL",), ("amtagvi", "ln-144")),
    # Oncolytics, vaccines
    "talimogene laherparepvec": (
        ("oncolytic virus",),
        ("t-vec", "tvec", "imlygic", "oncovex"),
    ),
    "pexastimogene devacirepvec": (("oncolytic virus",), ("jx-594", "pexa-vec")),
    "oh2": (("oncolytic virus",), ()),
    "ltx-315": (("oncolytic peptide",), ("ltx315",)),
    "cmb305": (("vaccine",), ("cmb-305",)),
    # Cytokines and other immunomodulators
    "aldesleukin": (
        ("cytokine",),
        (
            "proleukin",
            "high-dose il-2",
            "high dose interleukin-2",
            "low-dose il-2",
            "low doses of il-2",
            "recombinant il-2",
            "hd il-2",
        ),
    ),
    "interferon alfa": (
        ("cytokine",),
        (
            "interferon alpha",
            "interferon-\u03b1",
            "interferon \u03b1",
            "peginterferon alfa",
        ),
    ),
    "bempegaldesleukin": (("cytokine",), ("nktr-214",)),
    "epacadostat": (("IDO inhibitor",), ("incb024360",)),
    # Others used in sarcoma
    "olaratumab": ((), ("lartruvo",)),
    "tazemetostat": (("EZH2 inhibitor",), ("tazverik",)),
}

# Agent synonyms that must match case-sensitively (they collide with words).
AGENT_ABBREVIATIONS: dict[str, str] = {"OH2": "oh2"}

# Class phrases (matched like names) -> classes. A phrase mapped to () blocks
# a shorter phrase inside it ('prior chemotherapy' is not a chemotherapy arm).
CLASS_PHRASES: dict[str, tuple[str, ...]] = {
    "anti-pd-1": ("anti-PD-1",),
    "anti-pd1": ("anti-PD-1",),
    "pd-1 inhibitor": ("anti-PD-1",),
    "pd-1 inhibitors": ("anti-PD-1",),
    "pd-1 blockade": ("anti-PD-1",),
    "pd-1 antibody": ("anti-PD-1",),
    "pd-1 antibodies": ("anti-PD-1",),
    "anti-pd-l1": ("anti-PD-L1",),
    "anti-pdl1": ("anti-PD-L1",),
    "pd-l1 inhibitor": ("anti-PD-L1",),
    "pd-l1 inhibitors": ("anti-PD-L1",),
    "pd-l1 antibody": ("anti-PD-L1",),
    "pd-l1 antibodies": ("anti-PD-L1",),
    "pd-l1 blockade": ("anti-PD-L1",),
    "anti-pd-1/pd-l1": ("anti-PD-1", "anti-PD-L1"),
    "anti-pd1/pd-l1": ("anti-PD-1", "anti-PD-L1"),
    "pd-1/pd-l1 inhibitor": ("anti-PD-1", "anti-PD-L1"),
    "pd-1/pd-l1 inhibitors": ("anti-PD-1", "anti-PD-L1"),
    "pd-1/pd-l1 blockade": ("anti-PD-1", "anti-PD-L1"),
    "anti-ctla-4": ("anti-CTLA-4",),
    "anti-ctla4": ("anti-CTLA-4",),
    "ctla-4 inhibitor": ("anti-CTLA-4",),
    "ctla-4 inhibitors": ("anti-CTLA-4",),
    "ctla-4 blockade": ("anti-CTLA-4",),
    "ctla-4 antibody": ("anti-CTLA-4",),
    "anti-lag-3": ("anti-LAG-3",),
    "anti-b7-h3": ("anti-B7-H3",),
    "anti-b7h3": ("anti-B7-H3",),
    "antibody-drug conjugate": ("antibody-drug conjugate",),
    "antibody-drug conjugates": ("antibody-drug conjugate",),
    "chemotherapy": ("chemotherapy",),
    "chemo-immunotherapy": ("chemotherapy",),
    "chemoimmunotherapy": ("chemotherapy",),
    "prior chemotherapy": (),
    "previous chemotherapy": (),
    "tyrosine kinase inhibitor": ("TKI",),
    "tyrosine kinase inhibitors": ("TKI",),
    "tcr-t": ("TCR-T",),
    "tcr therapy": ("TCR-T",),
    "tcr-based": ("TCR-T",),
    "tcr-engineered": ("TCR-T",),
    "engineered tcr": ("TCR-T",),
    "t-cell receptor therapy": ("TCR-T",),
    "car-t": ("CAR-T",),
    "chimeric antigen receptor": ("CAR-T",),
    "til therapy": ("TIL",),
    "tils therapy": ("TIL",),
    "til monotherapy": ("TIL",),
    "til infusion": ("TIL",),
    "tumor-infiltrating lymphocyte therapy": ("TIL",),
    "tumour-infiltrating lymphocyte therapy": ("TIL",),
    "oncolytic": ("oncolytic virus",),
    "oncolytic peptide": ("oncolytic peptide",),
    "oncolytic peptides": ("oncolytic peptide",),
    "vaccine": ("vaccine",),
    "vaccines": ("vaccine",),
    "vaccination": ("vaccine",),
    "cytokine-based": ("cytokine",),
    "cytokine therapy": ("cytokine",),
    "cytokine agents": ("cytokine",),
    "ido inhibitor": ("IDO inhibitor",),
    "ido inhibitors": ("IDO inhibitor",),
    "ido1 inhibitor": ("IDO inhibitor",),
    "ido inhibition": ("IDO inhibitor",),
    "ido pathway inhibitors": ("IDO inhibitor",),
}

# Class abbreviations matched case-sensitively.
CLASS_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "TKI": ("TKI",),
    "TKIs": ("TKI",),
    "OVs": ("oncolytic virus",),
}

# Subtypes: canonical abbreviation -> (label, names, case-sensitive abbreviations).
SUBTYPES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "UPS": (
        "undifferentiated pleomorphic sarcoma",
        ("undifferentiated pleomorphic sarcoma", "malignant fibrous histiocytoma"),
        ("UPS",),
    ),
    "ASPS": ("alveolar soft part sarcoma", ("alveolar soft part sarcoma",), ("ASPS",)),
    "SS": ("synovial sarcoma", ("synovial sarcoma",), ("SS", "SyS")),
    "DDLPS": (
        "dedifferentiated liposarcoma",
        ("dedifferentiated liposarcoma",),
        ("DDLPS", "DDLS"),
    ),
    "WDLPS": (
        "well-differentiated liposarcoma",
        (
            "well-differentiated liposarcoma",
            "well differentiated liposarcoma",
            "atypical lipomatous tumor",
            "atypical lipomatous tumour",
        ),
        ("WDLPS", "WDLS"),
    ),
    "MRCLS": (
        "myxoid round cell liposarcoma",
        (
            "myxoid round cell liposarcoma",
            "myxoid/round cell liposarcoma",
            "myxoid liposarcoma",
        ),
        ("MRCLS", "MLS", "MRCL"),
    ),
    "PLPS": ("pleomorphic liposarcoma", ("pleomorphic liposarcoma",), ("PLPS",)),
    "LPS": ("liposarcoma", ("liposarcoma",), ()),
    "LMS": ("leiomyosarcoma", ("leiomyosarcoma",), ("LMS", "uLMS")),
    "CCS": ("clear cell sarcoma", ("clear cell sarcoma",), ("CCS",)),
    "GIST": (
        "gastrointestinal stromal tumor",
        ("gastrointestinal stromal tumor", "gastrointestinal stromal tumour"),
        ("GIST",),
    ),
    "cKS": (
        "classic Kaposi sarcoma",
        (
            "classic kaposi sarcoma",
            "classical kaposi sarcoma",
            "classic kaposi's sarcoma",
            "classical kaposi's sarcoma",
        ),
        ("cKS",),
    ),
    "KS": ("Kaposi sarcoma", ("kaposi sarcoma", "kaposi's sarcoma"), ("KS",)),
    "OS": ("osteosarcoma", ("osteosarcoma", "osteogenic sarcoma"), ()),
    "ES": (
        "Ewing sarcoma",
        ("ewing sarcoma", "ewing's sarcoma", "ewings sarcoma"),
        (),
    ),
    "RMS": (
        "rhabdomyosarcoma",
        ("rhabdomyosarcoma",),
        ("RMS", "ERMS"),
    ),
    "MFS": ("myxofibrosarcoma", ("myxofibrosarcoma",), ("MFS",)),
    "AS": ("angiosarcoma", ("angiosarcoma",), ()),
    "DSRCT": (
        "desmoplastic small round cell tumor",
        (
            "desmoplastic small round cell tumor",
            "desmoplastic small round cell tumour",
        ),
        ("DSRCT",),
    ),
    "CHS": ("chondrosarcoma", ("chondrosarcoma",), ()),
    "EpS": ("epithelioid sarcoma", ("epithelioid sarcoma",), ()),
    "MPNST": (
        "malignant peripheral nerve sheath tumor",
        (
            "malignant peripheral nerve sheath tumor",
            "malignant peripheral nerve sheath tumour",
        ),
        ("MPNST",),
    ),
    "DFSP": (
        "dermatofibrosarcoma protuberans",
        ("dermatofibrosarcoma protuberans",),
        ("DFSP",),
    ),
    "SFT": (
        "solitary fibrous tumor",
        ("solitary fibrous tumor", "solitary fibrous tumour"),
        ("SFT",),
    ),
    "DT": (
        "desmoid tumor",
        ("desmoid tumor", "desmoid tumour", "desmoid fibromatosis"),
        (),
    ),
    "PEComa": (
        "perivascular epithelioid cell tumor",
        ("pecoma", "perivascular epithelioid cell tumor"),
        (),
    ),
    "ESS": ("endometrial stromal sarcoma", ("endometrial stromal sarcoma",), ("ESS",)),
    "FS": ("fibrosarcoma", ("fibrosarcoma",), ()),
}

# Named trials without a regular pattern (matched like names) -> canonical name.
TRIAL_NAMES: dict[str, str] = {
    "tappas": "TAPPAS",
    "envasarc": "ENVASARC",
    "alliance a091401": "A091401",
}

# Named trials found in the seed review, for help texts.
KNOWN_TRIALS: tuple[str, ...] = (
    "SARC028",
    "SARC032",
    "A091401",
    "SPEARHEAD-1",
    "ImmunoSarc",
    "ImmunoSarc-I",
    "ImmunoSarc-II",
    "KEYNOTE-252",
    "STRIvE-02",
    "HEROS 2.0",
)
