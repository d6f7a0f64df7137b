"""A synthetic demo local authority, built through the real ingest path.

`build_demo()` writes the return files a real LA would receive (a GIAS-like
schools file, termly pupil characteristics files, daily session marks for two
academic years, a few schools' registers as weekly grids, one of them .xlsx)
and loads them with `data_pipeline.load.ingest_files`, so the demo exercises
the same pipeline users use.

Everything is synthetic except the geography: schools sit at real Dudley
postcodes with fictional names and fake URNs (990001+); pupils live at real
Dudley postcodes, so their LSOAs and IMD 2025 deciles are real. Pupil IDs are
`D` + 8 digits and belong to nobody.

The model (all vectorised with numpy; the only Python loop is over school days):
- each enrolment has a latent daily absence probability: a phase base rate x
  year-group x characteristics (FSM, SEN, young carer, social worker, EAL, IMD
  decile) x school effect x a lognormal pupil propensity, with a small
  "severe" component that gives the severe-absence tail, and a within-year
  trajectory (some pupils decline, some improve);
- absence is generated per pupil-day as episodes (a Markov chain: a start
  probability shaped by day of week and season, a reason-specific chance to
  continue), then copied to both sessions most of the time;
- reasons: illness (winter peak), medical appointments (half days), other
  authorised, other unauthorised, not yet known; unauthorised holidays are
  blocks of days next to half terms and term ends;
- overlays: lateness (L, U), approved activities (V trips, P, B, W work
  experience, K), suspensions (E), part-time timetables (C2), sixth-form X,
  planned closures (#), a site closure (Y4), dual registration (D),
  prospective pupils (Z), mid-year joiners, leavers and moves.
The calibration targets are those in ../shared/DOMAIN.md; tests/test_pipeline_demo.py
checks each against the loaded warehouse.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from . import calendar as cal
from .config import REFERENCE_DIR

LA_META = {
    "la_code": "E08000027",
    "old_la_code": "332",
    "la_name": "Dudley (synthetic demo)",
}
LA_CODE = LA_META["la_code"]
YEARS = (2024, 2025)  # previous, current
TERMS = ("autumn", "spring", "summer")
URN0 = 990001

PHASES = ("Primary", "Secondary", "Special", "Alternative provision")
PRI, SEC, SPE, AP = range(4)

# Every code the generator writes, by index in the code matrix.
CODE_LIST = (
    "/",
    "\\",
    "L",
    "B",
    "K",
    "V",
    "P",
    "W",
    "C",
    "C1",
    "C2",
    "E",
    "I",
    "M",
    "J1",
    "T",
    "R",
    "G",
    "N",
    "O",
    "U",
    "X",
    "Y4",
    "Z",
    "#",
    "D",
)
CI = {c: i for i, c in enumerate(CODE_LIST)}
NONE = 255  # no row written

# Day states of the episode process.
PRES, ILL, MED, OAUTH, OUNAUTH, NYK, HOL = range(7)

# ---------------------------------------------------------------------------
# Calibration (see the module docstring and the report in the tests)
# ---------------------------------------------------------------------------
P = {
    # phase base daily absence probability (before multipliers, whose mean is ~1)
    "base": {PRI: 0.0232, SEC: 0.0385, SPE: 0.058, AP: 0.20},
    "prev_year_factor": 1.03,
    # NC year multipliers (index = ncyear, 0..14)
    "ncyear": [1.05, 1.38, 1.18, 1.10, 1.05, 1.05, 1.10, 0.78, 0.90, 1.04, 1.22, 1.42, 1.10, 1.20, 1.0],
    "fsm": 2.05,
    "sen_k": 1.5,
    "sen_e_mainstream": 1.9,
    "young_carer": 1.85,
    "cin": 2.1,
    "cpp": 3.1,
    "cla": 0.8,
    "eal": 0.88,
    "imd_slope": 0.035,  # log multiplier per decile below 5.5
    "female": {PRI: 1.03, SEC: 1.07, SPE: 1.0, AP: 1.0},
    # pupil propensity: gamma with mean 1 (many pupils rarely absent, an exponential tail)
    "shape": 0.65,
    "year_corr": 0.75,
    "severe_p": 0.011,  # share of pupils in the severe component (before covariates)
    "severe_boost": 7.5,
    "max_rate": 0.93,
    # within-year trajectories
    "traj_share": 0.09,  # share declining, and the same share improving
    "traj_slope": 1.6,
    # day-of-week (Mon..Fri) and month profiles of episode starts
    "dow": [1.08, 0.94, 0.90, 0.94, 1.22],
    "month": {
        9: 0.72,
        10: 0.93,
        11: 1.02,
        12: 1.18,
        1: 1.15,
        2: 1.08,
        3: 1.0,
        4: 0.92,
        5: 0.92,
        6: 0.98,
        7: 1.12,
    },
    "ill_month": {
        9: 0.8,
        10: 0.95,
        11: 1.1,
        12: 1.45,
        1: 1.35,
        2: 1.2,
        3: 1.0,
        4: 0.85,
        5: 0.8,
        6: 0.75,
        7: 0.7,
    },
    # reason weights of an episode start; "ounauth" grows with the pupil's rate
    "w": {ILL: 0.54, MED: 0.30, OAUTH: 0.06, OUNAUTH: 0.08, NYK: 0.05},
    "w_ounauth_slope": 0.5,
    "cont": {ILL: 0.64, MED: 0.0, OAUTH: 0.3, OUNAUTH: 0.5, NYK: 0.15},
    "half_day": 0.10,  # an absent day is only one session absent
    # unauthorised holiday blocks
    "holiday_p": {PRI: 0.28, SEC: 0.18, SPE: 0.05, AP: 0.03},
    "holiday_adjacent": 0.75,
}


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def _ref(name: str) -> Path:
    return REFERENCE_DIR / name


def _load_geography() -> pd.DataFrame:
    """Dudley postcodes with LSOA21, IMD 2025 decile, easting and northing."""
    pc = pd.read_csv(_ref("postcode_lsoa21.csv"))
    pc = pc[pc["lad_code"] == LA_CODE] if "lad_code" in pc.columns else pc
    lsoa_path = _ref("lsoa21.parquet")
    if lsoa_path.exists():
        ls = pd.read_parquet(lsoa_path, columns=["lsoa21_code", "imd_decile"])
    else:  # development fallback before the reference file existed
        ls = pd.read_csv(
            REFERENCE_DIR.parents[2] / "shared/data/imd/imd2025_england_lsoa21.csv",
            usecols=["lsoa21_code", "IMD_decile"],
        ).rename(columns={"IMD_decile": "imd_decile"})
    en = pd.read_csv(_ref("demo_dudley_postcodes.csv"))
    geo = pc[["postcode", "lsoa21_code"]].merge(ls, on="lsoa21_code").merge(en, on="postcode")
    geo = geo.dropna(subset=["imd_decile", "easting", "northing"])
    return geo.sort_values("postcode").reset_index(drop=True)


def _school_profile() -> pd.DataFrame:
    return pd.read_csv(_ref("demo_dudley_school_profile.csv"))


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------
_NAME_A = (
    "Ash",
    "Beech",
    "Birch",
    "Brook",
    "Cedar",
    "Elm",
    "Hazel",
    "Holly",
    "Maple",
    "Oak",
    "Rowan",
    "Willow",
    "Alder",
    "Heather",
    "Juniper",
    "Larch",
    "Linden",
    "Poplar",
    "Yew",
    "Meadow",
    "Bramble",
    "Foxglove",
    "Kestrel",
    "Heron",
    "Lark",
    "Swallow",
    "Primrose",
    "Bluebell",
    "Thistle",
    "Clover",
    "Fern",
    "Hawthorn",
    "Chestnut",
    "Sycamore",
    "Ivy",
    "Mill",
    "Spring",
    "Canal",
    "Forge",
    "Quarry",
    "Anvil",
    "Lime",
    "Coppice",
    "Orchard",
)
_NAME_B = (
    "Lane",
    "Field",
    "Grove",
    "Park",
    "Hill",
    "Bank",
    "Green",
    "Vale",
    "Wood",
    "Croft",
    "Meadow",
    "Dale",
    "Rise",
    "Side",
    "Brook",
    "Farm",
    "Cross",
    "End",
    "Gate",
    "Way",
)


def _school_names(rng: np.random.Generator, phases: np.ndarray) -> list[str]:
    combos = [f"{a} {b}" for a in _NAME_A for b in _NAME_B if a != b]
    pick = rng.choice(len(combos), size=len(phases), replace=False)
    names = []
    sec_suffix = ("Academy", "High School", "School", "Community Academy")
    for ph, k in zip(phases, pick):
        base = combos[k]
        if ph == PRI:
            names.append(f"{base} {'Primary School' if k % 4 else 'Primary Academy'}")
        elif ph == SEC:
            names.append(f"{base} {sec_suffix[k % len(sec_suffix)]}")
        elif ph == SPE:
            names.append(f"{base} School")
        else:
            names.append(f"{base} Learning Centre (PRU)")
    return names


# ---------------------------------------------------------------------------
# Schools
# ---------------------------------------------------------------------------


def _make_schools(rng: np.random.Generator, geo: pd.DataFrame, pupils: int, G: float) -> pd.DataFrame:
    s = pupils / 40000
    n = {PRI: max(4, round(62 * s)), SEC: max(2, round(13 * s)), SPE: max(1, round(4 * s)), AP: 1}
    prof = _school_profile()
    phase_of = np.concatenate([np.full(n[p], p) for p in (PRI, SEC, SPE, AP)])
    ns = len(phase_of)
    # Sizes: the real spread of Dudley's school sizes (2018/19), scaled to the cohort.
    rel = np.ones(ns)
    eff = np.ones(ns)
    for p, label in ((PRI, "Primary"), (SEC, "Secondary"), (SPE, "Special")):
        rows = prof[prof["phase"] == label]
        k = rng.choice(len(rows), size=n[p], replace=True)
        en = rows["enrolments"].to_numpy(float)[k]
        en = np.maximum(en, np.quantile(rows["enrolments"], 0.1) if p != SPE else 50)
        rel[phase_of == p] = en / en.mean()
        # School effects: the real relative absence of the sampled school, damped
        # (part of it is intake, which the pupils' own characteristics carry).
        ra = rows["overall_absence_pct"].to_numpy(float)[k]
        eff[phase_of == p] = (ra / rows["overall_absence_pct"].mean()) ** 0.55
    eff *= np.exp(rng.normal(0, 0.06, ns))
    # Each phase's size-weighted mean effect is 1, so the phase rates do not
    # depend on which real schools happened to be sampled.
    for p in (PRI, SEC, SPE):
        m = phase_of == p
        eff[m] /= np.average(eff[m], weights=rel[m])
    # A few clear outliers for the funnel plot: two high, one low.
    pri_idx = np.flatnonzero(phase_of == PRI)
    sec_idx = np.flatnonzero(phase_of == SEC)
    big_pri = pri_idx[np.argsort(-rel[pri_idx])]
    eff[big_pri[1]] = 1.75
    eff[big_pri[3]] = 0.55
    eff[sec_idx[np.argsort(-rel[sec_idx])][min(2, len(sec_idx) - 1)]] = 1.45
    # Locations: real postcodes, spread out (rejection within phase).
    xy = geo[["easting", "northing"]].to_numpy(float)
    min_d = {PRI: 700.0, SEC: 1800.0, SPE: 2500.0, AP: 0.0}
    chosen = []
    order = rng.permutation(len(geo))
    pos = 0
    for i in range(ns):
        p = phase_of[i]
        while True:
            cand = order[pos % len(order)]
            pos += 1
            ok = all(
                np.hypot(*(xy[cand] - xy[j])) >= min_d[p] * (1 if pos < 20 * len(order) else 0)
                for j, pj in zip(chosen, phase_of[: len(chosen)])
                if pj == p
            )
            if ok:
                chosen.append(cand)
                break
    chosen = np.array(chosen)
    sch = pd.DataFrame(
        {
            "urn": URN0 + np.arange(ns),
            "phase_i": phase_of,
            "rel_size": rel,
            "effect": eff,
            "postcode": geo["postcode"].to_numpy()[chosen],
            "easting": xy[chosen, 0],
            "northing": xy[chosen, 1],
        }
    )
    sch["name"] = _school_names(rng, phase_of)
    # Sixth forms at about 60% of secondaries (the largest ones first).
    sixth = np.zeros(ns, bool)
    if len(sec_idx):
        order_sec = sec_idx[np.argsort(-rel[sec_idx])]
        sixth[order_sec[: max(1, round(0.6 * len(sec_idx)))]] = True
    sch["sixth_form"] = sixth
    return sch


def _assign(rng, home_xy, sch_xy, cap, scale):
    """Pick a school per child: capacity x distance decay, balanced to capacity."""
    d = np.hypot(home_xy[:, None, 0] - sch_xy[None, :, 0], home_xy[:, None, 1] - sch_xy[None, :, 1])
    k = np.exp(-d / scale)
    w = cap.astype(float).copy()
    for _ in range(6):
        pr = k * w
        pr /= pr.sum(1, keepdims=True)
        exp_n = pr.sum(0)
        w *= (cap / cap.sum() * len(home_xy) / np.maximum(exp_n, 1e-9)) ** 0.8
    pr = k * w
    cum = np.cumsum(pr, 1)
    cum /= cum[:, -1:]
    u = rng.random(len(home_xy))[:, None]
    return np.minimum((u > cum).sum(1), len(cap) - 1)


# ---------------------------------------------------------------------------
# Children
# ---------------------------------------------------------------------------


def _make_children(rng, geo: pd.DataFrame, sch: pd.DataFrame, G: float) -> pd.DataFrame:
    cohorts = np.arange(0, 15)  # current ncyear 0..14 (14: previous-year Y13 / special Y14)
    sizes = rng.poisson(G, len(cohorts))
    cy = np.repeat(cohorts, sizes)
    n = len(cy)
    male = rng.random(n) < 0.51
    special = rng.random(n) < np.where(male, 0.022, 0.010)
    # Home: LSOAs weighted towards the more deprived (more children there), then a postcode.
    dec = geo["imd_decile"].to_numpy()
    lsoa = geo["lsoa21_code"].to_numpy()
    _, lsoa_inv, lsoa_n = np.unique(lsoa, return_inverse=True, return_counts=True)
    w = (1 + 0.07 * (10 - dec)) / lsoa_n[lsoa_inv]
    home = rng.choice(len(geo), size=n, p=w / w.sum())
    imd = dec[home]
    # Ethnicity (Dudley-like pupil shares), more Asian and Black pupils in deprived areas.
    eth_names = np.array(["White", "Asian", "Black", "Mixed", "Other", "Unclassified"])
    base = np.array([0.77, 0.115, 0.032, 0.055, 0.014, 0.014])
    tilt = np.exp(np.outer((5.5 - imd) / 4.5, [0, 0.5, 0.5, 0.15, 0.3, 0]))
    pe = base * tilt
    pe /= pe.sum(1, keepdims=True)
    eth = (rng.random(n)[:, None] > np.cumsum(pe, 1)).sum(1)
    eth = np.minimum(eth, 5)
    eal = rng.random(n) < np.array([0.06, 0.66, 0.45, 0.10, 0.6, 0.15])[eth]
    # FSM (final state), more likely in deprived neighbourhoods.
    p_fsm = 1 / (1 + np.exp(-(-1.55 + 0.27 * (5.5 - imd))))
    p_fsm = np.where(special, np.minimum(1, p_fsm * 1.6), p_fsm)
    fsm = rng.random(n) < p_fsm
    # SEN (final state); special-school pupils all have an EHCP.
    u = rng.random(n)
    k_p = 0.125 * np.where(male, 1.35, 0.65) * np.where(fsm, 1.55, 0.85)
    e_p = 0.028 * np.where(male, 1.5, 0.5) * np.where(fsm, 1.3, 0.9)
    sen = np.where(u < e_p, "E", np.where(u < e_p + k_p, "K", "N"))
    sen[special] = "E"
    # Social care: mutually exclusive CLA / CPP / CIN (CIN without a plan or care).
    u = rng.random(n)
    sc_mult = np.where(fsm, 2.4, 0.55) * np.where(sen != "N", 1.5, 0.9)
    cla = u < 0.007 * sc_mult
    cpp = (~cla) & (u < (0.007 + 0.010) * sc_mult)
    cin = (~cla) & (~cpp) & (u < (0.017 + 0.030) * sc_mult)
    yc = rng.random(n) < 0.02 * np.where(fsm, 1.7, 0.75) * np.where(cy >= 7, 1.3, 0.75)
    ever6 = fsm | (rng.random(n) < 0.10 * (imd <= 5))
    # Terms (0..5 over previous and current years) from which FSM / SEN support apply.
    fsm_from = np.where(rng.random(n) < 0.12, rng.integers(1, 6, n), 0)
    sen_from = np.where((sen == "K") & (rng.random(n) < 0.15), rng.integers(1, 6, n), 0)
    ehcp_from = np.where((sen == "E") & ~special & (rng.random(n) < 0.12), rng.integers(1, 6, n), 0)
    sixth = rng.random(n) < 0.55
    ev = rng.random((2, n))  # in-year events (join, leave, move) of each year, see _enrolments
    # Latent absence propensity, persistent across the two years.
    k, rho = P["shape"], P["year_corr"]
    shared = rng.gamma(k * rho, 1 / k, n)
    z = shared + rng.gamma(k * (1 - rho), 1 / k, n)
    z_prev = shared + rng.gamma(k * (1 - rho), 1 / k, n)
    sev_p = (
        P["severe_p"] * np.where(fsm, 1.6, 0.8) * np.where(cin | cpp, 1.8, 1) * np.where(cy <= 6, 0.35, 1.2)
    )
    severe = rng.random(n) < sev_p
    rng.random((3, n))  # (kept so that the random streams, and the calibration, stay as they were)
    severe_prev = np.where(severe, rng.random(n) < 0.55, rng.random(n) < sev_p * 0.5)
    ch = pd.DataFrame(
        {
            "cy": cy,
            "male": male,
            "special": special,
            "home": home,
            "imd": imd,
            "eth": eth_names[eth],
            "eal": eal,
            "fsm": fsm,
            "sen": sen,
            "cla": cla,
            "cpp": cpp,
            "cin": cin,
            "yc": yc,
            "ever6": ever6,
            "fsm_from": fsm_from,
            "sen_from": sen_from,
            "ehcp_from": ehcp_from,
            "sixth": sixth,
            "z": z,
            "z_prev": z_prev,
            "severe": severe,
            "severe_prev": severe_prev,
            "ev0": ev[0],
            "ev1": ev[1],
        }
    )
    # Schools: a primary and a secondary near home; special pupils a special school.
    home_xy = geo[["easting", "northing"]].to_numpy(float)[home]
    for col, ph, scale in (("pri", PRI, 1500.0), ("sec", SEC, 3000.0), ("spe", SPE, 8000.0)):
        idx = np.flatnonzero(sch["phase_i"].to_numpy() == ph)
        sxy = sch[["easting", "northing"]].to_numpy(float)[idx]
        ch[col] = idx[_assign(rng, home_xy, sxy, sch["rel_size"].to_numpy()[idx], scale)]
    ch["alt_pri"] = _other(rng, ch["pri"].to_numpy(), np.flatnonzero(sch["phase_i"].to_numpy() == PRI))
    ch["alt_sec"] = _other(rng, ch["sec"].to_numpy(), np.flatnonzero(sch["phase_i"].to_numpy() == SEC))
    # Alternative provision: a few secondary-age pupils, sole or dual registered.
    u = rng.random(n)
    ap_p = np.where(fsm, 2.0, 0.6) * np.where(sen != "N", 2.0, 0.8) * np.where(severe, 3, 1)
    secage = (cy >= 8) & (cy <= 11) & ~special
    ch["ap"] = np.where(secage & (u < 0.0045 * ap_p), 1, np.where(secage & (u < 0.0070 * ap_p), 2, 0))
    ch["pupil_id"] = [f"D{x:08d}" for x in rng.choice(90_000_000, n, replace=False) + 10_000_000]
    return ch


def _other(rng, cur, pool):
    """A different school from the same pool (for moves between schools)."""
    alt = pool[rng.integers(0, len(pool), len(cur))]
    same = alt == cur
    alt[same] = pool[(np.searchsorted(pool, alt[same]) + 1) % len(pool)]
    return alt


# ---------------------------------------------------------------------------
# Enrolments per year
# ---------------------------------------------------------------------------

JOIN, LEAVE, MOVE = 0.025, 0.02, 0.013  # shares of pupils joining, leaving, moving mid-year


def _enrolments(rng, ch: pd.DataFrame, sch: pd.DataFrame, yi: int, n_days: int) -> pd.DataFrame:
    """One row per enrolment (child x school) in year yi (0 previous, 1 current)."""
    nc = ch["cy"].to_numpy() - (1 - yi)
    sixth_school = sch["sixth_form"].to_numpy()[ch["sec"].to_numpy()]
    special = ch["special"].to_numpy()
    mainstream_ok = ((nc >= 0) & (nc <= 11)) | (
        (nc >= 12) & (nc <= 13) & ch["sixth"].to_numpy() & sixth_school
    )
    ok = np.where(special, (nc >= 0) & (nc <= 14), mainstream_ok)
    n = len(ch)
    # Churn between years: some arrive new this year, some left after last year.
    u_arr = rng.random(n)
    ev0, ev1 = ch["ev0"].to_numpy(), ch["ev1"].to_numpy()
    ok &= ~((yi == 0) & (u_arr < 0.03))  # arrived in the current year: no previous-year record
    ok &= ~((yi == 1) & (u_arr > 0.97))  # left after the previous year
    ok &= ~((yi == 0) & (ev1 < JOIN))  # joins mid-way through the current year: new to the LA
    ok &= ~((yi == 1) & (ev0 >= JOIN) & (ev0 < JOIN + LEAVE))  # left mid-way through the previous year
    school = np.where(special, ch["spe"], np.where(nc <= 6, ch["pri"], ch["sec"])).astype(int)
    ap = (
        ch["ap"].to_numpy()
        if yi == 1
        else np.where(ch["ap"].to_numpy() > 0, (rng.random(n) < 0.3) * ch["ap"].to_numpy(), 0)
    )
    ap_urn_idx = int(np.flatnonzero(sch["phase_i"].to_numpy() == AP)[0])
    sole_ap = (ap == 1) & ok & ~special & (nc >= 7) & (nc <= 11)
    school = np.where(sole_ap, ap_urn_idx, school)
    ev = ev1 if yi == 1 else ev0
    start = np.zeros(n, int)
    end = np.full(n, n_days)
    join = ev < JOIN
    leave = (ev >= JOIN) & (ev < JOIN + LEAVE)
    move = (ev >= JOIN + LEAVE) & (ev < JOIN + LEAVE + MOVE) & ~special & ~sole_ap & (ap != 2)
    if yi == 1:  # at most one move between schools over the two years
        move &= ~((ev0 >= JOIN + LEAVE) & (ev0 < JOIN + LEAVE + MOVE))
    start[join] = rng.integers(8, n_days - 10, join.sum())
    end[leave] = rng.integers(10, n_days - 5, leave.sum())
    t_move = rng.integers(15, n_days - 25, n)
    gap = rng.integers(0, 8, n)
    alt = np.where(nc <= 6, ch["alt_pri"], ch["alt_sec"]).astype(int)
    z_start = np.full(n, -1)
    zj = join & (rng.random(n) < 0.5)
    z_start[zj] = np.maximum(0, start[zj] - rng.integers(3, 11, zj.sum()))
    rows = []
    idx = np.flatnonzero(ok)
    base = dict(child=idx, nc=nc[idx], dual=np.zeros(len(idx), int))
    # Moves within the LA: previous school up to t, the other school from t + gap.
    mv = move[idx]
    first_school = np.where(mv, np.where(yi == 0, alt[idx], school[idx]), school[idx])
    second_school = np.where(yi == 0, school[idx], alt[idx])
    rows.append(
        pd.DataFrame(
            {
                **base,
                "school": first_school,
                "start": start[idx],
                "end": np.where(mv, t_move[idx], end[idx]),
                "z_start": z_start[idx],
            }
        )
    )
    mi = idx[mv]
    zm = rng.random(len(mi)) < 0.5
    s2 = np.minimum(t_move[mi] + gap[mi], n_days - 5)
    rows.append(
        pd.DataFrame(
            {
                "child": mi,
                "nc": nc[mi],
                "dual": 0,
                "school": second_school[mv],
                "start": s2,
                "end": n_days,
                "z_start": np.where(zm, np.maximum(0, s2 - 5), -1),
            }
        )
    )
    # Dual registration: on roll at the secondary and at the PRU.
    di = np.flatnonzero(ok & (ap == 2) & ~special & (nc >= 7) & (nc <= 11))
    if len(di):
        # the secondary-side enrolment gets dual=1 (D on the PRU's days)
        rows[0].loc[np.isin(rows[0]["child"].to_numpy(), di), "dual"] = 1
        rows.append(
            pd.DataFrame(
                {
                    "child": di,
                    "nc": nc[di],
                    "dual": 2,
                    "school": ap_urn_idx,
                    "start": start[di],
                    "end": end[di],
                    "z_start": -1,
                }
            )
        )
    en = pd.concat(rows, ignore_index=True)
    en = en[en["end"] > en["start"]]
    en["urn"] = sch["urn"].to_numpy()[en["school"].to_numpy()]
    en["phase"] = sch["phase_i"].to_numpy()[en["school"].to_numpy()]
    en = en.sort_values(["urn", "child", "start"], kind="stable").reset_index(drop=True)
    return en


# ---------------------------------------------------------------------------
# Characteristics over terms
# ---------------------------------------------------------------------------


def _state(ch: pd.DataFrame, t: int) -> dict[str, np.ndarray]:
    """Characteristics of every child in term t (0..5: previous autumn .. current summer)."""
    fsm = ch["fsm"].to_numpy() & (ch["fsm_from"].to_numpy() <= t)
    sen = ch["sen"].to_numpy().copy()
    sen[(sen == "K") & (ch["sen_from"].to_numpy() > t)] = "N"
    sen[(sen == "E") & (ch["ehcp_from"].to_numpy() > t)] = "K"
    pp = ch["ever6"].to_numpy() | fsm | ch["cla"].to_numpy()
    return {"fsm": fsm, "sen": sen, "pp": pp}


def _rates(ch, sch, en, yi, rng):
    """Latent daily absence probability per enrolment."""
    c = en["child"].to_numpy()
    st = _state(ch, 3 * yi + 2)
    ph = en["phase"].to_numpy()
    nc = en["nc"].to_numpy()
    r = np.array([P["base"][p] for p in range(4)])[ph]
    r = r * np.array(P["ncyear"])[np.clip(nc, 0, 14)]
    r = r * np.where(st["fsm"][c], P["fsm"], 1.0)
    sen = st["sen"][c]
    mainstream = (ph == PRI) | (ph == SEC)
    r = (
        r
        * np.where(sen == "K", P["sen_k"], 1.0)
        * np.where((sen == "E") & mainstream, P["sen_e_mainstream"], 1.0)
    )
    r = r * np.where(ch["yc"].to_numpy()[c], P["young_carer"], 1.0)
    r = r * np.where(ch["cin"].to_numpy()[c], P["cin"], 1.0)
    r = r * np.where(ch["cpp"].to_numpy()[c], P["cpp"], 1.0)
    r = r * np.where(ch["cla"].to_numpy()[c], P["cla"], 1.0)
    r = r * np.where(ch["eal"].to_numpy()[c], P["eal"], 1.0)
    r = r * np.exp(P["imd_slope"] * (5.5 - ch["imd"].to_numpy()[c]))
    fem = np.array([P["female"][p] for p in range(4)])[ph]
    r = r * np.where(ch["male"].to_numpy()[c], 1.0, fem)
    r = r * sch["effect"].to_numpy()[en["school"].to_numpy()]
    z = (ch["z"] if yi == 1 else ch["z_prev"]).to_numpy()[c]
    sev = (ch["severe"] if yi == 1 else ch["severe_prev"]).to_numpy()[c]
    r = r * z
    r = np.where(sev, np.maximum(r * P["severe_boost"], rng.uniform(0.45, 0.9, len(r))), r)
    if yi == 0:
        r = r * P["prev_year_factor"]
    return np.minimum(r, P["max_rate"])


# ---------------------------------------------------------------------------
# Marks
# ---------------------------------------------------------------------------


def _year_calendar(year: int):
    days = cal.demo_school_days(year)
    dow = np.array([d.weekday() for d in days])
    month = np.array([d.month for d in days])
    # Half-term index of each day and the first / last day index of each half term.
    ht = np.zeros(len(days), int)
    bounds = []
    for k, (_, first, last) in enumerate(cal.DEMO_HALF_TERMS[year]):
        ii = [i for i, d in enumerate(days) if first <= d <= last]
        ht[ii] = k
        bounds.append((ii[0], ii[-1]))
    return days, dow, month, ht, bounds


def _marks(rng, ch, sch, en, yi, year) -> np.ndarray:
    """The code matrix (enrolments x sessions), NONE where no row is written."""
    days, dow, month, ht, bounds = _year_calendar(year)
    nd = len(days)
    ne = len(en)
    r = _rates(ch, sch, en, yi, rng)
    ph = en["phase"].to_numpy()
    # Reason weights per enrolment; high-rate pupils have more unauthorised absence.
    w = np.zeros((ne, 6))
    for k, v in P["w"].items():
        w[:, k] = v
    w[:, OUNAUTH] += P["w_ounauth_slope"] * np.minimum(r, 0.6) + 0.5 * np.maximum(r - 0.3, 0)
    w[:, ILL] *= np.where(r > 0.25, 0.8, 1.0)
    wsum = w.sum(1, keepdims=True)
    w /= wsum
    cont = np.zeros((ne, 6))
    for k, v in P["cont"].items():
        cont[:, k] = v
    cont = np.maximum(cont, np.where(np.arange(6) == MED, 0, 1)[None, :] * np.minimum(r, 0.9)[:, None] ** 1.2)
    # Episode lengths in days (sessions: medical is half a day).
    L = (w * np.where(np.arange(6) == MED, 0.5, 1)[None, :] / (1 - cont + 1e-9)).sum(1)
    r_day = r * (1 - P["half_day"] * 0.5) ** -1
    a = np.clip(r_day / (np.maximum(L, 0.5) * np.maximum(1 - r_day, 0.05)), 0, 0.97)
    # Trajectories over the year.
    u = rng.random(ne)
    slope = np.where(
        u < P["traj_share"],
        P["traj_slope"],
        np.where(u < 2 * P["traj_share"], -P["traj_slope"], rng.normal(0, 0.25, ne)),
    )
    prof = np.array(P["dow"])[dow] * np.array([P["month"][m] for m in month])
    prof /= prof.mean()
    ill_m = np.array([P["ill_month"][m] for m in month])
    tpos = np.arange(nd) / max(nd - 1, 1) - 0.5
    traj_norm = np.where(slope == 0, 1, np.sinh(slope / 2) / (slope / 2 + 1e-12))
    state = np.zeros(ne, np.int8)
    day = np.zeros((ne, nd), np.int8)
    cw = np.cumsum(w, 1)
    for d in range(nd):
        u1, u2, u3 = rng.random((3, ne), dtype=np.float32)
        keep = (state > 0) & (u1 < cont[np.arange(ne), state])
        p_start = a * prof[d] * np.exp(slope * tpos[d]) / traj_norm
        start = (~keep) & (u2 < p_start)
        # reason: illness weight scaled by month
        wi = w[:, ILL] * (ill_m[d] - 1)
        tot = 1 + wi
        x = u3 * tot
        # categorical over ILL..NYK with the month-adjusted illness weight
        is_ill = x < w[:, ILL] + wi
        reason = np.minimum(((x - wi)[:, None] >= cw).sum(1), NYK)
        reason = np.where(is_ill, ILL, reason)
        state = np.where(keep, state, np.where(start, reason, 0)).astype(np.int8)
        day[:, d] = state
    # Unauthorised holiday blocks, mostly next to half terms and term ends.
    hp = np.array([P["holiday_p"][p] for p in range(4)])[ph] * np.where(r > 0.15, 1.3, 1.0)
    taker = rng.random(ne) < hp
    ti = np.flatnonzero(taker)
    length = rng.integers(2, 6, len(ti))
    adj = rng.random(len(ti)) < P["holiday_adjacent"]
    k = rng.integers(0, len(bounds), len(ti))
    before = rng.random(len(ti)) < 0.6
    bfirst = np.array([b[0] for b in bounds])
    blast = np.array([b[1] for b in bounds])
    s0 = np.where(before, blast[k] - length + 1, bfirst[k])
    s0 = np.where(adj, s0, rng.integers(0, nd - 6, len(ti)))
    s0 = np.clip(s0, 0, nd - length)
    for off in range(5):
        m = off < length
        day[ti[m], s0[m] + off] = HOL
    # Sessions.
    code = np.empty((ne, nd, 2), np.uint8)
    code[:, :, 0] = CI["/"]
    code[:, :, 1] = CI["\\"]
    uu = rng.random((ne, nd), dtype=np.float32)
    oth = rng.random((ne, nd), dtype=np.float32)
    oauth_codes = np.array([CI["C"], CI["R"], CI["T"], CI["C1"], CI["J1"]], np.uint8)
    oauth_pick = np.searchsorted(np.array([0.72, 0.9, 0.95, 0.97, 1.0]), oth, side="right").clip(0, 4)
    reason_code = np.zeros((7,), np.uint8)
    reason_code[[ILL, MED, OUNAUTH, NYK, HOL]] = [CI["I"], CI["M"], CI["O"], CI["N"], CI["G"]]
    full = reason_code[day]
    is_oa = day == OAUTH
    full[is_oa] = oauth_codes[oauth_pick[is_oa]]
    absent = day > 0
    half = absent & (day != HOL) & ((day == MED) | (uu < P["half_day"]))
    am_only = oth < 0.5
    code[:, :, 0] = np.where(absent & ~(half & ~am_only), full, code[:, :, 0])
    code[:, :, 1] = np.where(absent & ~(half & am_only), full, code[:, :, 1])
    # Lateness on present mornings: L (present) and U (unauthorised absence).
    late_p = 0.02 + 0.10 * np.minimum(r, 0.5)
    u_p = 0.002 + 0.04 * np.minimum(r, 0.5) * (ph >= SEC)
    ul = rng.random((ne, nd), dtype=np.float32)
    pres_am = code[:, :, 0] == CI["/"]
    code[:, :, 0] = np.where(
        pres_am & (ul < u_p[:, None]),
        CI["U"],
        np.where(pres_am & (ul < (u_p + late_p)[:, None]), CI["L"], code[:, :, 0]),
    )
    code = code.reshape(ne, 2 * nd)
    _overlays(rng, code, en, ch, sch, r, days, dow, month, bounds, year)
    return code


def _overlays(rng, code, en, ch, sch, r, days, dow, month, bounds, year):
    ne, ns = code.shape
    nd = ns // 2
    ph = en["phase"].to_numpy()
    nc = en["nc"].to_numpy()
    school = en["school"].to_numpy()
    present = (code == CI["/"]) | (code == CI["\\"]) | (code == CI["L"])
    # V: two trip days per school and year group.
    keys = school * 20 + nc
    uk, inv = np.unique(keys, return_inverse=True)
    trip = rng.integers(5, nd - 5, (len(uk), 2))
    for j in range(2):
        dd = trip[inv, j]
        for s in (0, 1):
            col = 2 * dd + s
            m = present[np.arange(ne), col] & (rng.random(ne) < 0.93)
            code[np.arange(ne)[m], col[m]] = CI["V"]
    present = (code == CI["/"]) | (code == CI["\\"]) | (code == CI["L"])
    # P (sport, secondary PMs) and B (other approved activity).
    u = rng.random((ne, ns), dtype=np.float32)
    pm = (np.arange(ns) % 2 == 1)[None, :]
    code[present & pm & (ph[:, None] == SEC) & (u < 0.004)] = CI["P"]
    code[present & (u > 0.9985)] = CI["B"]
    # W: work experience for Y10 at secondaries, one week in late June.
    wk = [i for i, d in enumerate(days) if d.month == 6 and 16 <= d.day <= 20]
    y10 = np.flatnonzero((nc == 10) & (ph == SEC) & (rng.random(ne) < 0.85))
    for i in wk:
        for s in (0, 1):
            m = present[y10, 2 * i + s]
            code[y10[m], 2 * i + s] = CI["W"]
    # K: a few secondary pupils with LA-arranged education on Tuesdays and Thursdays.
    kk = np.flatnonzero((ph == SEC) & (rng.random(ne) < 0.004))
    kcols = np.flatnonzero(np.repeat(np.isin(dow, [1, 3]), 2))
    sub = code[np.ix_(kk, kcols)]
    pres_sub = (sub == CI["/"]) | (sub == CI["\\"]) | (sub == CI["L"])
    sub[pres_sub] = CI["K"]
    code[np.ix_(kk, kcols)] = sub
    # E: suspensions, mostly secondary and pupils with high absence.
    lam = np.where(ph == SEC, 0.07, np.where(ph == AP, 0.5, 0.012)) * (np.minimum(r, 0.5) / 0.07) ** 0.6
    nsus = rng.poisson(lam)
    for k in range(1, nsus.max(initial=0) + 1):
        ii = np.flatnonzero(nsus >= k)
        d0 = rng.integers(0, nd - 3, len(ii))
        ln = rng.integers(1, 4, len(ii))
        for off in range(3):
            m = off < ln
            code[ii[m], 2 * (d0[m] + off)] = CI["E"]
            code[ii[m], 2 * (d0[m] + off) + 1] = CI["E"]
    # C2: part-time timetables (PM sessions) for a run of weeks.
    p2 = np.array([0.003, 0.010, 0.03, 0.10])[ph] * np.where(r > 0.1, 2.0, 0.6)
    c2 = np.flatnonzero(rng.random(ne) < p2)
    d0 = rng.integers(0, nd - 30, len(c2))
    ln = rng.integers(20, 60, len(c2))
    for j, i in enumerate(c2):
        cols = 2 * np.arange(d0[j], min(nd, d0[j] + ln[j])) + 1
        code[i, cols] = CI["C2"]
    # X: sixth formers not required to attend (study periods; Y13 after mid-June).
    six = np.flatnonzero(nc >= 12)
    if len(six):
        ux = rng.random((len(six), ns), dtype=np.float32)
        sub = code[six]
        sub[ux < 0.12] = CI["X"]
        late_june = np.repeat(np.array([(d.month == 6 and d.day >= 15) or d.month == 7 for d in days]), 2)
        y13 = nc[six] >= 13
        sub[np.ix_(y13, late_june)] = CI["X"]
        code[six] = sub
    # #: a planned closure day (polling day) at a few primaries; Y4: one snow day.
    poll = [i for i, d in enumerate(days) if d.month == 5 and d.weekday() == 3][0]
    pri_schools = np.flatnonzero(sch["phase_i"].to_numpy() == PRI)
    closed = rng.choice(pri_schools, size=min(3, len(pri_schools)), replace=False)
    m = np.isin(school, closed)
    code[np.ix_(m, [2 * poll, 2 * poll + 1])] = CI["#"]
    snow = [i for i, d in enumerate(days) if d.month == 1][6]
    m = school == rng.choice(pri_schools)
    code[np.ix_(m, [2 * snow, 2 * snow + 1])] = CI["Y4"]
    # D: dual registration; the PRU has Mon-Wed, the home school Thu-Fri.
    mon_wed = np.repeat(dow <= 2, 2)
    dual = en["dual"].to_numpy()
    code[np.ix_(dual == 1, mon_wed)] = CI["D"]
    code[np.ix_(dual == 2, ~mon_wed)] = CI["D"]
    # Not on roll: no rows, or Z (prospective pupil) for some joiners.
    col = np.arange(ns)[None, :] // 2
    st = en["start"].to_numpy()[:, None]
    endd = en["end"].to_numpy()[:, None]
    zs = en["z_start"].to_numpy()[:, None]
    off = (col < st) | (col >= endd)
    zmask = (zs >= 0) & (col >= zs) & (col < st)
    code[off] = NONE
    code[zmask] = CI["Z"]


# ---------------------------------------------------------------------------
# Writing return files
# ---------------------------------------------------------------------------


def _write_csv(table: pa.Table, path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(
            table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=1 << 20)
        )


def _marks_table(code, en, ch, year, keep) -> pa.Table:
    days = cal.demo_school_days(year)
    ns = code.shape[1]
    sub = code[keep]
    flat = sub.ravel()
    idx = np.flatnonzero(flat != NONE)
    e = idx // ns
    s = idx % ns
    urn = en["urn"].to_numpy()[keep].astype(np.int32)[e]
    child = en["child"].to_numpy()[keep][e].astype(np.int32)
    pid = pa.DictionaryArray.from_arrays(pa.array(child), pa.array(ch["pupil_id"].tolist()))
    date = pa.DictionaryArray.from_arrays(
        pa.array((s // 2).astype(np.int32)), pa.array([d.isoformat() for d in days])
    )
    sess = pa.DictionaryArray.from_arrays(pa.array((s % 2).astype(np.int8)), pa.array(["AM", "PM"]))
    cd = pa.DictionaryArray.from_arrays(pa.array(flat[idx].astype(np.int16)), pa.array(list(CODE_LIST)))
    return pa.table({"urn": urn, "pupil_id": pid, "date": date, "session": sess, "code": cd})


def _grid_frame(code, en, ch, year, keep) -> pd.DataFrame:
    """Weekly register grid rows for the enrolments in `keep`."""
    days = cal.demo_school_days(year)
    weeks = sorted({cal.week_start(d) for d in days})
    wi = {w: i for i, w in enumerate(weeks)}
    ne = int(keep.sum())
    grid = np.full((ne, len(weeks), 10), NONE, np.uint8)
    sub = code[keep]
    for j, d in enumerate(days):
        w = wi[cal.week_start(d)]
        grid[:, w, 2 * d.weekday()] = sub[:, 2 * j]
        grid[:, w, 2 * d.weekday() + 1] = sub[:, 2 * j + 1]
    lab = np.array(list(CODE_LIST) + [""] * (256 - len(CODE_LIST)), dtype=object)
    has = (grid != NONE).any(2)
    e, w = np.nonzero(has)
    cols = {
        "urn": en["urn"].to_numpy()[keep][e],
        "pupil_id": ch["pupil_id"].to_numpy()[en["child"].to_numpy()[keep][e]],
        "week_start": [weeks[k].isoformat() for k in w],
    }
    names = [f"{dd}_{s}" for dd in ("mon", "tue", "wed", "thu", "fri") for s in ("am", "pm")]
    g = grid[e, w]
    for k, nm in enumerate(names):
        cols[nm] = lab[g[:, k]]
    return pd.DataFrame(cols)


def _pupils_frames(ch, en_by_year, postcodes):
    """Termly characteristics files: everyone on roll at some point in the term."""
    out = {}
    for yi, year in enumerate(YEARS):
        en = en_by_year[yi]
        days, _, _, ht, _ = _year_calendar(year)
        for ti, term in enumerate(TERMS):
            t_days = np.flatnonzero(ht // 2 == ti)
            t0, t1 = t_days[0], t_days[-1] + 1
            on = (en["start"].to_numpy() < t1) & (en["end"].to_numpy() > t0)
            e = en[on]
            c = e["child"].to_numpy()
            st = _state(ch, 3 * yi + ti)
            eff = np.maximum(e["start"].to_numpy(), t0)
            eff_date = np.array([d.isoformat() for d in days])[eff]
            yn = lambda b: np.where(b, "Y", "N")  # noqa: E731
            nc = e["nc"].to_numpy()
            out[(year, term)] = pd.DataFrame(
                {
                    "urn": e["urn"].to_numpy(),
                    "pupil_id": ch["pupil_id"].to_numpy()[c],
                    "effective_date": eff_date,
                    "ncyear": np.where(nc == 0, "R", nc.astype(str)),
                    "gender": np.where(ch["male"].to_numpy()[c], "M", "F"),
                    "ethnicity": ch["eth"].to_numpy()[c],
                    "sen_provision": st["sen"][c],
                    "fsm": yn(st["fsm"][c]),
                    "pupil_premium": yn(st["pp"][c]),
                    "eal": yn(ch["eal"].to_numpy()[c]),
                    "young_carer": yn(ch["yc"].to_numpy()[c]),
                    "cla": yn(ch["cla"].to_numpy()[c]),
                    "cin": yn(ch["cin"].to_numpy()[c]),
                    "cpp": yn(ch["cpp"].to_numpy()[c]),
                    "home_postcode": postcodes[ch["home"].to_numpy()[c]],
                }
            )
    return out


def _schools_frame(sch, en_cur) -> pd.DataFrame:
    counts = en_cur.groupby("urn").size()
    return pd.DataFrame(
        {
            "URN": sch["urn"],
            "EstablishmentName": sch["name"],
            "LA (code)": LA_META["old_la_code"],
            "LA (name)": LA_META["la_name"],
            "TypeOfEstablishment (name)": [
                ("Community school", "Academy converter", "Community special school", "Pupil referral unit")[
                    p
                ]
                if not (p == SEC and i % 3 == 0)
                else "Academy sponsor led"
                for i, p in enumerate(sch["phase_i"])
            ],
            "PhaseOfEducation (name)": [PHASES[p] for p in sch["phase_i"]],
            "Postcode": sch["postcode"],
            "Easting": sch["easting"].astype(int),
            "Northing": sch["northing"].astype(int),
            "NumberOfPupils": counts.reindex(sch["urn"]).fillna(0).astype(int).to_numpy(),
        }
    )


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def generate(out_dir: Path, seed: int = 42, pupils: int = 40000, progress: bool = True) -> dict:
    """Write the demo LA's return files into out_dir; return paths and internals."""
    from tqdm import tqdm

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=8, desc="demo LA", unit="step", disable=not progress)

    def step(msg):
        bar.set_postfix_str(msg)
        bar.update(1)

    geo = _load_geography()
    # children per birth cohort so that the current year has about `pupils` pupils
    G = 1.045 * pupils / (7 * 0.984 + 5 * 0.984 + 2 * 0.55 * 0.62 + 0.016 * 15 * 0.95)
    sch = _make_schools(np.random.default_rng([seed, 1]), geo, pupils, G)
    step("schools")
    ch = _make_children(np.random.default_rng([seed, 2]), geo, sch, G)
    step("pupils")
    en_by_year = []
    codes_by_year = []
    for yi, year in enumerate(YEARS):
        n_days = len(cal.demo_school_days(year))
        en = _enrolments(np.random.default_rng([seed, 3, yi]), ch, sch, yi, n_days)
        en_by_year.append(en)
        codes_by_year.append(_marks(np.random.default_rng([seed, 4, yi]), ch, sch, en, yi, year))
        step(f"marks {year}")
    files = []
    p = out_dir / "schools.csv"
    _schools_frame(sch, en_by_year[1]).to_csv(p, index=False)
    files.append(p)
    for (year, term), df in _pupils_frames(ch, en_by_year, geo["postcode"].to_numpy()).items():
        p = out_dir / f"pupils_{year}_{term}.csv"
        df.to_csv(p, index=False)
        files.append(p)
    step("pupil files")
    # Two primaries send weekly grids (CSV); the PRU sends its grid as .xlsx.
    pri_urns = sch.loc[sch["phase_i"] == PRI, "urn"].to_numpy()
    grid_csv_urns = [int(pri_urns[1]), int(pri_urns[-2])]
    ap_urn = int(sch.loc[sch["phase_i"] == AP, "urn"].iloc[0])
    grid_urns = grid_csv_urns + [ap_urn]
    grids = []
    for yi, year in enumerate(YEARS):
        en, code = en_by_year[yi], codes_by_year[yi]
        in_grid = en["urn"].isin(grid_urns).to_numpy()
        p = out_dir / f"marks_{year}.csv"
        _write_csv(_marks_table(code, en, ch, year, ~in_grid), p)
        files.append(p)
        # A return covers one academic year: one grid file per school and year.
        for u in grid_urns:
            g = _grid_frame(code, en, ch, year, (en["urn"] == u).to_numpy())
            if u == ap_urn:
                grids.append((out_dir / f"grid_{u}_{year}.xlsx", g))
            else:
                grids.append((out_dir / f"grid_{u}_{year}.csv", g))
        step(f"write marks {year}")
    for p, g in grids:
        if p.suffix == ".xlsx":
            _write_xlsx(g, p)
        else:
            g.to_csv(p, index=False)
        files.append(p)
    step("grids")
    bar.close()
    return {
        "files": files,
        "schools": sch,
        "children": ch,
        "enrolments": en_by_year,
        "codes": codes_by_year,
        "grid_urns": grid_urns,
    }


