"""Reference-data layer: backtests against DfE's own published figures."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_pipeline.geography import normalise_postcode, postcodes_to_lsoa
from data_pipeline.reference import boundaries_path, load_reference
from data_pipeline.reference_build import bng_to_wgs84, to_num

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).parents[2] / "shared" / "data"
DUDLEY = "E08000027"
ENGLAND = "E92000001"


LOAD_SECONDS: list[float] = []


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    t = time.time()
    load_reference(c)
    LOAD_SECONDS.append(time.time() - t)
    return c


def rate(con, col, collection, la_code, tp, phase="Total"):
    rows = con.execute(
        f"SELECT {col} FROM bench_la_year WHERE collection=? AND la_code=? AND time_period=? AND phase=?",
        [collection, la_code, tp, phase],
    ).fetchall()
    assert len(rows) == 1, (collection, la_code, tp, phase, rows)
    return rows[0][0]


def test_load_is_fast_and_complete(con):
    assert LOAD_SECONDS and LOAD_SECONDS[0] < 3
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert {
        "la_lookup",
        "bench_la_year",
        "bench_weekly",
        "bench_cohort",
        "stat_neighbours",
        "geo_neighbours",
        "lsoa21",
    } <= tables


def test_bng_to_wgs84_known_points():
    # Dudley 027A LSOA centroid, ONS: BNG 392025,285398 -> 52.46647, -2.11881
    lat, lon = bng_to_wgs84(392025, 285398)
    assert abs(lat - 52.46647) * 111_000 < 20 and abs(lon + 2.11881) * 68_000 < 20
    # OS worked example point (Caister water tower) WGS84 ~ 52.65798, 1.71605 (ETRS89)
    lat, lon = bng_to_wgs84(651409.903, 313177.270)
    assert abs(lat - 52.65798) * 111_000 < 20 and abs(lon - 1.71605) * 68_000 < 20


@pytest.mark.parametrize(
    "tp,oa,pa", [(2022, 7.53, 22.31), (2023, 7.21, 20.66), (2024, 6.87, 18.70), (2025, 6.88, 18.78)]
)
def test_daily_england(con, tp, oa, pa):
    assert round(rate(con, "overall_absence_rate", "daily", ENGLAND, tp), 2) == oa
    assert round(rate(con, "persistent_absence_rate", "daily", ENGLAND, tp), 2) == pa


def test_daily_2024_phases(con):
    assert round(rate(con, "overall_absence_rate", "daily", ENGLAND, 2024, "Primary"), 2) == 5.25
    assert round(rate(con, "overall_absence_rate", "daily", ENGLAND, 2024, "Secondary"), 2) == 8.59
    assert round(rate(con, "overall_absence_rate", "daily", ENGLAND, 2024, "Special"), 2) == 12.88
    assert round(rate(con, "persistent_absence_rate", "daily", ENGLAND, 2024, "Secondary"), 2) == 24.32


def test_census_2018_recomputed_from_counts(con):
    assert round(rate(con, "overall_absence_rate", "census", ENGLAND, 2018), 2) == 4.73
    assert round(rate(con, "persistent_absence_rate", "census", ENGLAND, 2018), 2) == 10.86
    assert rate(con, "enrolments", "census", ENGLAND, 2018) == 7_105_958
    assert rate(con, "possible_sessions", "census", ENGLAND, 2018) == 2_522_300_237
    assert round(rate(con, "severe_absence_rate", "census", ENGLAND, 2018), 2) == 0.85
    # 2006/07 (published 6.5 rounded) recomputed 6.49
    assert round(rate(con, "overall_absence_rate", "census", ENGLAND, 2006), 2) == 6.49


@pytest.mark.parametrize(
    "tp,oa,pa,sa", [(2022, 7.37, 21.22, 2.03), (2023, 7.15, 19.95, 2.30), (2024, 6.78, 18.14, 2.39)]
)
def test_census_lait_england(con, tp, oa, pa, sa):
    assert round(rate(con, "overall_absence_rate", "census", ENGLAND, tp), 2) == oa
    assert round(rate(con, "persistent_absence_rate", "census", ENGLAND, tp), 2) == pa
    assert round(rate(con, "severe_absence_rate", "census", ENGLAND, tp), 2) == sa


def test_census_2022_phase_pa(con):
    for phase, pa in [("Primary", 16.21), ("Secondary", 26.52), ("Special", 38.33)]:
        assert round(rate(con, "persistent_absence_rate", "census", ENGLAND, 2022, phase), 2) == pa


@pytest.mark.parametrize("tp,oa,pa", [(2022, 7.65, 22.99), (2023, 7.56, 22.28), (2024, 7.03, 20.06)])
def test_census_dudley(con, tp, oa, pa):
    assert round(rate(con, "overall_absence_rate", "census", DUDLEY, tp), 2) == oa
    assert round(rate(con, "persistent_absence_rate", "census", DUDLEY, tp), 2) == pa


def test_collections_never_mixed(con):
    rows = con.execute(
        """SELECT collection, round(overall_absence_rate, 2) FROM bench_la_year
                          WHERE la_code=? AND time_period=2022 AND phase='Total' ORDER BY collection""",
        [ENGLAND],
    ).fetchall()
    assert rows == [("census", 7.37), ("daily", 7.53)]
    # one row per (collection, year, area, phase)
    dups = con.execute("""SELECT count(*) FROM (SELECT collection, time_period, geographic_level, la_code, phase
                          FROM bench_la_year GROUP BY ALL HAVING count(*) > 1)""").fetchall()[0][0]
    assert dups == 0
    assert {r[0] for r in con.execute("SELECT DISTINCT collection FROM bench_la_year").fetchall()} == {
        "daily",
        "census",
    }
    labels = con.execute(
        "SELECT DISTINCT time_period, period_label FROM bench_la_year WHERE time_period=2022"
    ).fetchall()
    assert labels == [(2022, "2022/23")]


def test_every_current_la_has_recent_benchmarks(con):
    n = con.execute("""SELECT count(DISTINCT b.la_code) FROM bench_la_year b JOIN la_lookup l USING (la_code)
                       WHERE l.is_current AND b.collection='census' AND b.time_period=2024 AND b.phase='Total'""").fetchall()[
        0
    ][0]
    assert n == 153
    # reorganised predecessors keep their own code and are marked not current
    pre = con.execute("""SELECT DISTINCT l.la_name FROM bench_la_year b JOIN la_lookup l USING (la_code)
                         WHERE NOT l.is_current AND b.collection='census' AND b.time_period=2018""").fetchall()
    assert any("Cumbria" in r[0] for r in pre) and any("Northamptonshire" in r[0] for r in pre)


def test_cohorts_2022(con):
    got = dict(
        con.execute(
            """SELECT group_label, round(persistent_absence_rate, 2) FROM bench_cohort
                              WHERE la_code=? AND time_period=2022 AND breakdown IN ('fsm','sen')""",
            [ENGLAND],
        ).fetchall()
    )
    assert got["Eligible"] == 36.50 and got["Not Eligible"] == 15.58
    assert (
        got["Any special educational need"] == 32.24
        and got["No identified special educational need"] == 18.44
    )


def test_weekly(con):
    rows = con.execute(
        """SELECT week_start, round(overall_absence_rate, 2) FROM bench_weekly
                          WHERE la_code=? AND phase='Total' ORDER BY week_start""",
        [ENGLAND],
    ).fetchall()
    assert [str(r[0]) for r in rows] == ["2024-09-09", "2025-09-08"]
    assert all(3 < r[1] < 8 for r in rows)


def test_la_lookup(con):
    assert con.execute("SELECT count(*) FROM la_lookup WHERE is_current").fetchall()[0][0] == 153
    assert con.execute(
        "SELECT la_name, old_la_code, region_name FROM la_lookup WHERE la_code=?", [DUDLEY]
    ).fetchall() == [("Dudley", 332, "West Midlands")]
    assert (
        con.execute("SELECT count(DISTINCT la_code) FROM la_lookup WHERE is_current").fetchall()[0][0] == 153
    )


def test_stat_neighbours_dudley(con):
    got = [
        r[0]
        for r in con.execute(
            """SELECT neighbour_name FROM stat_neighbours WHERE la_code=? AND model='May 2025'
                                         AND section='current' ORDER BY rank""",
            [DUDLEY],
        ).fetchall()
    ]
    assert got == [
        "Wakefield",
        "Telford and Wrekin",
        "Stockton-on-Tees",
        "Rotherham",
        "Barnsley",
        "Medway",
        "Tameside",
        "Lancashire",
        "Darlington",
        "Lincolnshire",
    ]
    assert (
        con.execute(
            "SELECT count(*) FROM stat_neighbours WHERE la_code IS NULL OR neighbour_la_code IS NULL"
        ).fetchall()[0][0]
        == 0
    )


def test_geo_neighbours_dudley(con):
    got = {
        r[0]
        for r in con.execute("SELECT neighbour_name FROM geo_neighbours WHERE la_code=?", [DUDLEY]).fetchall()
    }
    assert got == {"Sandwell", "Wolverhampton", "Staffordshire", "Worcestershire", "Birmingham"}
    # symmetric
    asym = con.execute("""SELECT count(*) FROM geo_neighbours a LEFT JOIN geo_neighbours b
                          ON a.la_code=b.neighbour_la_code AND a.neighbour_la_code=b.la_code WHERE b.la_code IS NULL""").fetchall()[
        0
    ][0]
    assert asym == 0


def test_lsoa21(con):
    assert con.execute(
        "SELECT count(*), count(DISTINCT lsoa21_code), count(imd_decile) FROM lsoa21"
    ).fetchall()[0] == (33755, 33755, 33755)
    n, wards = con.execute(
        "SELECT count(*), count(ward_code) FROM lsoa21 WHERE la_code=?", [DUDLEY]
    ).fetchall()[0]
    assert n == 203 and wards == 203
    assert con.execute("SELECT min(imd_decile), max(imd_decile) FROM lsoa21").fetchall()[0] == (1, 10)


def test_boundaries():
    assert boundaries_path("la").exists()
    for code in (DUDLEY, "E06000019", "E08000009"):
        assert boundaries_path(f"lsoa21_{code}").exists() and boundaries_path(f"ward25_{code}").exists()
    with pytest.raises(FileNotFoundError):
        boundaries_path("nope")


def test_suppression_codes_become_null():
    s = to_num(pd.Series(["c", "x", "z", ":", "-", "low", "NA", "", " 12 ", "1,234", "3.5", None]))
    assert s.isna().tolist() == [True] * 8 + [False, False, False, True]
    assert s.iloc[8] == 12 and s.iloc[9] == 1234 and s.iloc[10] == 3.5


def test_suppressed_cells_are_null_in_bench(con):
    # West Berkshire special 2022/23 daily is published as 'c'
    row = con.execute("""SELECT overall_absence_rate, persistent_absence_rate, possible_sessions FROM bench_la_year
                         WHERE collection='daily' AND time_period=2022 AND la_name='West Berkshire' AND phase='Special'""").fetchall()
    assert row == [(None, None, None)]


def test_normalise_postcode():
    assert normalise_postcode(" dy1  1hf ") == "DY1 1HF"
    assert normalise_postcode("DY101DT") == "DY10 1DT"
    assert normalise_postcode("b620aa") == "B62 0AA"
    assert normalise_postcode("M32 0TR") == "M32 0TR"
    assert normalise_postcode("SW1A1AA") == "SW1A 1AA"
    for bad in ["", "hello", "12345", "DY1", None, 42, "DY1 1H"]:
        assert normalise_postcode(bad) is None


def test_postcodes_to_lsoa():
    dudley_lsoas = set(
        pd.read_parquet(REPO / "data" / "reference" / "lsoa21.parquet")
        .query("la_code == @DUDLEY")
        .lsoa21_code
    )
    got = postcodes_to_lsoa(["B62 0AA", "b620ab", "ZZ99 9ZZ", "not a postcode"])
    assert got["B62 0AA"] in dudley_lsoas and got["b620ab"] in dudley_lsoas
    assert got["ZZ99 9ZZ"] is None and got["not a postcode"] is None
    pcs = pd.read_csv(REPO / "data" / "reference" / "postcode_lsoa21.csv").postcode.tolist()
    pcs = (pcs + [p.replace(" ", "").lower() for p in pcs])[:40000]
    t = time.time()
    res = postcodes_to_lsoa(pcs)
    assert time.time() - t < 1.0
    assert sum(v is None for v in res.values()) == 0


def test_postcode_file_in_lsoas():
    d = pd.read_csv(REPO / "data" / "reference" / "postcode_lsoa21.csv")
    assert list(d.columns[:4]) == ["postcode", "lsoa21_code", "latitude", "longitude"]
    assert d.lsoa21_code.notna().all() and d.postcode.is_unique


@pytest.mark.skipif(
    not (SHARED / "dfe" / "absence_3term_200607_201819_school.parquet").exists(),
    reason="../shared not available",
)
def test_school_rows_sum_to_la_and_england_2018(con):
    s = pd.read_parquet(
        SHARED / "dfe" / "absence_3term_200607_201819_school.parquet",
        columns=[
            "time_period",
            "old_la_code",
            "enrolments",
            "sess_possible",
            "sess_overall",
            "sess_authorised",
            "sess_unauthorised",
            "enrolments_pa_10_exact",
        ],
    )
    s = s[s.time_period == 201819]
    cols = ["enrolments", "sess_possible", "sess_authorised", "sess_unauthorised"]
    eng = s[cols].sum()
    b = con.execute(
        """SELECT enrolments, possible_sessions, authorised_sessions, unauthorised_sessions, pa_enrolments
                       FROM bench_la_year WHERE collection='census' AND time_period=2018 AND la_code=? AND phase='Total'""",
        [ENGLAND],
    ).fetchall()[0]
    assert tuple(int(x) for x in eng) == tuple(int(x) for x in b[:4])
    assert int(s.enrolments_pa_10_exact.sum()) == int(b[4])
    by_la = s.groupby("old_la_code")[cols].sum()
    bl = (
        con.execute("""SELECT old_la_code, enrolments, possible_sessions, authorised_sessions, unauthorised_sessions
                        FROM bench_la_year WHERE collection='census' AND time_period=2018
                        AND geographic_level='Local authority' AND phase='Total'""")
        .df()
        .set_index("old_la_code")
    )
    assert len(bl) == len(by_la) > 140
    j = by_la.rename(columns=lambda c: "s_" + c).join(bl, how="inner")
    assert len(j) == len(by_la)
    assert (j.s_enrolments == j.enrolments).all()
    assert (j.s_sess_possible == j.possible_sessions).all()
    assert (j.s_sess_authorised == j.authorised_sessions).all()
    assert (j.s_sess_unauthorised == j.unauthorised_sessions).all()
    assert rate(con, "possible_sessions", "census", DUDLEY, 2018) == by_la.loc[332, "sess_possible"]
