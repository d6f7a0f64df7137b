"""Query tier, cohorts: hand-computed expectations on a tiny warehouse loaded through the real ingest path.

Two schools (A primary, B secondary), eight pupils, ten school days (20 sessions each, two
weeks); every absence falls in week 1 (the first sessions). Home LSOAs are real Dudley LSOAs:
L1 = E01009757 (Castle & Priory, IMD decile 3), L2 = E01009899 (Gornal, decile 9),
L3 = E01009910 (Wollaston & Stourbridge Town, decile 3).

| pupil | school | FSM | SEN | year | home | absent sessions (code)          | PA  |
|-------|--------|-----|-----|------|------|---------------------------------|-----|
| P1    | A      | yes | E   | 3    | L1   | 4 (I illness) = 20%             | yes |
| P2    | A      | yes | N   | 3    | L1   | 0                               |     |
| P3    | A      | no  | N   | 4    | L2   | 2 (I illness) = 10% exactly     | yes |
| P4    | A      | no  | K   | 4    | L2   | 0                               |     |
| P5    | B      | yes | K   | 8    | L1   | 10 (O other unauthorised) = 50% | yes, and SA |
| P6    | B      | no  | N   | 8    | L3   | 1 (G unauthorised holiday) = 5% |     |
| P7    | B      | no  | N   | 9    | L1   | 0                               |     |
| P8    | B      | yes | N   | 9    | L2   | 3 (M medical) = 15%             | yes |
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import school_days, write_csv

import queries
from data_pipeline.load import Options, ingest_files

A, B = 100001, 100002
L1, L2, L3 = "E01009757", "E01009899", "E01009910"
DAYS = school_days(dt.date(2025, 9, 8), 10)
PUPILS = [  # urn, pupil, fsm, sen, ncyear, home, absent code, absent sessions
    (A, "P1", 1, "E", 3, L1, "I", 4),
    (A, "P2", 1, "N", 3, L1, None, 0),
    (A, "P3", 0, "N", 4, L2, "I", 2),
    (A, "P4", 0, "K", 4, L2, None, 0),
    (B, "P5", 1, "K", 8, L1, "O", 10),
    (B, "P6", 0, "N", 8, L3, "G", 1),
    (B, "P7", 0, "N", 9, L1, None, 0),
    (B, "P8", 1, "N", 9, L2, "M", 3),
]
SMALL = queries.Scope(suppression_threshold=2)  # lets the tiny cohorts show


def build_fixture(d) -> object:
    write_csv(
        d / "schools.csv",
        ["urn", "school_name", "phase", "lat", "lon", "NumberOfPupils"],
        [[A, "School A", "Primary", 52.50, -2.10, 210], [B, "School B", "Secondary", 52.45, -2.15, 900]],
    )
    write_csv(
        d / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "fsm", "sen_provision", "home_lsoa", "gender", "effective_date"],
        [
            [u, pid, nc, fsm, sen, home, "Female" if int(pid[1]) % 2 else "Male", "2025-09-01"]
            for u, pid, fsm, sen, nc, home, _, _ in PUPILS
        ],
    )
    marks = []
    for urn, pid, *_, code, n_absent in PUPILS:
        k = 0
        for day in DAYS:
            for session in ("AM", "PM"):
                marks.append(
                    [
                        urn,
                        pid,
                        day.isoformat(),
                        session,
                        code if k < n_absent else ("/" if session == "AM" else "\\"),
                    ]
                )
                k += 1
    write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], marks)
    db = d / "attendance.duckdb"
    ingest_files(
        [d / "schools.csv", d / "pupils.csv", d / "marks.csv"],
        db,
        progress=False,
        options=Options(synthetic=True, meta={"la_code": "E08000027", "la_name": "Tiny"}),
    )
    return db


@pytest.fixture(scope="module")
def cohort_db(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("cohorts"))


@pytest.fixture()
def args(cohort_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(cohort_db))
    cal = queries.execute("school_calendar_parts")
    p = queries.resolve_period(cal, 2025, "Year to date")
    return dict(year=2025, phase=None, week_from=p.week_from, week_to=p.week_to)


def _measures(args, dimension, scope=SMALL, **over):
    df = queries.execute("cohort_measures", scope, dimension=dimension, **{**args, **over})
    return df.set_index("group_label")


def test_fsm_cohort_rates(args):
    fsm = _measures(args, "fsm").loc["Eligible for free school meals"]
    assert fsm["enrolments"] == 4
    # P1, P5, P8 of P1, P2, P5, P8 are persistently absent
    assert fsm["pa_enrolments"] == 3
    assert fsm["persistent_absence_rate"] == pytest.approx(75.0)
    assert fsm["sa_enrolments"] == 1
    assert fsm["severe_absence_rate"] == pytest.approx(25.0)
    # 4 + 0 + 10 + 3 = 17 absent of 80 possible sessions; authorised I + M = 7, unauthorised O = 10
    assert fsm["overall_absence_rate"] == pytest.approx(100 * 17 / 80)
    assert fsm["authorised_absence_rate"] == pytest.approx(100 * 7 / 80)
    assert fsm["unauthorised_absence_rate"] == pytest.approx(100 * 10 / 80)
    assert fsm["attendance_rate"] == pytest.approx(100 * 63 / 80)
    assert fsm["days_lost_per_enrolment"] == pytest.approx(17 / 2 / 4)


def test_fsm_gap_to_all_other_pupils(args):
    fsm = _measures(args, "fsm").loc["Eligible for free school meals"]
    # others: P3 (PA, 2 absent), P4, P6 (1 absent), P7: PA 1 of 4, absence 3 of 80
    assert fsm["other_persistent_absence_rate"] == pytest.approx(25.0)
    assert fsm["gap_persistent_absence"] == pytest.approx(50.0)
    assert fsm["other_overall_absence_rate"] == pytest.approx(100 * 3 / 80)
    assert fsm["gap_overall_absence"] == pytest.approx(100 * 17 / 80 - 100 * 3 / 80)
    assert fsm["gap_severe_absence"] == pytest.approx(25.0)


def test_sen_groups_in_order_and_exactly_10_percent_is_pa(args):
    sen = _measures(args, "sen")
    assert sen.index.tolist() == [
        "Education, health and care plan (EHCP)",
        "SEN support",
        "No identified SEN",
    ]
    none = sen.loc["No identified SEN"]  # P2, P3 (10%), P6, P7, P8
    assert none["enrolments"] == 5
    assert none["pa_enrolments"] == 2


def test_small_cohort_is_suppressed(args):
    # default threshold 5: the FSM cohort of 4 shows no count and no rate
    fsm = _measures(args, "fsm", scope=queries.WHOLE_LA).loc["Eligible for free school meals"]
    assert fsm["suppressed"]
    assert fsm["size_note"] == "fewer than 5"
    for col in (
        "enrolments",
        "pa_enrolments",
        "persistent_absence_rate",
        "overall_absence_rate",
        "gap_persistent_absence",
        "other_persistent_absence_rate",
    ):
        assert pd.isna(fsm[col]), col
    # the threshold comes from the viewer's scope
    assert not _measures(args, "fsm", scope=queries.Scope(suppression_threshold=4)).loc[
        "Eligible for free school meals", "suppressed"
    ]


def test_gap_withheld_when_the_others_are_few(args):
    # SEN support (P4, P5) against 6 others with threshold 2: shown; EHCP (1 pupil) suppressed
    sen = _measures(args, "sen")
    assert sen.loc["Education, health and care plan (EHCP)", "suppressed"]
    assert sen.loc["SEN support", "gap_persistent_absence"] == pytest.approx(50 - 100 * 3 / 6)
    # threshold 7: "No identified SEN" (5) is suppressed; its others (3) would be too
    assert _measures(args, "sen", scope=queries.Scope(suppression_threshold=7))["enrolments"].isna().all()


def test_scope_to_school_a(args):
    scope = queries.Scope(schools=(A,), suppression_threshold=2)
    fsm = _measures(args, "fsm", scope=scope)
    # A: FSM P1 (PA), P2; others P3 (PA), P4
    assert fsm.loc["Eligible for free school meals", "enrolments"] == 2
    assert fsm.loc["Eligible for free school meals", "persistent_absence_rate"] == pytest.approx(50.0)
    assert fsm.loc["Eligible for free school meals", "gap_persistent_absence"] == pytest.approx(0.0)
    schools = queries.execute("cohort_schools", scope, dimension="fsm", group_key="true", **args)
    assert schools["urn"].tolist() == [A]


def test_phase_filter(args):
    fsm = _measures(args, "fsm", phase="Secondary").loc["Eligible for free school meals"]
    assert fsm["enrolments"] == 2  # P5, P8
    assert fsm["persistent_absence_rate"] == pytest.approx(100.0)


def test_year_group_labels(args):
    years = _measures(args, "ncyear")
    assert years.index.tolist() == ["Year 3", "Year 4", "Year 8", "Year 9"]
    assert years.loc["Year 8", "persistent_absence_rate"] == pytest.approx(50.0)


def test_intersection_cell(args):
    grid = queries.execute("cohort_intersection", SMALL, dim_a="sen", dim_b="fsm", **args)
    cell = grid[
        (grid["group_a"] == "No identified SEN") & (grid["group_b"] == "Eligible for free school meals")
    ].iloc[0]
    assert cell["enrolments"] == 2  # P2, P8
    assert cell["persistent_absence_rate"] == pytest.approx(50.0)
    assert cell["overall_absence_rate"] == pytest.approx(100 * 3 / 40)
    other = grid[
        (grid["group_a"] == "No identified SEN") & (grid["group_b"] == "Not eligible for free school meals")
    ].iloc[0]
    assert other["enrolments"] == 3  # P3, P6, P7
    assert other["persistent_absence_rate"] == pytest.approx(100 / 3)
    ehcp = grid[grid["group_a"] == "Education, health and care plan (EHCP)"].iloc[0]
    assert ehcp["suppressed"] and ehcp["size_note"] == "fewer than 2" and pd.isna(ehcp["enrolments"])
    assert grid["enrolments"].fillna(0).sum() + 3 == 8  # three single-pupil cells suppressed


def test_intersection_and_measures_label_groups_alike(args):
    for dim in ("sen", "fsm", "gender", "ncyear", "cla", "social_worker", "phase", "ethnicity"):
        m = set(_measures(args, dim).index)
        g = queries.execute("cohort_intersection", SMALL, dim_a=dim, dim_b="fsm", **args)
        assert set(g["group_a"]) == m, dim


def test_weekly_trend(args):
    w = queries.execute("cohort_weekly", SMALL, dimension="fsm", group_key="true", **args)
    cohort = w[w["series"] == "cohort"].sort_values("week_start")
    others = w[w["series"] == "others"].sort_values("week_start")
    # week 1: 17 of 40 sessions; week 2: none
    assert cohort["overall_absence_rate"].tolist() == pytest.approx([100 * 17 / 40, 0.0])
    assert others["overall_absence_rate"].tolist() == pytest.approx([100 * 3 / 40, 0.0])
    assert cohort["in_period"].all()


def test_reasons(args):
    r = queries.execute("cohort_reasons", SMALL, dimension="fsm", group_key="true", **args).set_index(
        "reason"
    )
    assert r.loc["illness", "cohort_sessions"] == 4
    assert r.loc["illness", "cohort_rate"] == pytest.approx(5.0)
    assert r.loc["illness", "cohort_share_of_absence"] == pytest.approx(100 * 4 / 17)
    assert r.loc["other_unauthorised", "cohort_rate"] == pytest.approx(100 * 10 / 80)
    assert r.loc["illness", "others_rate"] == pytest.approx(100 * 2 / 80)
    assert r.loc["unauthorised_holiday", "others_share_of_absence"] == pytest.approx(100 / 3)


def test_schools_holding_the_cohorts_pa(args):
    s = queries.execute("cohort_schools", SMALL, dimension="fsm", group_key="true", **args)
    assert s["urn"].tolist() == [B, A]  # B holds 2 of the cohort's 3 PA pupils
    b = s.iloc[0]
    assert b["cohort_pa_enrolments"] == 2
    assert b["share_of_cohort_pa"] == pytest.approx(200 / 3)
    assert b["cohort_persistent_absence_rate"] == pytest.approx(100.0)
    assert b["other_persistent_absence_rate"] == pytest.approx(0.0)  # P6 (5%), P7
    assert b["gap_persistent_absence"] == pytest.approx(100.0)
    assert s.iloc[1]["gap_persistent_absence"] == pytest.approx(0.0)  # A: 1 of 2 against 1 of 2


def test_published_comparison(args):
    n = queries.execute("cohort_national", SMALL, dimension="fsm", la_code="E08000027")
    n = n.set_index("group_label")
    assert set(n.index) == {"Eligible", "Not Eligible"}  # 'Unclassified' left out
    e = n.loc["Eligible"]
    assert e["period_label"] == "2022/23"
    assert e["england_pa"] == pytest.approx(36.497253, abs=1e-4)  # DfE census 2022/23, all phases
    assert e["neighbours_published"] == 10
    # Another collection and year than the registers': no figure of ours, no gap to it.
    assert not {"persistent_absence_rate", "gap_to_england_pa"} & set(n.columns)
    # no published breakdown for children looked after
    assert queries.execute("cohort_national", SMALL, dimension="cla", la_code="E08000027").empty


def test_values_are_bound_not_pasted(args):
    # a hostile characteristic is just a value that names no dimension of the catalogue
    df = queries.execute("cohort_measures", SMALL, dimension="fsm' or 1=1 --", **args)
    assert df.empty
    assert not queries.execute("cohort_measures", SMALL, dimension="fsm", **args).empty
