"""school_week (each school's compulsory-age enrolments' sessions a week) and the two weekly
queries that read it, on a register worked by hand.

Two schools, two school weeks from Monday 8 September 2025 (10 sessions a pupil a week):

| pupil | school | year | marks | counted |
|---|---|---|---|---|
| P1 | A (primary) | Year 3 | 2 `I` in week 1 | yes |
| R0 | A (primary) | Reception | 10 `O` in week 1, 10 `O` in week 2 | no: under compulsory school age |
| P3 | B (secondary) | Year 8 | 10 `O` in week 1 | yes |

So A's week 1 is 2 absent of 10 possible (20%), week 2 0 of 10; B's week 1 10 of 10, week 2 0
of 10; the LA's week 1 12 of 20 (60%). With R0 counted, A's week 1 would be 12 of 20.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from conftest import school_days, write_csv

import queries
from data_pipeline.load import Options, ingest_files

A, B = 200001, 200002
DAYS = school_days(dt.date(2025, 9, 8), 10)
W1, W2 = dt.date(2025, 9, 8), dt.date(2025, 9, 15)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = tmp_path_factory.mktemp("school_week")
    write_csv(
        d / "schools.csv",
        ["urn", "school_name", "phase"],
        [[A, "School A", "Primary"], [B, "School B", "Secondary"]],
    )
    write_csv(
        d / "pupils.csv",
        ["urn", "pupil_id", "ncyear", "effective_date"],
        [[A, "P1", 3, "2025-09-01"], [A, "R0", "R", "2025-09-01"], [B, "P3", 8, "2025-09-01"]],
    )
    marks = []
    for urn, pupil, code, n in [(A, "P1", "I", 2), (A, "R0", "O", 20), (B, "P3", "O", 10)]:
        k = 0
        for day in DAYS:
            for session in ("AM", "PM"):
                marks.append([urn, pupil, day.isoformat(), session, code if k < n else "/"])
                k += 1
    write_csv(d / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], marks)
    path = d / "attendance.duckdb"
    ingest_files(
        [d / "schools.csv", d / "pupils.csv", d / "marks.csv"],
        path,
        progress=False,
        options=Options(synthetic=True, meta={"la_code": "E08000027", "la_name": "Tiny"}),
    )
    return path


def test_school_week_counts_compulsory_age_enrolments_only(db):
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "select urn, week_start, phase, possible, attending, authorised, unauthorised from school_week order by all"
    ).fetchall()
    con.close()
    assert rows == [
        (A, W1, "Primary", 10, 8, 2, 0),
        (A, W2, "Primary", 10, 10, 0, 0),
        (B, W1, "Secondary", 10, 0, 0, 10),
        (B, W2, "Secondary", 10, 10, 0, 0),
    ]


@pytest.mark.parametrize(("phase", "week_1"), [(None, 60.0), ("Primary", 20.0), ("Secondary", 100.0)])
def test_la_weekly_absence(db, monkeypatch, phase, week_1):
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    w = queries.execute("la_weekly_absence", queries.WHOLE_LA, year=2025, phase=phase, bench_phase="Total")
    this = w[w["series"] == "This year"].sort_values("week_of_year")
    assert this["week_start"].dt.date.tolist() == [W1, W2]
    assert this["overall_absence_rate"].tolist() == pytest.approx([week_1, 0.0])


def test_school_weekly(db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    w = queries.execute("school_weekly", queries.WHOLE_LA, urn=A, year=2025)
    this = w[w["series"] == "This year"].sort_values("week_of_year")
    assert this["overall_absence_rate"].tolist() == pytest.approx([20.0, 0.0])  # not 12/20 with R0
    assert "LA, same phase" not in set(w["series"])  # too few other schools of the phase