def _write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """A plain, deterministic .xlsx (openpyxl write-only; fixed workbook timestamps)."""
    import openpyxl

    # Not write-only: a normal workbook records its dimensions, so readers pad
    # rows whose last cells are empty (e.g. a week ending on a Tuesday).
    wb = openpyxl.Workbook()
    fixed = dt.datetime(2026, 7, 21, 16, 0, 0)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    ws = wb.active
    ws.title = "Register"
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([None if v == "" else v for v in row])
    wb.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Rewrite the zip with fixed member timestamps so the file hash is reproducible."""
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-07-21T16:00:00Z", data)
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 7, 21, 16, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)
    tmp.replace(path)


def build_demo(db_path, seed: int = 42, pupils: int = 40000, out_dir=None, progress: bool = True) -> dict:
    """Generate the demo LA's return files and load them through the real ingest path, into a
    new or empty warehouse only (load.LoadRefused otherwise: the demo never mixes with real data).

    out_dir: where the return files go (kept); by default a temporary directory
    that is removed after the load. Returns a summary dict.
    """
    from .load import Options, ingest_files, refuse_demo_over_data

    refuse_demo_over_data(Path(db_path))  # before a minute of generating, not after
    t0 = time.perf_counter()
    keep = out_dir is not None
    out = Path(out_dir) if keep else Path(tempfile.mkdtemp(prefix="demo_returns_"))
    try:
        gen = generate(out, seed=seed, pupils=pupils, progress=progress)
        t_gen = time.perf_counter() - t0
        results = ingest_files(
            gen["files"], Path(db_path), progress=progress, options=Options(synthetic=True, meta=LA_META)
        )
        t_all = time.perf_counter() - t0
        return {
            "db_path": str(db_path),
            "files": [str(p) if keep else p.name for p in gen["files"]],
            "results": [r.as_dict() if hasattr(r, "as_dict") else dict(r) for r in results],
            "pupils": int(gen["enrolments"][1]["child"].nunique()),
            "schools": int(len(gen["schools"])),
            "seconds_generate": round(t_gen, 1),
            "seconds_total": round(t_all, 1),
            "seed": seed,
        }
    finally:
        if not keep:
            shutil.rmtree(out, ignore_errors=True)


def build_reference_inputs(shared: Path | None = None) -> None:
    """Rebuild data/reference/demo_* from the raw public files (see SOURCES.md, "demo")."""
    import duckdb

    shared = Path(shared) if shared else REFERENCE_DIR.parents[2] / "shared" / "data"
    con = duckdb.connect()
    con.execute(f"""copy (
        select postcode, cast(easting as int) as easting, cast(northing as int) as northing
        from read_csv('{shared}/ons/onspd_nov2025_postcodes_dudley_herefordshire_trafford.csv')
        where lad_code = '{LA_CODE}' and easting is not null order by postcode
    ) to '{_ref("demo_dudley_postcodes.csv")}' (header)""")
    con.execute(f"""copy (
        select case school_type when 'State-funded primary' then 'Primary'
                                when 'State-funded secondary' then 'Secondary' else 'Special' end as phase,
            enrolments, round(sess_overall_percent, 3) as overall_absence_pct,
            round(enrolments_pa_10_exact_percent, 3) as pa_pct
        from read_csv('{shared}/dfe/absence_3term_200607_201819_school_dudley_herefordshire_trafford.csv')
        where new_la_code = '{LA_CODE}' and time_period = 201819 order by 1, 2, 3
    ) to '{_ref("demo_dudley_school_profile.csv")}' (header)""")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Write the demo LA's return files (no load).")
    ap.add_argument("out_dir", nargs="?")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--pupils", type=int, default=40000)
    ap.add_argument(
        "--build-reference",
        action="store_true",
        help="rebuild data/reference/demo_* from ../shared/data and exit",
    )
    a = ap.parse_args(argv)
    if a.build_reference:
        build_reference_inputs()
        return
    if not a.out_dir:
        ap.error("out_dir is required")
    t = time.perf_counter()
    gen = generate(Path(a.out_dir), a.seed, a.pupils)
    print(f"{len(gen['files'])} files in {time.perf_counter() - t:.1f}s")


if __name__ == "__main__":
    main()
