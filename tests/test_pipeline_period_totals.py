"""The year's totals kept in pupil_year and enrolment_year built from them: every sum must equal
the one taken straight from pupil_week."""

from __future__ import annotations

import duckdb
import pytest

COUNTS = ("possible", "present", "late_before_close", "aea", "authorised", "unauthorised",
          "late_after_close", "illness", "medical", "authorised_holiday", "excluded",
          "part_time_timetable", "other_authorised", "unauthorised_holiday", "other_unauthorised",
          "not_yet_known")


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def _rows(con, sql, params=None):
    return sorted(con.execute(sql, params or {}).fetchall())


def test_pupil_year_keeps_the_sums_of_its_weeks(con):
    sums = ", ".join(f"sum({c})::integer" for c in COUNTS)
    from_weeks = _rows(con, f"select academic_year, urn, pupil_id, ekey, min(week_start), max(week_start), "
                            f"{sums} from pupil_week group by academic_year, urn, pupil_id, ekey")
    kept = _rows(con, f"select academic_year, urn, pupil_id, ekey, first_week, last_week, "
                      f"{', '.join(COUNTS)} from pupil_year")
    assert from_weeks and kept == from_weeks
    types = dict(con.execute("select column_name, data_type from duckdb_columns() "
                             "where table_name = 'pupil_year'").fetchall())
    assert {types[c] for c in COUNTS} == {"INTEGER"}


def test_enrolment_year_is_the_year_of_each_enrolment(con):
    """The definition enrolment_year had when it summed pupil_week itself."""
    expected = _rows(con, """
        select academic_year, urn, pupil_id, min(week_start), max(week_start),
            sum(possible)::integer, sum(present)::integer, sum(aea)::integer,
            sum(authorised)::integer, sum(unauthorised)::integer,
            sum(authorised + unauthorised)::integer as absent,
            is_persistent_absentee(sum(authorised + unauthorised)::integer, sum(possible)::integer),
            is_severe_absentee(sum(authorised + unauthorised)::integer, sum(possible)::integer)
        from pupil_week group by academic_year, urn, pupil_id""")
    assert expected and _rows(con, "select * from enrolment_year") == expected
