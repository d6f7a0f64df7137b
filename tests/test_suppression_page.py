"""Suppression that survives subtraction (issue 16, item 2), as a property of the governors' page.

Hypothesis generates small primary schools (Reception to Year 6, FSM, SEN, gender, absence);
each goes through the real pipeline, and the tables a governor sees together (year groups and
pupil groups for the selected period) are read through the page's own suppression. Then an
attacker's arithmetic is tried on them: every breakdown is taken to add up to a known total
(the worst case: the term summary, or another table, shows it), and a suppressed cell that is
fixed by those sums (found by linear algebra over all the tables at once, so every chain of
subtractions and sums is covered) is a failure. So is a breakdown whose suppressed cells add up
to fewer than the threshold (then every one of them is known to be small), and a breakdown
whose cells do not add up to the same total as the others (a different population, the
probe's case: year groups of all ages beside pupil groups of compulsory age let Year 4's
suppressed PA count be recovered as 71 - 67 = 4).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
from conftest import school_days, write_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import queries
from data_pipeline.load import ingest_files
from ui.school import GOVERNOR_SUPPRESSION

URN = 500001
DAYS = school_days(dt.date(2025, 9, 1), 10)
COUNTS = ("enrolments", "pa_enrolments", "sa_enrolments")
THRESHOLD = 5

pupil = st.tuples(
    st.integers(0, 6),  # NC year (Reception not of compulsory school age)
    st.booleans(),  # FSM
    st.sampled_from(["N", "N", "N", "K", "E"]),
    st.sampled_from(["Female", "Male"]),
    st.sampled_from([0, 0, 0, 1, 2, 3, 6, 12, 20]),  # absent sessions of 20
)


def _build(tmp_path, pupils) -> duckdb.DuckDBPyConnection:
    write_csv(tmp_path / "schools.csv", ["urn", "school_name", "phase"], [[URN, "Gen Primary", "Primary"]])
    write_csv(
        tmp_path / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "fsm", "sen_provision", "gender", "effective_date"],
        [[URN, f"G{i:03d}", y, int(f), s, g, "2025-09-01"] for i, (y, f, s, g, _) in enumerate(pupils)],
    )
    marks = []
    for i, (*_, absent) in enumerate(pupils):
        k = 0
        for day in DAYS:
            for session in ("AM", "PM"):
                marks.append([URN, f"G{i:03d}", day.isoformat(), session, "O" if k < absent else "/"])
                k += 1
    write_csv(tmp_path / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], marks)
    db = tmp_path / "w.duckdb"
    ingest_files(
        [tmp_path / "schools.csv", tmp_path / "pupils.csv", tmp_path / "marks.csv"],
        db,
        progress=False,
        today=dt.date(2026, 1, 1),
    )
    return duckdb.connect(str(db), read_only=True)


def _page_tables(con, scope, period) -> dict[str, pd.DataFrame]:
    args = dict(urn=URN, year=2025, **period.params())
    return {
        q: queries.run_suppressed(q, scope, con=con, **GOVERNOR_SUPPRESSION[q], **args)
        for q in ("school_year_groups", "school_cohorts")
    }


def _breakdowns(tables: dict[str, pd.DataFrame]) -> list[pd.DataFrame]:
    """Each set of rows that adds up to the whole population: the year groups; each kind of
    pupil group (FSM, SEN, gender...) that covers every pupil."""
    out = [tables["school_year_groups"]]
    for _, rows in tables["school_cohorts"].groupby("cohort_type", sort=False):
        out.append(rows)
    return out


def attack(
    shown: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame], total: dict[str, int]
) -> list[str]:
    """What an attacker learns by sums and differences across all the tables at once."""
    found = []
    shown_b, true_b = _breakdowns(shown), _breakdowns(truth)
    for col in COUNTS:
        if total[col] < THRESHOLD:
            # a total under the threshold is itself 'c' wherever it appears, and so is every cell
            # of every breakdown of it: the attacker learns only that the group is small (or, for
            # a total of 0, shown as DfE shows zeros, that every cell is 0)
            continue
        cells, rows = [], []  # unknowns: (breakdown, row index); one equation per breakdown
        for b, (s, t) in enumerate(zip(shown_b, true_b)):
            if col not in t.columns:  # (pupil groups show no SA)
                continue
            if int(pd.to_numeric(t[col]).sum()) != total[col]:
                found.append(f"{col}: a breakdown adds up to {t[col].sum()}, not the total {total[col]}")
            hidden = [i for i in s.index if s.loc[i, col] == "c"]
            if hidden and sum(int(t.loc[i, col]) for i in hidden) < THRESHOLD:
                found.append(f"{col}: the suppressed cells of a breakdown add up to fewer than {THRESHOLD}")
            rows.append([(b, i) for i in hidden])
            cells += [(b, i) for i in hidden]
        if not cells:
            continue
        a = np.array([[1.0 if c in eq else 0.0 for c in cells] for eq in rows])
        rank = np.linalg.matrix_rank(a)
        for k, c in enumerate(cells):
            unit = np.zeros(len(cells))
            unit[k] = 1.0
            if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
                found.append(f"{col}: cell {c} can be worked out from the others")
    return found


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pupils=st.lists(pupil, min_size=8, max_size=45))
def test_no_suppressed_count_can_be_recovered_across_the_governors_tables(tmp_path_factory, pupils):
    con = _build(tmp_path_factory.mktemp("gen"), pupils)
    cal = queries.execute("school_calendar_parts", con=con)
    period = queries.resolve_period(cal, 2025, "Year to date")
    governor = queries.Scope(schools=(URN,), role="governor", user="gov@test.invalid")
    officer = queries.Scope(pupil_rows_allowed=True, role="la_officer", user="la@test.invalid")
    shown = _page_tables(con, governor, period)
    truth = _page_tables(con, officer, period)
    compulsory = [p for p in pupils if p[0] >= 1]
    total = {
        "enrolments": len(compulsory),
        "pa_enrolments": sum(1 for p in compulsory if p[4] * 10 >= 20),
        "sa_enrolments": sum(1 for p in compulsory if p[4] * 2 >= 20),
    }
    con.close()
    assert attack(shown, truth, total) == []


def test_the_probes_case_year_groups_share_the_pupil_groups_population(tmp_path):
    """Year 4 with 4 PA pupils, Reception with 2: with Reception in the year groups, Year 4 was
    recoverable from the FSM total. Both tables now count compulsory school age only."""
    pupils = []
    for year, n, pa in [(0, 8, 2), (1, 12, 3), (2, 10, 2), (3, 9, 2), (4, 8, 4), (5, 11, 2), (6, 10, 3)]:
        pupils += [(year, i % 2 == 0, "N", "Female", 6 if i < pa else 0) for i in range(n)]
    con = _build(tmp_path, pupils)
    cal = queries.execute("school_calendar_parts", con=con)
    period = queries.resolve_period(cal, 2025, "Year to date")
    governor = queries.Scope(schools=(URN,), role="governor", user="gov@test.invalid")
    tables = _page_tables(con, governor, period)
    con.close()
    years = tables["school_year_groups"]["year_group"].tolist()
    assert "Reception" not in years and years[0] == "Year 1"
    yg = tables["school_year_groups"].set_index("year_group")
    hidden = yg.index[yg["pa_enrolments"] == "c"].tolist()
    assert "Year 4" in hidden and len(hidden) >= 2
