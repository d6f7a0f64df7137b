"""DfE's measures on small registers whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from conftest import ROOT, school_days, write_csv

from data_pipeline import warehouse
from data_pipeline.load import ingest_files
from data_pipeline.summary import summary

A, B = 100001, 100002
MON = dt.date(2025, 9, 8)  # a Monday in 2025/26 (August 2024 code set)
TEN_DAYS = school_days(MON, 10)  # 20 sessions over two weeks


def marks_for(urn, pupil, codes, days=TEN_DAYS):
    """codes: one code per session, AM then PM for each day."""
    rows = []
    for i, code in enumerate(codes):
        day = days[i // 2]
        rows.append([urn, pupil, day.isoformat(), "AM" if i % 2 == 0 else "PM", code])
    return rows


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    d = tmp_path_factory.mktemp("register")
    present = ["/", "\\"] * 10
    rows = []
    # PA10: 2 of 20 sessions absent (I, O) -> exactly 10.0% -> persistent absentee.
    rows += marks_for(A, "PA10", ["I", "O"] + present[2:])
    # SA50: 10 of 20 absent -> exactly 50% -> severe (and persistent).
    rows += marks_for(A, "SA50", ["I"] * 6 + ["G"] * 4 + present[10:])
    # LATE: L is present, U is unauthorised: 1 U in 20 -> 5%, not PA.
    rows += marks_for(A, "LATE", ["L", "U"] + present[2:])
    # AEA: V, K, P, W, B count as attendance, not absence, not present. 0% absence.
    rows += marks_for(A, "AEA", ["V", "K", "P", "W", "B"] + present[5:])
    # ADMIN: X, Y1, #, Q, Z are not possible sessions: 15 possible, 1 absent (M) -> 6.67%.
    rows += marks_for(A, "ADMIN", ["X", "Y1", "#", "Q", "Z", "M"] + present[6:])
    # JOINER: Z for the first week (not on roll), then 10 sessions with 1 C2 -> 10% -> PA.
    rows += marks_for(A, "JOINER", ["Z"] * 10 + ["C2"] + present[11:])
    # DUAL: on roll at A and B. At A: D (at the other school) for 4 sessions, 16 possible,
    # 1 absent (E) -> 6.25%. At B: 4 sessions, 1 absent (N) -> 25% -> PA at B.
    rows += marks_for(A, "DUAL", ["D"] * 4 + ["E"] + present[5:])
    rows += marks_for(B, "DUAL", ["/", "N", "/", "\\"], days=TEN_DAYS[:2])
    marks = write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], rows)
    # NEAR: 10 of 101 possible absent -> 9.90% -> not PA. 51 days, one session X.
    days = school_days(dt.date(2025, 9, 22), 51)
    near = ["I"] * 10 + ["/"] * 91 + ["X"]
    near_rows = marks_for(A, "NEAR", near, days=days)
    marks2 = write_csv(d / "marks_near.csv", ["urn", "pupil_id", "date", "session", "code"], near_rows)
    db = d / "w.duckdb"
    results = ingest_files([marks, marks2], db, progress=False, today=dt.date(2026, 11, 25))
    assert all(r.rows_quarantined == 0 for r in results), results
    return db


def test_headline_figures_by_hand(register):
    con = warehouse.connect(register, read_only=True)
    s = summary(con, population="all")
    # possible: PA10 20, SA50 20, LATE 20, AEA 20, ADMIN 15, JOINER 10, DUAL@A 16, DUAL@B 4, NEAR 101
    assert s["possible_sessions"] == 20 + 20 + 20 + 20 + 15 + 10 + 16 + 4 + 101 == 226
    assert s["enrolments"] == 9  # DUAL counts once at each school
    assert s["present_sessions"] == 18 + 10 + 19 + 15 + 14 + 9 + 15 + 3 + 91 == 194
    assert s["aea_sessions"] == 5
    # authorised: I (PA10) 1, I*6 (SA50), M (ADMIN), C2 (JOINER), E (DUAL), I*10 (NEAR) = 20
    assert s["authorised_sessions"] == 1 + 6 + 1 + 1 + 1 + 10 == 20
    # unauthorised: O (PA10), G*4 (SA50), U (LATE), N (DUAL@B) = 7
    assert s["unauthorised_sessions"] == 1 + 4 + 1 + 1 == 7
    assert (
        s["possible_sessions"]
        == s["present_sessions"] + s["aea_sessions"] + s["authorised_sessions"] + s["unauthorised_sessions"]
    )
    assert s["overall_absence_rate"] == pytest.approx(100 * 27 / 226)
    assert s["attendance_rate"] == pytest.approx(100 * 199 / 226)
    assert s["authorised_absence_rate"] == pytest.approx(100 * 20 / 226)
    assert s["unauthorised_absence_rate"] == pytest.approx(100 * 7 / 226)
    # PA: PA10 (10.0%), SA50, JOINER (10%), DUAL@B (25%); NEAR at 9.90% is not.
    assert s["pa_enrolments"] == 4
    assert s["persistent_absence_rate"] == pytest.approx(100 * 4 / 9)
    # SA: SA50 exactly 50%.
    assert s["sa_enrolments"] == 1
    assert s["severe_absence_rate"] == pytest.approx(100 * 1 / 9)
    assert s["days_lost"] == 13.5
    assert s["late_before_close_sessions"] == 1 and s["late_after_close_sessions"] == 1


def test_period_and_school_scope(register):
    con = warehouse.connect(register, read_only=True)
    s = summary(con, urn=B, population="all")
    assert (s["enrolments"], s["possible_sessions"], s["pa_enrolments"]) == (1, 4, 1)
    # First week only (5 days): JOINER has only Z -> no possible sessions -> left out.
    s = summary(con, date_from=MON, date_to=MON + dt.timedelta(days=4), population="all")
    assert s["enrolments"] == 7  # PA10, SA50, LATE, AEA, ADMIN, DUAL@A, DUAL@B; not JOINER, NEAR
    # SA50's first week: 6 I + 4 G = 10 of 10 absent.
    assert s["sa_enrolments"] == 1


def test_daily_collection_rule_leaves_out_short_enrolments(register):
    con = warehouse.connect(register, read_only=True)
    s = summary(con, population="all", pa_rule="daily")
    # JOINER (10 possible) and DUAL@B (4) are left out of PA: PA10 and SA50 of 7.
    assert s["pa_enrolments"] == 2
    assert s["persistent_absence_rate"] == pytest.approx(100 * 2 / 7)


def test_summary_cli_json(register):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_pipeline",
            "summary",
            "--db",
            str(register),
            "--urn",
            str(A),
            "--format",
            "json",
            "--population",
            "all",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    s = json.loads(out.stdout)
    for key in (
        "enrolments",
        "possible_sessions",
        "present_sessions",
        "aea_sessions",
        "authorised_sessions",
        "unauthorised_sessions",
        "attendance_rate",
        "overall_absence_rate",
        "authorised_absence_rate",
        "unauthorised_absence_rate",
        "persistent_absence_rate",
        "severe_absence_rate",
        "pa_enrolments",
        "sa_enrolments",
        "days_lost",
    ):
        assert key in s
    assert s["enrolments"] == 8 and s["possible_sessions"] == 222


def test_compulsory_age_population(tmp_path):
    """Reception (NC year 0) and year 12 are outside compulsory school age; unknown year counts."""
    pupils = write_csv(
        tmp_path / "pupils.csv",
        ["urn", "pupil_id", "ncyear"],
        [[A, "R1", "R"], [A, "Y1", "1"], [A, "Y12", "12"]],
    )
    rows = marks_for(A, "R1", ["I"] * 20) + marks_for(A, "Y1", ["/"] * 20) + marks_for(A, "Y12", ["I"] * 20)
    marks = write_csv(tmp_path / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], rows)
    db = tmp_path / "w.duckdb"
    ingest_files([marks, pupils], db, progress=False)
    con = warehouse.connect(db, read_only=True)
    assert summary(con)["enrolments"] == 1
    assert summary(con, population="all")["enrolments"] == 3


def test_pre_2024_codes(tmp_path):
    """2023/24 data uses the older code set: H is authorised holiday, J is approved activity."""
    days = school_days(dt.date(2023, 9, 11), 10)
    rows = marks_for(A, "OLD", ["H", "H", "J"] + ["/"] * 17, days=days)
    marks = write_csv(tmp_path / "m.csv", ["urn", "pupil_id", "date", "session", "code"], rows)
    db = tmp_path / "w.duckdb"
    (r,) = ingest_files([marks], db, progress=False)
    assert r.rows_loaded == 20 and r.code_set == "pre-2024 codes"
    s = summary(warehouse.connect(db, read_only=True), population="all")
    assert (s["authorised_sessions"], s["aea_sessions"], s["pa_enrolments"]) == (2, 1, 1)


def test_marts_agree_with_the_marks(register):
    con = warehouse.connect(register, read_only=True)
    flags = {
        p: (pa, sa)
        for p, pa, sa in con.execute(
            "select pupil_id, persistent_absentee, severe_absentee from enrolment_year where urn = ?", [A]
        ).fetchall()
    }
    assert (
        flags["PA10"] == (True, False) and flags["SA50"] == (True, True) and flags["NEAR"] == (False, False)
    )
    week = con.execute(
        "select sum(possible), sum(authorised), sum(unauthorised), sum(aea) from pupil_week"
    ).fetchall()[0]
    assert week == (226, 20, 7, 5)
    term = con.execute("select distinct term, half_term_no from pupil_half_term").fetchall()
    assert term == [("Autumn", 1)]
    half_terms = con.execute(
        "select sum(possible), sum(authorised), sum(unauthorised), sum(aea) from pupil_half_term"
    ).fetchall()[0]
    assert half_terms == week
    # Reasons land in their columns: PA10's O is other unauthorised, SA50's G unauthorised holiday.
    r = con.execute(
        "select sum(other_unauthorised), sum(unauthorised_holiday), sum(illness), sum(part_time_timetable), "
        "sum(late_after_close), sum(not_yet_known), sum(excluded), sum(medical) from pupil_week"
    ).fetchall()[0]
    assert r == (1, 4, 17, 1, 1, 1, 1, 1)
    assert con.execute(
        "select pct(1, 4), is_persistent_absentee(1, 10), is_persistent_absentee(1, 11), "
        "is_severe_absentee(5, 10), days_lost(3)"
    ).fetchall()[0] == (25.0, True, False, True, 1.5)


def test_summary_over_partial_weeks_matches_the_marks(register):
    """Whole weeks come from the pupil_week mart, partial weeks from the marks: same answer."""
    con = warehouse.connect(register, read_only=True)
    # Wednesday of week 1 to Tuesday of week 2: two partial weeks.
    s = summary(
        con, date_from=MON + dt.timedelta(days=2), date_to=MON + dt.timedelta(days=8), population="all"
    )
    direct = con.execute(
        """select count(*) filter (where r.counts_possible), count(*) filter (where r.is_authorised),
                  count(*) filter (where r.is_unauthorised), count(distinct (m.urn, m.pupil_id)) filter (where r.counts_possible)
           from marks m join ref_codes r on r.code = m.code and r.code_set = '2024'
           where m.date between ? and ?""",
        [MON + dt.timedelta(days=2), MON + dt.timedelta(days=8)],
    ).fetchall()[0]
    assert (
        s["possible_sessions"],
        s["authorised_sessions"],
        s["unauthorised_sessions"],
        s["enrolments"],
    ) == direct
