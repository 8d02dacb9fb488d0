"""From accepted records to journeys (spec: "From rows to journeys").

Built once per file, then reused for every window. Dates become whole days since 1970-01-01
(``Int32``) so that chaining is integer arithmetic: a journey's end is the running maximum of
its episodes' DISD with an open episode counting as +infinity, and an episode opens a new
journey when its start is more than 21 days after that running maximum.
"""

from __future__ import annotations

import polars as pl

STRUCTURED: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 11, 12)
SUCCESSFUL: tuple[int, ...] = (80, 81, 82)
TRANSFERS: tuple[int, ...] = (83, 84)
CRIMINAL_JUSTICE: tuple[str, ...] = ("DIP", "ARR", "PRB", "PRS", "CRT")
CHAIN_GAP_DAYS = 21
REPRESENTATION_DAYS = 182
_OPEN = 1 << 30  # an open episode's end for the running maximum: later than any real date
_SHIFT = 1 << 30  # keeps packed ends positive for dates before 1970

PERSON_KEY: tuple[str, ...] = ("FINITIAL", "SINITIAL", "DOB", "SEX")
AGE_BANDS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55+")
ETHNIC_GROUPS: tuple[str, ...] = ("white_british", "white_other", "bme", "not_stated")
DRUG_GROUPS: tuple[str, ...] = ("opiate_crack", "opiate_only", "crack_only", "non_ocu")
REFERRAL_GROUPS: tuple[str, ...] = ("criminal_justice", "other")

JOURNEY_COLUMNS: tuple[str, ...] = (
    "pid",
    "jorder",
    "dat",
    "agency",
    "episode",
    "start",
    "end",
    "triage",
    "exit_reason",
    "successful",
    "transfer",
    "represented",
    "opiate",
    "crack",
    "ocu",
    "wait",
    "age",
    "injector",
    "hepb_ok",
    "hepc_ok",
    "care_plan",
    "sex",
    "age_band",
    "ethnic",
    "drug",
    "referral",
)


def _days(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Int32)


def _whole_years(born: pl.Expr, on: pl.Expr) -> pl.Expr:
    later = (on.dt.month().cast(pl.Int32) * 100 + on.dt.day()) < (
        born.dt.month().cast(pl.Int32) * 100 + born.dt.day()
    )
    return on.dt.year() - born.dt.year() - later.cast(pl.Int32)


def _first_of_group(col: str) -> pl.Expr:
    """True on the first row of each run of equal ``col`` (the frame is sorted on it)."""
    return (pl.col(col) != pl.col(col).shift()).fill_null(True)


def _last_of_group(col: str) -> pl.Expr:
    """True on the last row of each run of equal ``col`` (the frame is sorted on it)."""
    return (pl.col(col) != pl.col(col).shift(-1)).fill_null(True)


def _first_by_text(frame: pl.DataFrame, group: str, text: str, then: str | None) -> pl.DataFrame:
    """One row per ``group``: the one with the smallest ``text`` (empty first, as a sort puts
    it), then the smallest ``then``; rows are taken in order for a full tie.

    Only groups with more than one row are sorted, on the strings: ties are rare.
    """
    tied = pl.col(group).is_duplicated()
    single = frame.filter(~tied)
    several = frame.filter(tied)
    if several.height == 0:
        return single
    order = [group, text] if then is None else [group, text, then]
    chosen = several.sort(order, nulls_last=False, maintain_order=True).filter(
        _first_of_group(group)
    )
    return pl.concat([single, chosen])


