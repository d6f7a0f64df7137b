"""Query tier, neighbourhoods: the fixture of test_queries_cohorts (eight pupils at two schools,
home LSOAs L1, L2, L3), placed by where they live.

L1 (Castle & Priory, IMD 3): P1 (A, 4 absent, PA), P2 (A, 0), P5 (B, 10, PA), P7 (B, 0)
L2 (Gornal, IMD 9):          P3 (A, 2 = 10%, PA), P4 (A, 0), P8 (B, 3, PA)
L3 (Wollaston, IMD 3):       P6 (B, 1)
LA: 4 of 8 persistently absent = 50%; 20 of 160 sessions missed.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_queries_cohorts import L1, L2, L3, SMALL, A, build_fixture

import queries

LA = "E08000027"


@pytest.fixture(scope="module")
def nb_db(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("neighbourhoods"))


@pytest.fixture()
def args(nb_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(nb_db))
    cal = queries.execute("school_calendar_parts")
    p = queries.resolve_period(cal, 2025, "Year to date")
    return dict(year=2025, phase=None, week_from=p.week_from, week_to=p.week_to, la_code=LA)


def _lsoa(args, scope=SMALL):
    return queries.execute("neighbourhood_lsoa", scope, **args).set_index("lsoa21_code")


def test_lsoa_rate_from_pupils_at_several_schools(args):
    l1 = _lsoa(args).loc[L1]
    assert l1["enrolments"] == 4
    assert l1["schools_attended"] == 2
    assert l1["pa_enrolments"] == 2  # P1 at A, P5 at B
    assert l1["persistent_absence_rate"] == pytest.approx(50.0)
    assert l1["overall_absence_rate"] == pytest.approx(100 * 14 / 80)
    assert l1["ward_name"] == "Castle & Priory" and l1["imd_decile"] == 3
    l2 = _lsoa(args).loc[L2]
    assert l2["persistent_absence_rate"] == pytest.approx(200 / 3)
    assert l2["gap_to_la"] == pytest.approx(200 / 3 - 50)


def test_every_la_lsoa_listed_and_small_areas_suppressed(args):
    df = _lsoa(args)
    assert df["in_la"].sum() == 203  # Dudley's LSOAs, with or without pupils
    assert df.loc[L3, "suppressed"] and df.loc[L3, "size_note"] == "fewer than 2"
    assert pd.isna(df.loc[L3, "persistent_absence_rate"])
    empty = df[df["size_note"] == "no pupils"]
    assert len(empty) == 200 and empty["enrolments"].isna().all()
    # default threshold 5: no area has 5 pupils
    assert _lsoa(args, queries.WHOLE_LA)["persistent_absence_rate"].isna().all()


def test_lsoa_scope(args):
    scope = queries.Scope(schools=(A,), suppression_threshold=2)
    l1 = _lsoa(args, scope).loc[L1]
    assert l1["enrolments"] == 2 and l1["schools_attended"] == 1  # P1, P2 only
    assert l1["persistent_absence_rate"] == pytest.approx(50.0)


def test_wards(args):
    w = queries.execute("neighbourhood_wards", SMALL, **args).set_index("ward_name")
    assert w.loc["Gornal", "persistent_absence_rate"] == pytest.approx(200 / 3)
    assert w.loc["Gornal", "gap_to_la"] == pytest.approx(200 / 3 - 50)
    assert w.loc["Castle & Priory", "gap_to_la"] == pytest.approx(0.0)
    assert w.loc["Castle & Priory", "la_pa_rate"] == pytest.approx(50.0)
    assert w.loc["Wollaston & Stourbridge Town", "suppressed"]
    assert w.loc["Gornal", "overall_absence_gap_to_la"] == pytest.approx(100 * 5 / 60 - 100 * 20 / 160)


def test_deprivation_for_the_la_and_a_school_intake(args):
    d = queries.execute(
        "neighbourhood_deprivation", SMALL, urn=A, **{k: v for k, v in args.items() if k != "la_code"}
    )
    la = d[d["series"] == "LA"].set_index("imd_decile")
    assert la.loc[3, "enrolments"] == 5  # L1 and L3
    assert la.loc[3, "persistent_absence_rate"] == pytest.approx(40.0)
    assert la.loc[9, "persistent_absence_rate"] == pytest.approx(200 / 3)
    school = d[d["series"] == "School intake"].set_index("imd_decile")
    assert school.loc[3, "persistent_absence_rate"] == pytest.approx(50.0)  # P1, P2
    assert school.loc[9, "persistent_absence_rate"] == pytest.approx(50.0)  # P3, P4
    la_only = queries.execute(
        "neighbourhood_deprivation", SMALL, urn=None, **{k: v for k, v in args.items() if k != "la_code"}
    )
    assert set(la_only["series"]) == {"LA"}


def test_schools_for_the_map(args):
    s = queries.execute("neighbourhood_schools", SMALL, **args).set_index("urn")
    assert s.loc[A, "roll"] == 210
    assert s.loc[A, "latitude"] == pytest.approx(52.50)
    assert s.loc[A, "persistent_absence_rate"] == pytest.approx(50.0)
    assert s.loc[A, "pct_living_in_la"] == pytest.approx(100.0)
