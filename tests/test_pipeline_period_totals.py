"""The year's totals kept in pupil_year, enrolment_year built from them, and the queries' shared
block (queries/fragments/period_enrolment.sql) that reads them: every sum must equal the one
taken straight from pupil_week, for whole years and for any part of a year."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from conftest import school_days, write_csv

import queries
from data_pipeline.load import ingest_files

COUNTS = (
    "possible",
    "present",
    "late_before_close",
    "aea",
    "authorised",
    "unauthorised",
    "late_after_close",
    "illness",
    "medical",
    "authorised_holiday",
    "excluded",
    "part_time_timetable",
    "other_authorised",
    "unauthorised_holiday",
    "other_unauthorised",
    "not_yet_known",
)


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def _rows(con, sql, params=None):
    return sorted(con.execute(sql, params or {}).fetchall())


def test_pupil_year_keeps_the_sums_of_its_weeks(con):
    sums = ", ".join(f"sum({c})::integer" for c in COUNTS)
    from_weeks = _rows(
        con,
        f"select academic_year, urn, pupil_id, ekey, min(week_start), max(week_start), "
        f"{sums} from pupil_week group by academic_year, urn, pupil_id, ekey",
    )
    kept = _rows(
        con,
        f"select academic_year, urn, pupil_id, ekey, first_week, last_week, "
        f"{', '.join(COUNTS)} from pupil_year",
    )
    assert from_weeks and kept == from_weeks
    types = dict(
        con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = 'pupil_year'"
        ).fetchall()
    )
    assert {types[c] for c in COUNTS} == {"INTEGER"}


def test_enrolment_year_is_the_year_of_each_enrolment(con):
    """The definition enrolment_year had when it summed pupil_week itself."""
    expected = _rows(
        con,
        """
        select academic_year, urn, pupil_id, min(week_start), max(week_start),
            sum(possible)::integer, sum(present)::integer, sum(aea)::integer,
            sum(authorised)::integer, sum(unauthorised)::integer,
            sum(authorised + unauthorised)::integer as absent,
            is_persistent_absentee(sum(authorised + unauthorised)::integer, sum(possible)::integer),
            is_severe_absentee(sum(authorised + unauthorised)::integer, sum(possible)::integer)
        from pupil_week group by academic_year, urn, pupil_id""",
    )
    assert expected and _rows(con, "select * from enrolment_year") == expected


def _fragment_sql() -> str:
    block = (queries.QUERY_DIR / "fragments" / "period_enrolment.sql").read_text()
    return f"""
        with periods as (
            select 'selected' as period, $year::integer as academic_year,
                   $week_from::date as week_from, $week_to::date as week_to
            union all
            select 'last year', $year::integer - 1, $ly_week_from::date, $ly_week_to::date
        ),
        period_urns as (
            select distinct urn from pupil_year
            where $scope_urns is null or urn in (select unnest($scope_urns))
        ),
        {block}
        final as (select period, urn, pupil_id, {", ".join(COUNTS)} from period_enrolment)
        select * from final"""


DIRECT = f"""
    with periods as (
        select 'selected' as period, $year::integer as academic_year,
               $week_from::date as week_from, $week_to::date as week_to
        union all
        select 'last year', $year::integer - 1, $ly_week_from::date, $ly_week_to::date
    )
    select p.period, w.urn, w.pupil_id, {", ".join(f"sum(w.{c})" for c in COUNTS)}
    from pupil_week w
    join periods p on p.academic_year = w.academic_year and w.week_start between p.week_from and p.week_to
    where $scope_urns is null or w.urn in (select unnest($scope_urns))
    group by p.period, w.urn, w.pupil_id"""


def _periods(con) -> list[tuple[str, dict]]:
    """Every half term, term and year of the warehouse's latest year (with the same part of
    the year before), a span across half terms, one week, and a year with no data before it."""
    cal = con.execute(
        "select academic_year, term, half_term, min(week_start), max(week_start) "
        "from school_calendar group by all order by 1, 4"
    ).fetchall()
    year = max(r[0] for r in cal)
    weeks = sorted(
        {
            r[0]
            for r in con.execute(
                "select week_start from school_calendar where academic_year = ?", [year]
            ).fetchall()
        }
    )
    span = {}
    for y, term, half, first, last in cal:
        for key in (term, half, "year"):
            f, t = span.get((y, key), (first, last))
            span[(y, key)] = (min(f, first), max(t, last))
    shift = dt.timedelta(weeks=52)
    out = []
    for (y, key), (f, t) in span.items():
        if y != year:
            continue
        lf, lt = span.get((y - 1, key), (f - shift, t - shift))
        out.append((key, dict(year=y, week_from=f, week_to=t, ly_week_from=lf, ly_week_to=lt)))
    out.append(
        (
            "across half terms",
            dict(
                year=year,
                week_from=weeks[3],
                week_to=weeks[11],
                ly_week_from=weeks[3] - shift,
                ly_week_to=weeks[11] - shift,
            ),
        )
    )
    # most of a year, summed as the year less its outside: every week but the first, and the
    # year to date beside last year cut a week short of its end (the dashboard's year to date
    # when last year ran a week longer)
    out.append(
        (
            "all but the first week",
            dict(
                year=year,
                week_from=weeks[1],
                week_to=weeks[-1],
                ly_week_from=weeks[1] - shift,
                ly_week_to=weeks[-2] - shift,
            ),
        )
    )
    last_year = span.get((year - 1, "year"))
    if last_year:
        out.append(
            (
                "year to date, last year a week short",
                dict(
                    year=year,
                    week_from=weeks[0],
                    week_to=weeks[-1],
                    ly_week_from=last_year[0],
                    ly_week_to=last_year[1] - dt.timedelta(weeks=1),
                ),
            )
        )
    out.append(
        (
            "one week",
            dict(
                year=year,
                week_from=weeks[5],
                week_to=weeks[5],
                ly_week_from=weeks[5] - shift,
                ly_week_to=weeks[5] - shift,
            ),
        )
    )
    out.append(
        (
            "no data",
            dict(
                year=year - 5,
                week_from=weeks[0],
                week_to=weeks[-1],
                ly_week_from=weeks[0],
                ly_week_to=weeks[-1],
            ),
        )
    )
    return out


def test_period_enrolment_sums_are_those_of_the_weeks(con):
    urn = con.execute("select urn from pupil_year group by urn order by count(*) desc limit 1").fetchall()[0][
        0
    ]
    checked = 0
    for name, period in _periods(con):
        for scope in (None, [urn]):
            params = {**period, "scope_urns": scope}
            got = _rows(con, _fragment_sql(), params)
            assert got == _rows(con, DIRECT, params), f"{name}, scope {scope}"
            checked += len(got)
    assert checked > 0


def test_the_year_to_date_reads_the_year_totals(con):
    """The fast path: a period over every week of the year sums nothing, and a part of a
    year does not take it."""
    block = (queries.QUERY_DIR / "fragments" / "period_enrolment.sql").read_text()
    year = con.execute("select max(academic_year) from pupil_year").fetchall()[0][0]
    first, last = con.execute(
        "select min(week_start), max(week_start) from pupil_week where academic_year = ?", [year]
    ).fetchall()[0]

    def whole_year(week_from, week_to):
        sql = f"""with periods as (select 'selected' as period, $year::integer as academic_year,
                      $week_from::date as week_from, $week_to::date as week_to),
                  period_urns as (select distinct urn from pupil_year where $scope_urns is null),
                  {block} final as (select whole_year from year_span) select * from final"""
        return con.execute(
            sql, dict(year=year, week_from=week_from, week_to=week_to, scope_urns=None)
        ).fetchall()[0][0]

    assert whole_year(first, last)
    assert not whole_year(first + dt.timedelta(weeks=1), last)
    assert not whole_year(first, last - dt.timedelta(weeks=1))


def test_an_enrolment_is_in_a_period_only_with_a_week_in_it(tmp_path):
    """A period summed as the year less its outside, or from its half terms, has a row for an
    enrolment only if one of its weeks is in the period: a pupil marked only in the year's
    first week is in no period without that week."""
    # two half terms of 4 weeks with a week's holiday between (Autumn 1 and 2 of 2025/26)
    days = school_days(dt.date(2025, 9, 1), 20) + school_days(dt.date(2025, 10, 6), 20)
    rows = []
    for pupil, pupil_days in (("STAYS", days), ("LEAVER", days[:5]), ("JOINER", days[-3:])):
        for d in pupil_days:
            rows += [[100001, pupil, d.isoformat(), s, "I" if d.day % 3 == 0 else "/"] for s in ("AM", "PM")]
    marks = write_csv(tmp_path / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], rows)
    db = tmp_path / "w.duckdb"
    ingest_files([marks], db, progress=False, today=dt.date(2026, 11, 25))
    con = duckdb.connect(str(db), read_only=True)
    try:
        weeks = [
            r[0] for r in con.execute("select distinct week_start from pupil_week order by 1").fetchall()
        ]
        assert len(weeks) == 8
        periods = {
            "all but the first week (the year less its outside)": (weeks[1], weeks[-1]),
            "all but the last week": (weeks[0], weeks[-2]),
            "the second half term": (weeks[4], weeks[-1]),
            "the first half term": (weeks[0], weeks[3]),
        }
        for name, (f, t) in periods.items():
            params = dict(year=2025, week_from=f, week_to=t, ly_week_from=f, ly_week_to=t, scope_urns=None)
            got = _rows(con, _fragment_sql(), params)
            assert got == _rows(con, DIRECT, params), name
            pupils = {r[2] for r in got}
            assert ("LEAVER" in pupils) == (f == weeks[0]), name
            assert ("JOINER" in pupils) == (t == weeks[-1]), name
    finally:
        con.close()


def test_a_period_reads_a_kept_half_term_or_term_only_when_it_is_exactly_that(tmp_path):
    """A half term or a whole term is read from its kept row (pupil_half_term, pupil_term); a
    period that is only part of a term's half terms, or a unit and one more week, is summed."""
    # an Autumn term of three half terms (4, 2 and 2 weeks), each after a week's holiday, and
    # ten weeks of Spring (so that the term is less than half the year: summed from inside it)
    days = (
        school_days(dt.date(2025, 9, 1), 20)
        + school_days(dt.date(2025, 10, 6), 10)
        + school_days(dt.date(2025, 10, 27), 10)
        + school_days(dt.date(2026, 1, 5), 50)
    )
    rows = []
    for pupil, pupil_days in (("ALL", days), ("EARLY", days[:22]), ("LATE", days[25:45])):
        for d in pupil_days:
            code = "I" if d.day % 3 == 0 else ("O" if d.day % 7 == 0 else "/")
            rows += [[100001, pupil, d.isoformat(), s, code] for s in ("AM", "PM")]
    marks = write_csv(tmp_path / "marks.csv", ["urn", "pupil_id", "date", "session", "code"], rows)
    db = tmp_path / "w.duckdb"
    ingest_files([marks], db, progress=False, today=dt.date(2026, 11, 25))
    con = duckdb.connect(str(db), read_only=True)
    try:
        halves = con.execute(
            "select term, half_term_no, min(week_start), max(week_start) from school_calendar "
            "group by all order by 2"
        ).fetchall()
        assert [(t, n) for t, n, _, _ in halves] == [
            ("Autumn", 1),
            ("Autumn", 2),
            ("Autumn", 3),
            ("Spring", 4),
        ]
        (_, _, f1, l1), (_, _, f2, l2), (_, _, f3, l3), _ = halves
        periods = {
            "the whole term": ((f1, l3), (None, "Autumn")),
            "the second half term": ((f2, l2), (2, None)),
            "the first two of the term's three half terms": ((f1, l2), None),
            "a half term and the week after it": ((f2, f3), None),
        }
        block = (queries.QUERY_DIR / "fragments" / "period_enrolment.sql").read_text()
        unit_sql = _fragment_sql().replace(
            "final as (select period",
            "final as (select half_term_no, term from period_unit), _x as (select period",
        )
        assert unit_sql != _fragment_sql() and block in unit_sql
        for name, ((f, t), unit) in periods.items():
            params = dict(year=2025, week_from=f, week_to=t, ly_week_from=f, ly_week_to=t, scope_urns=None)
            got = _rows(con, _fragment_sql(), params)
            assert got and got == _rows(con, DIRECT, params), name
            assert con.execute(unit_sql, params).fetchall() == ([unit] if unit else []), name
    finally:
        con.close()