def _episodes_and_first_modalities(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Episodes (first row of each, ordered by (AGNCY, EPISODID), with ``erank``, ``pid``,
    ``opiate``, ``crack``) and each episode's first structured modality (``erank``,
    ``start``, ``fm_modid``, ``fm_ref``): earliest MODST, ties smallest MODID as text."""
    key = ["AGNCY", "EPISODID"]
    drugs = [pl.col(f"DRUG{i}") for i in (1, 2, 3)]
    used = (
        rows.lazy()
        .filter(pl.col("CONSENT") == "Y")
        .select(
            # rank of (AGNCY, EPISODID) as text: the episode's number and its tie order
            (pl.struct(key).rank("dense") - 1).alias("erank"),
            *key,
            *PERSON_KEY,
            "DAT",
            "ETHNIC",
            "TRIAGED",
            "CPLANDT",
            "INJSTAT",
            "RFLS",
            "HEPBSTAT",
            "HEPCSTAT",
            "DISD",
            "DISRSN",
            pl.any_horizontal([d.is_between(1000, 1199) for d in drugs])
            .fill_null(False)
            .alias("opiate"),
            pl.any_horizontal([d == 3201 for d in drugs]).fill_null(False).alias("crack"),
            "MODAL",
            "MODST",
            "MODID",
            "REFMODDT",
        )
        .collect()
    )
    # every row of an accepted episode carries the same episode fields: take the first
    episodes = (
        used.lazy()
        .filter(pl.col("erank").is_first_distinct())
        .drop("MODAL", "MODST", "MODID", "REFMODDT")
        .sort("erank")
        .with_columns(pid=pl.struct(PERSON_KEY).rank("dense"))
        .collect()
    )
    # first structured modality: earliest MODST, ties smallest MODID as text
    earliest = (
        used.lazy()
        .filter(pl.col("MODAL").is_in(STRUCTURED) & pl.col("MODST").is_not_null())
        .select(
            "erank",
            pl.col("MODST").alias("start"),
            pl.col("MODID").alias("fm_modid"),
            pl.col("REFMODDT").alias("fm_ref"),
        )
        .filter(pl.col("start") == pl.col("start").min().over("erank"))
        .collect()
    )
    return episodes, _first_by_text(earliest, "erank", "fm_modid", None)


def build_episodes(rows: pl.DataFrame) -> pl.DataFrame:
    """One row per episode (AGNCY, EPISODID) of the rows with consent.

    Adds ``pid`` (person), ``erank`` (rank of (AGNCY, EPISODID) as text, for tie rules),
    ``start`` (earliest structured MODST) and the first structured modality's MODID and
    REFMODDT (``fm_modid``, ``fm_ref``).
    """
    episodes, first_mod = _episodes_and_first_modalities(rows)
    return episodes.join(first_mod, on="erank", how="left", maintain_order="left")


def build_journeys(rows: pl.DataFrame) -> pl.DataFrame:
    """Chain each person's treatment episodes into journeys; adults only (age >= 18).

    ``rows`` is the accepted-records table (``CheckResult.accepted``); CONSENT N rows are
    ignored. Dates in the result (``start``, ``end``, ``triage``, ``care_plan``) are days
    since 1970-01-01; ``end`` is null while the journey is open.
    """
    episodes, first_mod = _episodes_and_first_modalities(rows)
    triages = (
        episodes.select("pid", _days("TRIAGED").alias("tri")).drop_nulls().unique().sort("tri")
    )
    treat = (
        episodes.join(first_mod, on="erank", how="inner")
        .select(
            "pid",
            "erank",
            "AGNCY",
            "EPISODID",
            "DAT",
            "ETHNIC",
            "INJSTAT",
            "RFLS",
            "HEPBSTAT",
            "HEPCSTAT",
            "DISRSN",
            "opiate",
            "crack",
            "DOB",
            "SEX",
            "fm_modid",
            s=_days("start"),
            e=_days("DISD"),
            tri=_days("TRIAGED"),
            cplan=_days("CPLANDT"),
            fm_wait=_days("start") - _days("fm_ref"),
        )
        .sort(["pid", "s", "tri", "erank"])
    )
    # journey end so far = running max of earlier episodes' ends (open = +inf); an episode
    # starts a new journey when it is the person's first or starts > 21 days after that end
    # (rows are sorted by person, so pid * 2^32 + end makes one global cum_max restart at
    # each person: much cheaper than a window over every person)
    packed = pl.col("pid").cast(pl.Int64) * (1 << 32) + pl.col("e").fill_null(_OPEN) + _SHIFT
    first_of_person = pl.col("pid") != pl.col("pid").shift()
    prev_end = packed.cum_max().shift() - pl.col("pid").cast(pl.Int64) * (1 << 32) - _SHIFT
    treat = treat.with_columns(
        jid=(first_of_person.fill_null(True) | (pl.col("s") > prev_end + CHAIN_GAP_DAYS)).cum_sum()
    ).with_columns(pl.col("jid").set_sorted())  # a running count of journeys so far
    person_ethnic = (
        treat.filter(pl.col("ETHNIC").is_not_null() & (pl.col("ETHNIC") != "Z"))
        .group_by("pid")
        .agg(pl.col("ETHNIC").last().alias("person_ethnic"))
    )
    # rows are in journey order: every per-journey part below is one row per jid, by jid
    journeys = treat.group_by("jid", maintain_order=True).agg(
        pl.col("pid").first(),
        pl.col("s").min().alias("start"),
        pl.col("tri").min().alias("triage"),
        pl.when(pl.col("e").is_null().any()).then(None).otherwise(pl.col("e").max()).alias("end"),
        pl.col("opiate").any(),
        pl.col("crack").any(),
        pl.col("DOB").first(),
        pl.col("SEX").first().alias("sex"),
    )
    # tie rules by one integer sort each, then the first or last episode of each journey
    by_start = treat.sort(["jid", "s", "erank"])
    latest = by_start.filter(_last_of_group("jid")).select(
        pl.col("DAT").alias("dat"),
        pl.col("AGNCY").alias("agency"),
        pl.col("EPISODID").alias("episode"),
        pl.col("erank").alias("_lrank"),
        pl.col("INJSTAT").alias("_inj"),
        pl.col("HEPBSTAT").alias("_hepb"),
        pl.col("HEPCSTAT").alias("_hepc"),
        pl.col("cplan").alias("care_plan"),
    )
    earliest = by_start.filter(_first_of_group("jid")).select(pl.col("RFLS").alias("_rfls"))
    exits = (
        treat.sort(["jid", "e", "erank"], nulls_last=False)
        .filter(_last_of_group("jid"))
        .select(pl.col("DISRSN").alias("exit_reason"))
    )
    # wait: the journey's first structured modality (earliest start, then smallest MODID as
    # text, then smaller episode rank); only journeys with a tie on the start need the text
    first_starts = by_start.filter(pl.col("s") == pl.col("s").first().over("jid")).select(
        "jid", "fm_modid", "erank", pl.col("fm_wait").alias("wait")
    )
    waits = _first_by_text(first_starts, "jid", "fm_modid", "erank").sort("jid").select("wait")
    journeys = pl.concat([journeys, latest, earliest, exits, waits], how="horizontal")
    journeys = journeys.with_columns(
        pl.when(pl.col("end").is_null())
        .then(None)
        .otherwise(pl.col("exit_reason"))
        .alias("exit_reason"),
        _whole_years(pl.col("DOB"), pl.col("start").cast(pl.Date)).alias("age"),
    ).filter(pl.col("age") >= 18)
    journeys = _with_representation(journeys, triages)
    journeys = journeys.join(person_ethnic, on="pid", how="left")
    # (agency, episode) of the latest episode sort as its rank does
    journeys = journeys.sort(["pid", "start", "triage", "_lrank"]).with_row_index("jorder")
    return journeys.select(_derived()).select(JOURNEY_COLUMNS)


def _with_representation(journeys: pl.DataFrame, triages: pl.DataFrame) -> pl.DataFrame:
    """``represented``: the person had a triage within 182 days after the journey's end."""
    ended = (
        journeys.filter(pl.col("end").is_not_null())
        .select("jid", "pid", "end", (pl.col("end") + 1).alias("_after"))
        .sort("_after")
    )
    nxt = ended.join_asof(
        triages,
        left_on="_after",
        right_on="tri",
        by="pid",
        strategy="forward",
        check_sortedness=False,  # both sides are sorted on the key above
    ).select(
        "jid",
        (
            pl.col("tri").is_not_null() & (pl.col("tri") <= pl.col("end") + REPRESENTATION_DAYS)
        ).alias("represented"),
    )
    return journeys.join(nxt, on="jid", how="left").with_columns(
        pl.col("represented").fill_null(False)
    )


