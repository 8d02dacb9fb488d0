"""The fields of a treatment-records file and the rules checked on them, as data.

Spec: treatment-data.md, "The file" and "Checks". Reading, normalising and checking all
look these tables up; none of them holds its own copy.
"""

from __future__ import annotations

import polars as pl

FIELDS: tuple[str, ...] = (
    "AGNCY",
    "CLIENTID",
    "EPISODID",
    "CONSENT",
    "DAT",
    "FINITIAL",
    "SINITIAL",
    "DOB",
    "SEX",
    "ETHNIC",
    "REFLD",
    "TRIAGED",
    "CPLANDT",
    "DRUG1",
    "DRUG2",
    "DRUG3",
    "INJSTAT",
    "RFLS",
    "HEPBSTAT",
    "HEPCSTAT",
    "DISD",
    "DISRSN",
    "MODID",
    "MODAL",
    "REFMODDT",
    "FAOMODDT",
    "MODST",
    "MODEND",
    "MODEXIT",
)
DATE_FIELDS: tuple[str, ...] = (
    "DOB",
    "REFLD",
    "TRIAGED",
    "CPLANDT",
    "DISD",
    "REFMODDT",
    "FAOMODDT",
    "MODST",
    "MODEND",
)
MODALITY_FIELDS: tuple[str, ...] = (
    "MODID",
    "MODAL",
    "REFMODDT",
    "FAOMODDT",
    "MODST",
    "MODEND",
    "MODEXIT",
)
EPISODE_FIELDS: tuple[str, ...] = tuple(f for f in FIELDS if f not in MODALITY_FIELDS)
NO_CONSENT_FIELDS: tuple[str, ...] = ("AGNCY", "CLIENTID", "EPISODID", "CONSENT")
REQUIRED: tuple[str, ...] = (
    "AGNCY",
    "CLIENTID",
    "EPISODID",
    "CONSENT",
    "DAT",
    "FINITIAL",
    "SINITIAL",
    "DOB",
    "SEX",
    "REFLD",
    "TRIAGED",
    "DRUG1",
)
MODALITY_REQUIRED: tuple[str, ...] = ("MODID", "MODAL", "REFMODDT", "MODST")
# Fields kept exactly as written (references); everything else is upper-cased.
REFERENCE_FIELDS: frozenset[str] = frozenset({"CLIENTID", "EPISODID", "MODID"})

SUBSTANCES: tuple[str, ...] = (
    *("1000", "1011", "1105", "1199", "2100", "2200", "3100", "3200", "3201", "3406"),
    *("4000", "5000", "6000", "7000", "8200", "8300", "8799", "9005"),
)
CODES: dict[str, tuple[str, ...]] = {
    "CONSENT": ("Y", "N"),
    "SEX": ("M", "F"),
    "ETHNIC": tuple("ABCDEFGHJKLMNPRSZ"),
    "INJSTAT": ("C", "P", "N", "Z"),
    "RFLS": ("DIP", "ARR", "PRB", "PRS", "CRT", "SLF", "GP", "HOS", "SOC", "DRG", "OTH"),
    "HEPBSTAT": ("A", "B", "C", "D", "E"),
    "HEPCSTAT": ("A", "B", "D"),
    "MODEXIT": ("A", "B", "C"),
    "DRUG1": SUBSTANCES,
    "DRUG2": SUBSTANCES,
    "DRUG3": SUBSTANCES,
    "DISRSN": tuple(str(n) for n in range(80, 90)),
    "MODAL": tuple(str(n) for n in range(1, 13)),
}
INT_CODE_FIELDS: dict[str, pl.DataType] = {
    "DRUG1": pl.Int16(),
    "DRUG2": pl.Int16(),
    "DRUG3": pl.Int16(),
    "DISRSN": pl.Int8(),
    "MODAL": pl.Int8(),
}
# (earlier, later, strict): the pair is broken when earlier > later (or >= when not strict).
DATE_ORDER: tuple[tuple[str, str, bool], ...] = (
    ("DOB", "REFLD", False),
    ("REFLD", "TRIAGED", True),
    ("TRIAGED", "MODST", True),
    ("REFMODDT", "FAOMODDT", True),
    ("FAOMODDT", "MODST", True),
    ("REFMODDT", "MODST", True),
    ("MODST", "MODEND", True),
    ("MODEND", "DISD", True),
    ("MODST", "DISD", True),
    ("TRIAGED", "DISD", True),
)
CHECK_CODES: tuple[str, ...] = (
    "missing",
    "bad_date",
    "future_date",
    "bad_code",
    "under_18",
    "date_order",
    "episode_conflict",
    "duplicate",
)

# Limits the spec does not state, checked like its own rules (see ``records``): the longest
# value a field may hold, where no other check bounds it (codes and dates are bounded by their
# lists and shapes). The bounds are far above any real value and keep a runaway cell (a
# whole file pasted into one reference) out of the stored rows.
MAX_LENGTHS: dict[str, int] = {
    "AGNCY": 16,
    "DAT": 16,
    "FINITIAL": 16,
    "SINITIAL": 16,
    "CLIENTID": 64,
    "EPISODID": 64,
    "MODID": 64,
}
# Codes of those limits, beside the spec's CHECK_CODES: ``too_long`` (a value longer than
# MAX_LENGTHS allows) and ``extra_cells`` (a row with filled cells beyond the header's last
# column, usually a value holding an unquoted comma: its cells may have moved).
LIMIT_CODES: tuple[str, ...] = ("too_long", "extra_cells")
