"""Synthetic, realistic treatment records in the spec's file shape (no real people).

Each partnership is generated on its own from ``(seed, partnership index)``, with numpy
arrays for people, episodes and modalities, so output is deterministic by seed, a chunk per
partnership can be streamed to disk, and the national file (150 partnerships, ~1.5 million
rows) needs memory for one partnership at a time. Identifiers are synthetic: random initials
and numbered references.

The mix: opiate, crack, cocaine, cannabis, alcohol and other users; prescribing, psychosocial,
residential, alcohol and open-access modalities; transfers to another agency within 21 days
(chained journeys); planned and unplanned exits; re-presentations (some within 182 days);
waits over three weeks; hepatitis statuses; no-consent episodes; agencies that write dates as
DD/MM/YYYY or codes in lower case; and a controlled share of bad rows, spread over every check
code (missing, bad_date, future_date, bad_code, under_18, date_order, episode_conflict,
duplicate).
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from .fields import FIELDS

EPOCH = dt.date(1970, 1, 1)
BAD_CODES: tuple[str, ...] = (
    "missing",
    "bad_date",
    "future_date",
    "bad_code",
    "under_18",
    "date_order",
    "episode_conflict",
    "duplicate",
)
NATIONAL_PARTNERSHIPS = 150
NATIONAL_PEOPLE = 5300  # per partnership: with the default 3 years, about 1.5 million rows

# drug profiles: (name, probability, DRUG1 choices)
_PROFILES: tuple[tuple[str, float, tuple[int, ...]], ...] = (
    ("opiate_crack", 0.30, (1011,)),
    ("opiate", 0.22, (1011, 1105, 1000)),
    ("crack", 0.05, (3201,)),
    ("cocaine", 0.08, (3200,)),
    ("cannabis", 0.12, (5000,)),
    ("alcohol", 0.18, (7000,)),
    ("other", 0.05, (2200, 3100, 3406, 9005)),
)
_STRUCTURED_BY_PROFILE: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
    "opiate_crack": ((2, 3, 4, 1, 6), (0.55, 0.25, 0.1, 0.05, 0.05)),
    "opiate": ((2, 3, 4, 1, 6), (0.55, 0.25, 0.1, 0.05, 0.05)),
    "crack": ((4, 5, 12), (0.7, 0.15, 0.15)),
    "cocaine": ((4, 5, 12), (0.7, 0.15, 0.15)),
    "cannabis": ((4, 12), (0.8, 0.2)),
    "alcohol": ((11, 4, 1, 6), (0.6, 0.25, 0.1, 0.05)),
    "other": ((4, 2, 12), (0.6, 0.2, 0.2)),
}
_RFLS = (
    ("SLF", "GP", "DIP", "ARR", "PRB", "PRS", "CRT", "HOS", "SOC", "DRG", "OTH"),
    (0.3, 0.15, 0.14, 0.05, 0.1, 0.05, 0.03, 0.05, 0.05, 0.05, 0.03),
)
_ETHNIC = (
    ("A", "B", "C", "D", "E", "G", "H", "J", "K", "M", "N", "P", "R", "S", "Z", ""),
    (
        0.78,
        0.03,
        0.02,
        0.01,
        0.01,
        0.01,
        0.02,
        0.02,
        0.01,
        0.02,
        0.01,
        0.01,
        0.01,
        0.01,
        0.02,
        0.01,
    ),
)
_EXITS = ((0, 83, 84, 85, 86, 87, 89), (0.47, 0.08, 0.03, 0.29, 0.07, 0.05, 0.01))


def national_partnerships(count: int = NATIONAL_PARTNERSHIPS) -> list[str]:
    """Partnership codes shaped like ``A09B``: region letter, number, letter."""
    letters = "ABCDEFGHJKLMNPRSTUVW"
    codes = []
    for i in range(count):
        region = letters[i % len(letters)]
        codes.append(f"{region}{(i // len(letters)) + 1:02d}{letters[(i * 7) % len(letters)]}")
    return codes


def _pick(
    rng: np.random.Generator, values: Sequence[object], p: Sequence[float], n: int
) -> np.ndarray:
    prob = np.asarray(p, dtype=float)
    return rng.choice(np.asarray(values, dtype=object), size=n, p=prob / prob.sum())


def _dates(days: np.ndarray, nullable: bool = True) -> pl.Series:
    """Days since 1970 to a Date series; with ``nullable``, -1 means none (dates after 1970)."""
    s = pl.Series("d", days.astype(np.int32))
    if not nullable:
        return s.cast(pl.Date)
    return (
        s.to_frame().select(pl.when(pl.col("d") >= 0).then(pl.col("d")).cast(pl.Date)).to_series()
    )


def _partnership(
    dat: str,
    index: int,
    people: int,
    years: int,
    seed: int,
    as_of: dt.date,
    bad_share: float,
    no_consent_share: float,
) -> pl.DataFrame:
    rng = np.random.default_rng([seed, index])
    today = (as_of - EPOCH).days
    first_day = today - int(years * 365.25)
    n_ag = int(rng.integers(3, 6))
    agencies = np.array([f"{dat}P{j + 1}" for j in range(n_ag)], dtype=object)
    uk_dates = rng.random(n_ag) < 0.25
    lower_codes = rng.random(n_ag) < 0.1

    # people
    pid = np.arange(people)
    letters = np.array(list(string.ascii_uppercase), dtype=object)
    fin = rng.choice(letters, people)
    sin = rng.choice(letters, people)
    age0 = np.clip(rng.gamma(4.0, 4.5, people) + 18, 18, 85)
    first_ref = rng.integers(first_day - 365, today - 7, people)
    dob = first_ref - (age0 * 365.25).astype(np.int64) - rng.integers(0, 365, people)
    sex = np.where(rng.random(people) < 0.7, "M", "F").astype(object)
    ethnic = _pick(rng, *_ETHNIC, people)
    prof_idx = rng.choice(len(_PROFILES), people, p=[p for _, p, _ in _PROFILES])
    profile = np.array([_PROFILES[i][0] for i in prof_idx], dtype=object)
    drug1 = np.array([rng.choice(_PROFILES[i][2]) for i in prof_idx], dtype=np.int64)
    drug2 = np.where(profile == "opiate_crack", 3201, 0)
    extra = rng.random(people) < 0.35
    drug2 = np.where((drug2 == 0) & extra, rng.choice([5000, 7000, 2200, 3200], people), drug2)
    injector = np.isin(profile, ["opiate_crack", "opiate"])
    injstat = np.where(
        injector,
        _pick(rng, ("C", "P", "N", "Z"), (0.3, 0.35, 0.3, 0.05), people),
        _pick(rng, ("N", "P", "Z", ""), (0.8, 0.05, 0.05, 0.1), people),
    )

    # episodes, slot by slot (a person's next episode depends on how the last one ended)
    ep_cols: dict[str, list[np.ndarray]] = {k: [] for k in ("pid", "slot", "agency", "refld")}
    ep_cols.update({k: [] for k in ("triaged", "start", "disd", "exit", "triage_only", "wait")})
    current = pid.copy()
    refld = first_ref.copy()
    agency = rng.integers(0, n_ag, people)
    for slot in range(6):
        n = len(current)
        if n == 0:
            break
        triage_only = rng.random(n) < 0.08
        triaged = np.minimum(refld + rng.integers(0, 11, n), today)
        long_wait = rng.random(n) < 0.08
        wait = np.where(long_wait, rng.integers(22, 70, n), rng.integers(0, 22, n))
        start = triaged + rng.integers(0, 4, n) + wait
        kind = rng.random(n)
        dur = np.where(
            kind < 0.25,
            rng.integers(10, 84, n),
            np.where(kind < 0.7, rng.integers(84, 366, n), rng.integers(366, 1000, n)),
        )
        exit_reason = _pick(rng, *_EXITS, n).astype(np.int64)
        disd = start + dur
        # triage-only episodes: treatment declined soon after, or still waiting
        declined = triage_only & (rng.random(n) < 0.7)
        disd = np.where(triage_only, np.where(declined, triaged + rng.integers(0, 30, n), -1), disd)
        exit_reason = np.where(triage_only, 88, exit_reason)
        start = np.where(triage_only | (start > today), -1, start)
        disd = np.where((disd > today) | (triage_only & ~declined), -1, disd)
        # a start after as-of means the episode is still waiting: treat as triage only
        triage_only = triage_only | (start < 0)
        disd = np.where(triage_only & (disd >= 0) & (exit_reason != 88), -1, disd)
        for k, v in (
            ("pid", current),
            ("slot", np.full(n, slot)),
            ("agency", agency),
            ("refld", refld),
            ("triaged", triaged),
            ("start", start),
            ("disd", disd),
            ("exit", exit_reason),
            ("triage_only", triage_only),
            ("wait", wait),
        ):
            ep_cols[k].append(v)
        # who comes back, when, and where
        closed = disd >= 0
        transfer = closed & np.isin(exit_reason, [83, 84])
        again = closed & (transfer | (rng.random(n) < 0.4))
        gap = np.where(
            transfer,
            rng.integers(0, 15, n),
            np.where(rng.random(n) < 0.2, rng.integers(1, 182, n), rng.integers(182, 900, n)),
        )
        nxt_ref = disd + gap
        keep = again & (nxt_ref < today - 3)
        current = current[keep]
        refld = nxt_ref[keep]
        agency = np.where(transfer, (agency + 1 + rng.integers(0, n_ag - 1, n)) % n_ag, agency)[
            keep
        ]

    ep = {k: np.concatenate(v) for k, v in ep_cols.items()}
    n_ep = len(ep["pid"])
    p = ep["pid"]
    ep_prof = profile[p]
    # success codes: 81 alcohol, 82 occasional non-opiate/crack use, else 80
    success_code = np.where(
        ep_prof == "alcohol", 81, np.where(np.isin(ep_prof, ["cannabis", "cocaine"]), 82, 80)
    )
    ep["exit"] = np.where(ep["exit"] == 0, success_code, ep["exit"])
    cplandt = np.where(
        (rng.random(n_ep) < 0.85) & ~ep["triage_only"],
        np.minimum(ep["triaged"] + rng.integers(0, 29, n_ep), today),
        -1,
    )
    rfls = _pick(rng, *_RFLS, n_ep)
    rfls = np.where(rng.random(n_ep) < 0.05, "", rfls)
    hepb = np.where(
        injector[p],
        _pick(rng, ("A", "B", "C", "D", "E", ""), (0.45, 0.15, 0.15, 0.1, 0.05, 0.1), n_ep),
        _pick(rng, ("A", "B", "D", ""), (0.1, 0.1, 0.3, 0.5), n_ep),
    )
    hepc = np.where(
        injector[p],
        _pick(rng, ("A", "B", "D", ""), (0.6, 0.15, 0.1, 0.15), n_ep),
        _pick(rng, ("A", "D", ""), (0.1, 0.4, 0.5), n_ep),
    )
    # modalities: 1-3 per treatment episode, the first structured
    n_mod = np.where(ep["triage_only"], 1, rng.choice([1, 2, 3], n_ep, p=[0.6, 0.3, 0.1]))
    row_ep = np.repeat(np.arange(n_ep), n_mod)
    mod_no = np.arange(len(row_ep)) - np.repeat(np.cumsum(n_mod) - n_mod, n_mod)
    n_rows = len(row_ep)
    r_start = ep["start"][row_ep]
    r_disd = ep["disd"][row_ep]
    r_tonly = ep["triage_only"][row_ep]
    r_prof = ep_prof[row_ep]
    has_mod = ~r_tonly
    limit = np.where(r_disd >= 0, r_disd, today)
    span = np.maximum(limit - r_start, 0)
    later = (rng.random(n_rows) * np.maximum(span - 1, 0)).astype(np.int64) + 1
    modst = np.where(mod_no == 0, r_start, np.minimum(r_start + later, limit))
    structured_mod = np.empty(n_rows, dtype=np.int64)
    for name, (codes, probs) in _STRUCTURED_BY_PROFILE.items():
        sel = r_prof == name
        structured_mod[sel] = rng.choice(codes, int(sel.sum()), p=probs)
    open_access = rng.choice([7, 8, 9, 10], n_rows, p=[0.4, 0.3, 0.1, 0.2])
    modal = np.where((mod_no > 0) & (rng.random(n_rows) < 0.4), open_access, structured_mod)
    r_wait = ep["wait"][row_ep]
    refmod = np.where(mod_no == 0, modst - r_wait, modst - rng.integers(0, 15, n_rows))
    refmod = np.maximum(refmod, ep["triaged"][row_ep])
    fao = np.where(
        rng.random(n_rows) < 0.8, refmod + ((modst - refmod) * rng.random(n_rows)).astype(int), -1
    )
    ended_mod = (r_disd >= 0) | (rng.random(n_rows) < 0.3)
    modend = np.where(
        r_disd >= 0,
        np.maximum(r_disd - rng.integers(0, 8, n_rows), modst),
        modst + ((today - modst) * rng.random(n_rows)).astype(int),
    )
    modend = np.where(ended_mod & has_mod, np.minimum(modend, limit), -1)
    r_exit = ep["exit"][row_ep]
    modexit = np.where(
        np.isin(r_exit, [80, 81, 82]), "A", np.where(rng.random(n_rows) < 0.8, "B", "C")
    )
    modexit = np.where(modend >= 0, modexit, "")

    # one row per modality, episode fields repeated
    pe = p[row_ep]
    agency_idx = ep["agency"][row_ep]
    episod = np.char.add(np.char.add("E", (pe * 10 + ep["slot"][row_ep]).astype(str)), "").astype(
        object
    )
    client = np.char.add(
        "C", ((pe * 2654435761 + agency_idx * 40503) % 4294967291).astype(str)
    ).astype(object)

    def col(values: np.ndarray) -> pl.Series:
        return pl.Series(values.astype(str) if values.dtype != object else values, dtype=pl.String)

    frame = pl.DataFrame(
        {
            "AGNCY": pl.Series(agencies[agency_idx], dtype=pl.String),
            "CLIENTID": col(client),
            "EPISODID": col(episod),
            "CONSENT": pl.Series(["Y"] * n_rows, dtype=pl.String),
            "DAT": pl.Series([dat] * n_rows, dtype=pl.String),
            "FINITIAL": col(fin[pe]),
            "SINITIAL": col(sin[pe]),
            "DOB": _dates(dob[pe], nullable=False),
            "SEX": col(sex[pe]),
            "ETHNIC": col(ethnic[pe]),
            "REFLD": _dates(ep["refld"][row_ep]),
            "TRIAGED": _dates(ep["triaged"][row_ep]),
            "CPLANDT": _dates(cplandt[row_ep]),
            "DRUG1": col(drug1[pe]),
            "DRUG2": col(np.where(drug2[pe] > 0, drug2[pe].astype(str), "")),
            "DRUG3": pl.Series([""] * n_rows, dtype=pl.String),
            "INJSTAT": col(injstat[pe]),
            "RFLS": col(rfls[row_ep]),
            "HEPBSTAT": col(hepb[row_ep]),
            "HEPCSTAT": col(hepc[row_ep]),
            "DISD": _dates(r_disd),
            "DISRSN": col(np.where(r_disd >= 0, r_exit.astype(str), "")),
            "MODID": col(np.where(has_mod, np.char.add("M", (mod_no + 1).astype(str)), "")),
            "MODAL": col(np.where(has_mod, modal.astype(str), "")),
            "REFMODDT": _dates(np.where(has_mod, refmod, -1)),
            "FAOMODDT": _dates(np.where(has_mod, fao, -1)),
            "MODST": _dates(np.where(has_mod, modst, -1)),
            "MODEND": _dates(modend),
            "MODEXIT": col(modexit),
        }
    ).with_columns(
        _uk=pl.Series(uk_dates[agency_idx]),
        _lower=pl.Series(lower_codes[agency_idx]),
        _ep=pl.Series(row_ep),
    )
    frame = _no_consent(frame, rng, no_consent_share)
    frame = _bad_rows(frame, rng, bad_share, as_of)
    return _as_text(frame)


def _no_consent(frame: pl.DataFrame, rng: np.random.Generator, share: float) -> pl.DataFrame:
    n_ep = frame["_ep"].n_unique()  # episodes are numbered 0..n-1
    refused = pl.Series(np.flatnonzero(rng.random(n_ep) < share))
    nc = pl.col("_ep").is_in(refused.implode())
    keep = {"AGNCY", "CLIENTID", "EPISODID", "CONSENT"}
    return frame.with_columns(
        pl.when(nc).then(pl.lit("N")).otherwise(pl.col("CONSENT")).alias("CONSENT"),
        *[pl.when(nc).then(None).otherwise(pl.col(f)).alias(f) for f in FIELDS if f not in keep],
    )


def _bad_rows(
    frame: pl.DataFrame, rng: np.random.Generator, share: float, as_of: dt.date
) -> pl.DataFrame:
    """Spoil a ``share`` of the consented rows, cycling through every check code."""
    frame = frame.with_row_index("_i")
    eligible = frame.filter(
        (pl.col("CONSENT") == "Y") & pl.col("MODID").is_not_null() & (pl.col("MODID") != "")
    )
    multi = eligible.filter(pl.len().over("_ep") > 1)
    n_bad = int(round(share * frame.height))
    if n_bad == 0 or eligible.height == 0:
        return frame.drop("_i").with_columns(_bad_date=pl.lit(False))
    chosen = rng.choice(eligible["_i"].to_numpy(), size=min(n_bad, eligible.height), replace=False)
    codes = np.array(BAD_CODES)[np.arange(len(chosen)) % len(BAD_CODES)]
    pick = {c: pl.Series(chosen[codes == c]).implode() for c in BAD_CODES}
    if multi.height:
        k = int((codes == "episode_conflict").sum())
        conflict_rows = rng.choice(multi["_i"].to_numpy(), size=min(k, multi.height), replace=False)
        pick["episode_conflict"] = pl.Series(conflict_rows).implode()

    def on(code: str) -> pl.Expr:
        return pl.col("_i").is_in(pick[code])

    c = pl.col
    frame = frame.with_columns(
        pl.when(on("missing")).then(None).otherwise(c("DRUG1")).alias("DRUG1"),
        pl.when(on("bad_code")).then(pl.lit("X")).otherwise(c("SEX")).alias("SEX"),
        pl.when(on("future_date"))
        .then(pl.lit(as_of + dt.timedelta(days=30)))
        .when(on("episode_conflict"))
        .then(pl.lit(as_of - dt.timedelta(days=1)))
        .otherwise(c("CPLANDT"))
        .alias("CPLANDT"),
        pl.when(on("under_18"))
        .then(c("REFLD").dt.offset_by("-16y"))
        .otherwise(c("DOB"))
        .alias("DOB"),
        pl.when(on("date_order"))
        .then(c("REFLD") - pl.duration(days=5))
        .otherwise(c("TRIAGED"))
        .alias("TRIAGED"),
        on("bad_date").alias("_bad_date"),
    )
    # the copy follows its original: both kept in the file, the later one is the duplicate
    dups = frame.filter(on("duplicate")).with_columns(c("_i").cast(pl.Float64) + 0.5)
    frame = pl.concat([frame.with_columns(c("_i").cast(pl.Float64)), dups]).sort("_i")
    return frame.drop("_i")


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    c = pl.col
    date_cols = [f for f, t in frame.schema.items() if t == pl.Date]
    codes = ["SEX", "ETHNIC", "INJSTAT", "RFLS", "HEPBSTAT", "HEPCSTAT", "MODEXIT"]
    out = frame.with_columns(
        [
            pl.when(c("_uk"))
            .then(c(f).dt.strftime("%d/%m/%Y"))
            .otherwise(c(f).dt.strftime("%Y-%m-%d"))
            .alias(f)
            for f in date_cols
        ]
    ).with_columns(
        [pl.when(c("_lower")).then(c(f).str.to_lowercase()).otherwise(c(f)).alias(f) for f in codes]
    )
    # a day that does not exist, written in the agency's own format
    out = out.with_columns(
        pl.when(c("_bad_date"))
        .then(pl.when(c("_uk")).then(pl.lit("30/02/2009")).otherwise(pl.lit("2009-02-30")))
        .otherwise(c("REFLD"))
        .alias("REFLD")
    )
    return out.select([pl.col(f).fill_null("") for f in FIELDS])


def iter_partnerships(
    partnerships: Sequence[str],
    people_per_partnership: int = 200,
    years: int = 3,
    seed: int = 0,
    as_of: dt.date | None = None,
    bad_share: float = 0.01,
    no_consent_share: float = 0.02,
) -> Iterator[pl.DataFrame]:
    """One DataFrame of text cells per partnership, in order (for streaming)."""
    as_of = as_of or dt.date.today()
    for i, dat in enumerate(partnerships):
        yield _partnership(
            dat, i, people_per_partnership, years, seed, as_of, bad_share, no_consent_share
        )


def generate(
    partnerships: Sequence[str],
    people_per_partnership: int = 200,
    years: int = 3,
    seed: int = 0,
    as_of: dt.date | None = None,
    bad_share: float = 0.01,
    no_consent_share: float = 0.02,
) -> pl.DataFrame:
    """Synthetic records for ``partnerships`` as a DataFrame of text cells (the CSV's shape)."""
    return pl.concat(
        iter_partnerships(
            partnerships, people_per_partnership, years, seed, as_of, bad_share, no_consent_share
        )
    )


def write_csv(
    path: str | Path,
    partnerships: Sequence[str],
    people_per_partnership: int = 200,
    years: int = 3,
    seed: int = 0,
    as_of: dt.date | None = None,
    bad_share: float = 0.01,
    no_consent_share: float = 0.02,
) -> int:
    """Stream the generated records to ``path`` one partnership at a time; return rows."""
    total = 0
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        for n, chunk in enumerate(
            iter_partnerships(
                partnerships,
                people_per_partnership,
                years,
                seed,
                as_of,
                bad_share,
                no_consent_share,
            )
        ):
            fh.write(chunk.write_csv(include_header=n == 0, line_terminator="\n"))
            total += chunk.height
    return total