def _derived() -> list[pl.Expr]:
    c = pl.col
    age = c("age")
    return [
        c("pid"),
        c("jorder"),
        c("dat"),
        c("agency"),
        c("episode"),
        c("start"),
        c("end"),
        c("triage"),
        c("exit_reason"),
        c("exit_reason").is_in(SUCCESSFUL).fill_null(False).alias("successful"),
        c("exit_reason").is_in(TRANSFERS).fill_null(False).alias("transfer"),
        c("represented"),
        c("opiate"),
        c("crack"),
        (c("opiate") | c("crack")).alias("ocu"),
        c("wait"),
        age,
        c("_inj").is_in(["C", "P"]).fill_null(False).alias("injector"),
        c("_hepb").is_in(["A", "C", "E"]).fill_null(False).alias("hepb_ok"),
        (c("_hepc") == "A").fill_null(False).alias("hepc_ok"),
        c("care_plan"),
        c("sex"),
        pl.when(age < 25)
        .then(pl.lit("18-24"))
        .when(age < 35)
        .then(pl.lit("25-34"))
        .when(age < 45)
        .then(pl.lit("35-44"))
        .when(age < 55)
        .then(pl.lit("45-54"))
        .otherwise(pl.lit("55+"))
        .alias("age_band"),
        pl.when(c("person_ethnic") == "A")
        .then(pl.lit("white_british"))
        .when(c("person_ethnic").is_in(["B", "C"]))
        .then(pl.lit("white_other"))
        .when(c("person_ethnic").is_null())
        .then(pl.lit("not_stated"))
        .otherwise(pl.lit("bme"))
        .alias("ethnic"),
        pl.when(c("opiate") & c("crack"))
        .then(pl.lit("opiate_crack"))
        .when(c("opiate"))
        .then(pl.lit("opiate_only"))
        .when(c("crack"))
        .then(pl.lit("crack_only"))
        .otherwise(pl.lit("non_ocu"))
        .alias("drug"),
        pl.when(c("_rfls").is_in(CRIMINAL_JUSTICE))
        .then(pl.lit("criminal_justice"))
        .otherwise(pl.lit("other"))
        .alias("referral"),
    ]
