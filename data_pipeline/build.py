"""Transform stage: build the marts from the core tables, then run the checks.

A load rebuilds only what its files touched (`Changes`): the marts' rows for the
(school, week) pairs whose marks it added or removed, the school calendar of the
academic years those weeks fall in, each touched enrolment's year rows (and the cohort
groups of the keys they hold), and the half terms and terms those weeks are in. The mart SQL files (sql/10_ to sql/60_) are each one `create or
replace table NAME as <query>` whose sources are named `{marks}`, `{school_session}`,
`{pupil_week}`, `{pupil_year}` and `{pupil_half_term}`: a full build reads the whole tables, an
incremental one the same query over only the touched rows, after deleting the rows
it replaces. A full build runs when the marts do not exist yet, or were built by
other SQL (meta `marts_sql`, a digest of the SQL files and the cohort catalogue).
tests/test_pipeline_incremental.py requires the two to agree row for row.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb

from . import cohorts, validate

SQL_DIR = Path(__file__).parent / "sql"
MART_TABLES = (
    "school_session",
    "school_calendar",
    "pupil_week",
    "pupil_year",
    "school_week",
    "pupil_half_term",
    "pupil_term",
    "enrolment_year",
    "cohort_group",
)
FULL_SOURCES = {
    "marks": "marks",
    "marks_by_code": validate.COUNT_BY_CODE.format(marks="marks"),
    "school_session": "school_session",
    "pupil_week": "pupil_week",
    "pupil_year": "pupil_year",
    "pupil_half_term": "pupil_half_term",
    "cohort_key": cohorts.key_sql(),
}


class ChecksFailed(RuntimeError):
    def __init__(self, failures: dict[str, int]):
        self.failures = failures
        detail = "; ".join(f"{rule}: {n} rows" for rule, n in failures.items())
        super().__init__(f"warehouse checks failed, nothing was changed: {detail}")


DUPLICATE_RULE = "one mark per pupil, school, date and session"


@dataclass
class Changes:
    """What a load changed in the core tables.

    file_ids: the files whose rows it added (their marks' schools and weeks are rebuilt).
    removed: (urn, week_start) pairs whose marks it deleted (a re-send's replacement).
    enrolment_urns: schools whose pupils' characteristics or school row it changed (every
    year of their enrolments' pupil_year and enrolment_year is rebuilt).
    """

    file_ids: list[int] = field(default_factory=list)
    removed: set[tuple[int, object]] = field(default_factory=set)
    enrolment_urns: set[int] = field(default_factory=set)


def mart_statements() -> list[tuple[str, str, str]]:
    """(file name, table, query) of each mart SQL file, in build order."""
    out = []
    for path in sorted(SQL_DIR.glob("[1-8]*.sql")):
        text = path.read_text()
        m = re.search(r"create or replace table (\w+) as\s", text)
        if not m:
            raise ValueError(f"{path.name}: expected one 'create or replace table NAME as' statement")
        out.append((path.name, m.group(1), text[m.end() :]))
    return out


@cache  # the SQL files and catalogue a process runs with; the dashboard asks on every rerun
def marts_digest() -> str:
    h = hashlib.sha256()
    for path in sorted(SQL_DIR.glob("[0-8]*.sql")):
        h.update(path.read_bytes())
    h.update(repr(cohorts.group_rows()).encode())
    h.update(repr(cohorts.dimension_columns()).encode())
    return h.hexdigest()[:16]


def build(con: duckdb.DuckDBPyConnection, changes: Changes | None = None) -> str:
    """Build the marts (all of them, or with `changes` only what changed), load the
    reference data and run the checks; "full" or "incremental", whichever ran."""
    con.execute((SQL_DIR / "05_measures.sql").read_text())
    digest = marts_digest()
    if changes is not None and _marts_current(con, digest):
        how = "incremental"
        _incremental(con, changes)
    else:
        how = "full"
        for _, table, query in mart_statements():
            con.execute(f"create or replace table {table} as {query.format(**FULL_SOURCES)}")
        cohorts.build(con)
        # a table earlier versions built (one row per enrolment and cohort dimension)
        con.execute("drop table if exists enrolment_cohort")
    con.execute("insert or replace into meta values ('marts_sql', ?)", [digest])
    _load_reference(con)
    failures = con.execute((SQL_DIR / "90_checks.sql").read_text()).fetchall()
    if failures:
        raise ChecksFailed(dict(failures))
    # school_session has a row for every school, date and session with a mark: the same
    # latest date as the marks, without reading them all.
    latest = con.execute("select max(date) from school_session").fetchall()[0][0]
    if latest is not None:
        con.execute("insert or replace into meta values ('data_up_to', ?)", [latest.isoformat()])
    return how


def stale(db: duckdb.DuckDBPyConnection | Path | str) -> bool:
    """True if the warehouse's marts (a connection to it, or its file) were built by another
    version of their SQL (the code was updated since): the dashboard's queries may then ask for
    columns the marts do not have."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        return not _marts_current(db, marts_digest())
    con = duckdb.connect(str(db), read_only=True)
    try:
        return stale(con)
    finally:
        con.close()


def _marts_current(con: duckdb.DuckDBPyConnection, digest: str) -> bool:
    found = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where not temporary and table_name in (select unnest($t))",
            {"t": list(MART_TABLES)},
        ).fetchall()
    }
    if found != set(MART_TABLES):
        return False
    row = con.execute("select value from meta where key = 'marts_sql'").fetchall()
    return bool(row) and row[0][0] == digest


