"""The feed (`python -m data_pipeline export`) on the demo LA: the same figures as `summary`,
the Schools page's table, the governors' term summary and the School page's pupil groups, to
the digit; small numbers at school level withheld exactly as the governors' suppression
withholds them; hive-style partitions by academic year; a data dictionary for every column;
no pupil-level row."""

from __future__ import annotations

import csv
import json

import duckdb
import pandas as pd
import pytest

import queries
from access import WHOLE_LA
from data_pipeline import export
from data_pipeline.__main__ import main
from queries.suppression import suppress


@pytest.fixture(scope="module")
def feed(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("feed")
    assert main(["export", "--db", str(demo_db), "--to", str(out), "--level", "la"]) == 0
    assert main(["export", "--db", str(demo_db), "--to", str(out), "--level", "school"]) == 0
    return out


def _read(folder, table) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        return con.execute(
            "select * from read_parquet(?, hive_partitioning = true)",
            [str(folder / table / "*" / "*.parquet")],
        ).df()
    finally:
        con.close()


def _summary(demo_db, capsys, *args) -> dict:
    capsys.readouterr()
    assert main(["summary", "--db", str(demo_db), "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _period(con, year):
    calendar = queries.execute("school_calendar_parts", WHOLE_LA, con=con)
    return queries.resolve_period(calendar, year, "Year to date")


def test_la_year_equals_summary_to_the_digit(feed, demo_db, capsys):
    la = _read(feed, "la_year").set_index("academic_year")
    assert sorted(la.index) == [2024, 2025]
    for year, args in ((2025, ()), (2024, ("--from", "2024-09-01", "--to", "2025-08-31"))):
        s = _summary(demo_db, capsys, *args)
        row = la.loc[year]
        for key, value in s.items():
            if isinstance(value, (int, float)) and key != "urn":
                assert row[key] == value, (year, key)  # exactly: no rounding anywhere
        assert row["academic_year_label"] == s["academic_year"]
    # the latest year runs to the latest mark, as `summary` without dates does
    assert str(la.loc[2025, "period_to"])[:10] == _summary(demo_db, capsys)["to"]


def test_school_year_is_the_schools_table_suppressed_as_governors_see_it(feed, demo_db):
    got = _read(feed, "school_year")
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        for year in (2024, 2025):
            p = _period(con, year)
            table = queries.execute(
                "schools_table",
                WHOLE_LA,
                con=con,
                year=year,
                phase=None,
                school_type=None,
                ward=None,
                **p.params(),
            )
            table.insert(0, "academic_year", year)
            spec = export.SUPPRESSION["school_year"]
            want = suppress(table, spec["count_cols"], spec["rate_cols"], 5, spec["group_cols"])
            mine = got[got["academic_year"] == year].set_index("urn").sort_index()
            want = want.set_index("urn").sort_index()
            assert list(mine.index) == list(want.index)
            for col in table.columns:
                if col in ("urn", "academic_year"):
                    continue
                for urn in want.index:
                    w, m = want.loc[urn, col], mine.loc[urn, col]
                    if isinstance(w, str) and w == "c":
                        assert pd.isna(m) and col in mine.loc[urn, "suppressed"].split(","), (urn, col)
                    elif pd.isna(w):
                        assert pd.isna(m), (urn, col)
                    else:
                        assert m == w, (year, urn, col)  # the page's figure, to the digit
    finally:
        con.close()


def test_school_term_and_cohorts_equal_the_governors_and_school_pages(demo_db):
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        raw = export.tables_for(con, "school", threshold=1)  # threshold 1: nothing withheld
        urn = int(raw["school_year"]["urn"].iloc[0])
        p = _period(con, 2025)
        terms = queries.execute(
            "governor_term_summary", WHOLE_LA, con=con, urn=urn, year=2025, week_to=p.week_to
        )
        mine = raw["school_term"]
        mine = mine[mine["urn"] == urn].set_index(["academic_year", "term"])
        cols = [
            "enrolments",
            "pa_enrolments",
            "sa_enrolments",
            "attendance_rate",
            "overall_absence_rate",
            "unauthorised_absence_rate",
            "persistent_absence_rate",
            "severe_absence_rate",
            "days_lost",
        ]
        assert len(terms) >= 3
        for _, t in terms.iterrows():
            row = mine.loc[(t["academic_year"], t["term"])]
            for c in cols:
                assert row[c] == t[c], (t["term"], c)
        groups = queries.execute("school_cohorts", WHOLE_LA, con=con, urn=urn, year=2025, **p.params())
        c = raw["school_cohort"]
        c = c[(c["urn"] == urn) & (c["academic_year"] == 2025)]
        short = {d: dim.short for d, dim in export.catalogue.dimensions().items()}
        c = c.assign(cohort_type=c["dimension"].map(short)).set_index(["cohort_type", "group_label"])
        for _, g in groups.iterrows():
            row = c.loc[(g["cohort_type"], g["cohort"])]
            assert row["enrolments"] == g["enrolments"]
            assert row["pa_enrolments"] == g["pa_enrolments"]
            assert row["persistent_absence_rate"] == g["persistent_absence_rate"]
            assert row["overall_absence_rate"] == g["overall_absence_rate"]
        # the LA's weeks add up the schools' weeks
        la_w, sc_w = raw_la_week(con), raw["school_week"]
        assert la_w["possible_sessions"].sum() == sc_w["possible_sessions"].sum()
        # and a school's weeks are its week-by-week chart's, to the digit
        weekly = queries.execute("school_weekly", WHOLE_LA, con=con, urn=urn, year=2025)
        chart = weekly[weekly["series"] == "This year"]
        chart = dict(zip(pd.to_datetime(chart["week_start"]), chart["overall_absence_rate"]))
        fed = sc_w[(sc_w["urn"] == urn) & (sc_w["academic_year"] == 2025)]
        fed = dict(zip(pd.to_datetime(fed["week_start"]), fed["overall_absence_rate"]))
        assert len(chart) > 5 and fed == chart
    finally:
        con.close()


def raw_la_week(con) -> pd.DataFrame:
    return export.tables_for(con, "la", threshold=1)["la_week"]


def test_small_numbers_withheld_and_no_pupil_rows(feed):
    cohort = _read(feed, "school_cohort")
    assert (cohort["suppressed"] != "").any()
    for c in ("enrolments", "pa_enrolments", "sa_enrolments"):
        shown = cohort[c].dropna()
        assert not ((shown > 0) & (shown < 5)).any(), c
    hidden = cohort[cohort["suppressed"].str.contains("pa_enrolments")]
    assert hidden["persistent_absence_rate"].isna().all()
    for table in export.TABLES:
        df = _read(feed, table)
        assert not {"pupil_id", "upn", "pupil_ref", "dob"} & set(df.columns), table
    # a breakdown of several groups never has exactly one withheld cell
    for _, g in cohort.groupby(["academic_year", "urn", "dimension"]):
        assert len(g) == 1 or g["pa_enrolments"].isna().sum() != 1


def test_partitions_manifest_dictionary_and_csv(feed, demo_db, tmp_path):
    for table in export.TABLES:
        assert sorted(p.name for p in (feed / table).iterdir()) == [
            "academic_year=2024",
            "academic_year=2025",
        ]
    manifest = json.loads((feed / "school_manifest.json").read_text())
    assert manifest["level"] == "school" and manifest["synthetic"] is True
    with (feed / "data_dictionary.csv").open() as fh:
        dictionary = list(csv.DictReader(fh))
    described = {(r["table"], r["column"]) for r in dictionary}
    for table in export.TABLES:
        for col in _read(feed, table).columns:
            assert (table, col) in described, (table, col)
    pa = next(r for r in dictionary if r["table"] == "la_year" and r["column"] == "persistent_absence_rate")
    assert pa["definition"] == export.catalogue.measure("persistent_absence_rate").definition
    # CSV: the same partitions, 'c' where withheld (DfE's convention)
    assert (
        main(["export", "--db", str(demo_db), "--to", str(tmp_path), "--format", "csv", "--level", "school"])
        == 0
    )
    text = (tmp_path / "school_cohort" / "academic_year=2025" / "data.csv").read_text()
    assert ",c," in text
    again = pd.read_csv(tmp_path / "school_term" / "academic_year=2025" / "data.csv")
    assert len(again) == len(_read(feed, "school_term").query("academic_year == 2025"))
    # dates are dates in Parquet
    con = duckdb.connect()
    kinds = dict(
        con.execute(
            "select column_name, column_type from (describe select * from read_parquet(?, hive_partitioning = true))",
            [str(feed / "la_year" / "*" / "*.parquet")],
        ).fetchall()
    )
    assert kinds["period_to"] == "DATE" and kinds["academic_year"] == "BIGINT"


def test_export_errors_name_the_problem(tmp_path, capsys):
    assert main(["export", "--db", str(tmp_path / "none.duckdb"), "--to", str(tmp_path / "out")]) == 2
    assert "no warehouse at" in capsys.readouterr().err
