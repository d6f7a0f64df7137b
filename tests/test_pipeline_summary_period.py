"""`summary` never pools academic years: with no dates it covers the latest academic year to
date, and says so (issue 15, item 4)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import school_days, write_csv

from data_pipeline import warehouse
from data_pipeline.__main__ import main as cli
from data_pipeline.load import ingest_files
from data_pipeline.summary import PeriodError, summary

HEADER = ["urn", "pupil_id", "date", "session", "code"]
LAST_YEAR = school_days(dt.date(2024, 9, 2), 10)
THIS_YEAR = school_days(dt.date(2025, 9, 1), 8)  # ends Wednesday 10 Sep 2025


def rows(pupil, days, absent):
    """`absent` sessions of O first, then present."""
    out, k = [], 0
    for d in days:
        for s in ("AM", "PM"):
            out.append([1, pupil, d.isoformat(), s, "O" if k < absent else "/"])
            k += 1
    return out


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = tmp_path_factory.mktemp("years")
    # Last year: a and b, a persistently absent (4 of 20). This year: a present throughout,
    # b absent 2 of 16 (12.5%, PA), c present. Pooled over both years a would be 4/36 = 11.1%
    # (PA) and b 2/36 (not), with two enrolments: a different, meaningless answer.
    last = write_csv(d / "m2024.csv", HEADER, rows("a", LAST_YEAR, 4) + rows("b", LAST_YEAR, 0))
    this = write_csv(
        d / "m2025.csv", HEADER, rows("a", THIS_YEAR, 0) + rows("b", THIS_YEAR, 2) + rows("c", THIS_YEAR, 0)
    )
    path = d / "w.duckdb"
    ingest_files([last, this], path, progress=False, today=dt.date(2026, 1, 1))
    return path


def test_no_dates_is_the_latest_year_to_date(db):
    con = warehouse.connect(db, read_only=True)
    default = summary(con, population="all")
    explicit = summary(con, date_from=dt.date(2025, 9, 1), date_to=dt.date(2025, 9, 10), population="all")
    assert default == explicit
    assert default["enrolments"] == 3
    assert default["possible_sessions"] == 48
    assert default["pa_enrolments"] == 1  # b: 2 of 16
    assert default["persistent_absence_rate"] == pytest.approx(100 / 3)
    assert default["academic_year"] == "2025/26"
    assert default["period"] == "2025/26: 01 Sep 2025 to 10 Sep 2025"


def test_one_date_fills_the_rest_of_its_year(db):
    con = warehouse.connect(db, read_only=True)
    s = summary(con, date_from=dt.date(2024, 9, 1), population="all")
    assert (s["from"], s["to"], s["enrolments"], s["pa_enrolments"]) == ("2024-09-01", "2025-08-31", 2, 1)


def test_dates_across_two_years_are_refused(db, capsys):
    con = warehouse.connect(db, read_only=True)
    with pytest.raises(PeriodError, match="spans academic years 2024/25 and 2025/26"):
        summary(con, date_from=dt.date(2024, 9, 1), date_to=dt.date(2025, 9, 10))
    code = cli(["summary", "--db", str(db), "--from", "2024-09-01", "--to", "2025-09-10", "--format", "json"])
    assert code == 2
    assert "one academic year at a time" in capsys.readouterr().err


def test_cli_json_names_its_period(db, capsys):
    assert cli(["summary", "--db", str(db), "--population", "all", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["academic_year"] == "2025/26" and out["from"] == "2025-09-01" and out["to"] == "2025-09-10"
    assert out["enrolments"] == 3