def _incremental(con: duckdb.DuckDBPyConnection, changes: Changes) -> None:
    statements = {table: query for _, table, query in mart_statements()}
    # The touched school weeks: each week from a school's first to its last date in the new rows,
    # and weeks whose marks were removed. Every week between, not only those with a new mark:
    # a week with none is rebuilt as it was, and a school's first and last dates are found at a
    # third of the cost of its distinct weeks (0.4 s against 1.1 s for a year's file).
    con.execute("create or replace temp table _dw (urn integer, week_start date)")
    if changes.file_ids:
        con.execute(
            "insert into _dw select urn, unnest(generate_series(d0 - (isodow(d0) - 1)::integer, "
            "d1 - (isodow(d1) - 1)::integer, interval 7 day))::date "
            f"from {validate.file_spans(con, list(changes.file_ids))}",
            {"ids": list(changes.file_ids)},
        )
    if changes.removed:
        con.executemany("insert into _dw values (?, ?)", sorted(changes.removed))
    con.execute("create or replace temp table _dw as select distinct * from _dw")
    con.execute("create or replace temp table _du (urn integer)")
    if changes.enrolment_urns:
        con.executemany("insert into _du values (?)", [(u,) for u in sorted(changes.enrolment_urns)])
    lo, hi = con.execute("select min(week_start), max(week_start) + 6 from _dw").fetchall()[0]
    if lo is not None:
        span = {"lo": lo, "hi": hi}
        # The marks of the touched weeks (from every file, not only the new ones); when no
        # marks were removed and none of those weeks held any before (a new year, a new
        # week), they are the new files' own, read without matching each to its week.
        before = con.execute(
            "select count(*) from school_session s semi join _dw d on d.urn = s.urn "
            "and d.week_start = (s.date - (isodow(s.date) - 1)::integer) where s.date between $lo and $hi",
            span,
        ).fetchall()[0][0]
        read = dict(span)
        if before or changes.removed:
            marks = (
                "(select m.* from marks m semi join _dw d on d.urn = m.urn "
                "and d.week_start = (m.date - (isodow(m.date) - 1)::integer) where m.date between $lo and $hi)"
            )
            by_code = validate.COUNT_BY_CODE.format(marks=marks)
        else:
            marks = (
                "(select * from marks where file_id in (select unnest($ids)) and date between $lo and $hi)"
            )
            # the new files' marks as their checks counted them (validate.file_marks)
            by_code = f"select * from {validate.file_marks(con, list(changes.file_ids))} where date between $lo and $hi"
            read["ids"] = list(changes.file_ids)
        con.execute(
            "delete from school_session s using _dw d where s.urn = d.urn and s.date between $lo and $hi "
            "and d.week_start = (s.date - (isodow(s.date) - 1)::integer)",
            span,
        )
        con.execute(
            f"insert into school_session {statements['school_session'].format(**{**FULL_SOURCES, 'marks_by_code': by_code})}",
            read,
        )
        # The calendar is the LA's (every school's days): rebuilt for the years touched, and the
        # weeks whose half term it changed are rebuilt in pupil_half_term for every school.
        con.execute(
            f"create or replace temp table _dyears as select distinct {ay_of('week_start')} as y from _dw "
            f"union select distinct {ay_of('(week_start + 6)')} from _dw"
        )
        week_term = (
            "select distinct academic_year, week_start, half_term_no, term from school_calendar "
            "where academic_year in (select y from _dyears)"
        )
        con.execute(f"create or replace temp table _wt_before as {week_term}")
        con.execute("delete from school_calendar where academic_year in (select y from _dyears)")
        sessions = "(select * from school_session where academic_year in (select y from _dyears))"
        con.execute(
            f"insert into school_calendar {statements['school_calendar'].format(**{**FULL_SOURCES, 'school_session': sessions})}"
        )
        con.execute(
            f"create or replace temp table _wt_changed as select academic_year, week_start from ({week_term}) a "
            "full join _wt_before b using (academic_year, week_start) "
            "where (a.half_term_no, a.term) is distinct from (b.half_term_no, b.term)"
        )
        con.execute(
            "delete from pupil_week w using _dw d where w.urn = d.urn and w.week_start = d.week_start "
            "and w.week_start between $lo and $hi",
            span,
        )
        con.execute(
            f"insert into pupil_week {statements['pupil_week'].format(**{**FULL_SOURCES, 'marks': marks})}",
            read,
        )
    else:
        con.execute("create or replace temp table _dyears (y integer)")
        con.execute(
            "create or replace temp table _wt_before as select distinct academic_year, week_start, half_term_no, "
            "term from school_calendar limit 0"
        )
        con.execute("create or replace temp table _wt_changed (academic_year integer, week_start date)")
    # Enrolment years touched: the years of the touched weeks at their schools (both years of a
    # week from August into September), and every year of the schools whose pupils or school
    # row changed.
    con.execute(
        f"""
        create or replace temp table _dy as
        select distinct {ay_of("week_start")} as academic_year, urn from _dw
        union select distinct {ay_of("(week_start + 6)")}, urn from _dw
        union select distinct academic_year, urn from pupil_week where urn in (select urn from _du)
        union select distinct academic_year, urn from pupil_year where urn in (select urn from _du)
        """
    )
    by_year = "(select * from {t} semi join _dy using (academic_year, urn))"
    for table, sources in (
        ("pupil_year", ("pupil_week",)),
        ("school_week", ("pupil_week", "pupil_year")),
        ("enrolment_year", ("pupil_year",)),
    ):
        con.execute(
            f"delete from {table} t using _dy d where t.academic_year = d.academic_year and t.urn = d.urn"
        )
        con.execute(
            f"insert into {table} "
            + statements[table].format(**{**FULL_SOURCES, **{s: by_year.format(t=s) for s in sources}})
        )
    cohorts.build_groups(con)
    # Half terms and terms hold sessions alone (no characteristics): only the half terms of the
    # touched weeks are rebuilt, at their schools, as the calendar has them now and had them
    # before; and at every school with rows in a week whose half term changed, those half terms.
    # A day's file then rebuilds one half term of each school, not its whole year.
    con.execute(
        """
        create or replace temp table _dh as
        with weeks as (
            select urn, week_start from _dw
            union select distinct w.urn, w.week_start from pupil_week w
                semi join _wt_changed c using (academic_year, week_start)
        ),
        half_terms as (
            select distinct academic_year, week_start, half_term_no, term from school_calendar
            where academic_year in (select y from _dyears)
            union select * from _wt_before
        )
        select distinct h.academic_year, k.urn, h.half_term_no, h.term
        from weeks k join half_terms h using (week_start)
        where h.half_term_no is not null
        """
    )
    con.execute(
        "delete from pupil_half_term t using _dh d where t.academic_year = d.academic_year "
        "and t.urn = d.urn and t.half_term_no = d.half_term_no"
    )
    rows = (
        "(select w.* from pupil_week w semi join (select c.academic_year, c.week_start, d.urn "
        "from (select distinct academic_year, week_start, half_term_no from school_calendar) c "
        "join _dh d using (academic_year, half_term_no)) k "
        "on k.academic_year = w.academic_year and k.week_start = w.week_start and k.urn = w.urn)"
    )
    con.execute(
        f"insert into pupil_half_term {statements['pupil_half_term'].format(**{**FULL_SOURCES, 'pupil_week': rows})}"
    )
    terms = "(select distinct academic_year, urn, term from _dh)"
    con.execute(
        f"delete from pupil_term t using {terms} d where t.academic_year = d.academic_year "
        "and t.urn = d.urn and t.term = d.term"
    )
    rows = f"(select * from pupil_half_term semi join {terms} d using (academic_year, urn, term))"
    con.execute(
        f"insert into pupil_term {statements['pupil_term'].format(**{**FULL_SOURCES, 'pupil_half_term': rows})}"
    )
    for t in ("_dw", "_du", "_dy", "_dh", "_dyears", "_wt_before", "_wt_changed"):
        con.execute(f"drop table if exists {t}")


def ay_of(column: str) -> str:
    """The academic year (its first calendar year) of a date column, as SQL."""
    return f"(case when month({column}) >= 9 then year({column}) else year({column}) - 1 end)"


def _load_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Published benchmarks and geography, shipped in data/reference."""
    try:
        from .reference import load_reference
    except ImportError:  # reference data not installed in this checkout
        return
    load_reference(con)
