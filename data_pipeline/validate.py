"""Validate stage: type every field and give each bad row a reason.

Each kind gets a staging table `<raw>_stg` with typed columns and
`q_column`, `q_value`, `q_reason` (NULL for a good row). Checks run in the
order users would want them reported: the first failing check is the one
named. Everything here is SQL over the whole file at once, so a file of
87 million marks validates in seconds.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from . import ingest
from .ingest import RawFile

# Values that mean yes / no in MIS exports.
TRUE_VALUES = ("1", "y", "yes", "true", "t")
FALSE_VALUES = ("0", "n", "no", "false", "f", "")

# ISO dates take the fast cast; other layouts fall through (coalesce stops at the first hit).
DATE_EXPR = (
    "coalesce(try_cast({x} as date), try_strptime({x}, '%Y-%m-%d'), try_strptime({x}, '%d/%m/%Y'), "
    "try_strptime({x}, '%Y-%m-%dT%H:%M:%S'), try_strptime({x}, '%Y-%m-%d %H:%M:%S'), "
    "try_strptime({x}, '%d-%m-%Y'))::date"
)


def _field(raw: RawFile, canon: str) -> str:
    i = raw.mapping.get(canon)
    if not i:
        return "null::varchar"
    return f"nullif(trim(c{i}), '')"


def _case(checks: list[tuple[str, str, str, str]]) -> str:
    """checks: (condition, column, value expression, reason expression) → three CASEs."""
    parts = []
    for idx, name in ((1, "q_column"), (2, "q_value"), (3, "q_reason")):
        whens = " ".join(f"when {c[0]} then {c[idx]}" for c in checks)
        parts.append(f"case {whens} else null end as {name}")
    return ", ".join(parts)


def _lit(s: str) -> str:
    # Only for fixed strings written in this module, never for data.
    return "'" + s.replace("'", "''") + "'"


def _shape_checks(raw: RawFile) -> list[tuple[str, str, str, str]]:
    return [
        ("blank", "null", "null", _lit("blank line")),
        (
            f"nf <> {raw.n_fields}",
            "null",
            "left(line_text, 200)",
            f"'expected {raw.n_fields} fields as in the header, found ' || nf",
        ),
    ]


def stage_marks(con: duckdb.DuckDBPyConnection, raw: RawFile, today: dt.date) -> None:
    """Typed marks in `<raw>_typed` (line, urn, pupil_id, date, session, code, ...) and every
    rejected row in `<raw>_bad` (line, q_column, q_value, q_reason). Grids are unpivoted first.

    A large marks file is read by DuckDB's own CSV reader (parallel, typed in the same
    pass) and numbered by file order; if that reader rejects anything, or its row count
    differs from the file's physical lines (blank lines, quotes spanning lines), the
    exact line reader takes over so that every line is accounted for.
    """
    if not (raw.kind == "marks" and _typed_fast(con, raw)):
        ingest.load_lines(con, raw)
        source = (
            _unpivot_grid(raw)
            if raw.kind == "grid"
            else (
                f"select line, blank, nf, line_text, {_field(raw, 'urn')} as urn_s, "
                f"{_field(raw, 'pupil_id')} as pupil_s, {_field(raw, 'date')} as date_s, "
                f"{_field(raw, 'session')} as session_s, {_field(raw, 'code')} as code_s, "
                f"null::varchar as cell from {raw.table}"
            )
        )
        con.execute(f"create or replace temp table {raw.table}_tt as {_typed_select(raw, source, True)}")
        con.execute(
            f"create or replace temp view {raw.table}_typed as select rowid as rid, * from {raw.table}_tt"
        )
    _check_marks(con, raw, today)


def _typed_select(raw: RawFile, source: str, with_line: bool) -> str:
    """Parse each field once; keep the raw text only where it failed to parse."""
    date = DATE_EXPR.format(x="date_s")
    session = (
        "case when upper(session_s) in ('AM', 'A', 'MORNING', '1') then 'AM' "
        "when upper(session_s) in ('PM', 'P', 'AFTERNOON', '2') then 'PM' end"
    )
    return f"""
        with src as ({source}),
        parsed as (
            select *, try_cast(urn_s as integer) as urn_i, {date} as date_d, {session} as session_n
            from src
        )
        select {"line, " if with_line else ""}blank, nf,
            case when blank or nf <> {raw.n_fields} then left(line_text, 200) end as line_text,
            urn_i as urn, case when urn_i is null then urn_s end as urn_raw,
            pupil_s as pupil_id,
            date_d as date, case when date_d is null then date_s end as date_raw,
            session_n as session, case when session_n is null then session_s end as session_raw,
            case when code_s in ('/', '\\') then code_s else upper(code_s) end as code,
            cell
        from parsed
    """


def _typed_fast(con: duckdb.DuckDBPyConnection, raw: RawFile) -> bool:
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, raw.n_fields + 1))
    source = (
        f"select false as blank, {raw.n_fields} as nf, null::varchar as line_text, "
        f"{_field(raw, 'urn')} as urn_s, {_field(raw, 'pupil_id')} as pupil_s, "
        f"{_field(raw, 'date')} as date_s, {_field(raw, 'session')} as session_s, "
        f"{_field(raw, 'code')} as code_s, null::varchar as cell "
        f"from read_csv($p, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, columns = {{{cols}}})"
    )
    try:
        con.execute(
            f"create or replace temp table {raw.table}_tt as {_typed_select(raw, source, False)}",
            {"p": str(raw.csv_path)},
        )
    except duckdb.Error:
        # A line the reader cannot take (wrong number of fields, not UTF-8, ...) stops it
        # at once; the exact reader then names every such line. (Storing the reader's
        # rejects instead cost 7 s and 1.3 GB a million rejected lines.)
        return False
    rows = con.execute(f"select count(*) from {raw.table}_tt").fetchall()[0][0]
    if rows != ingest.count_data_lines(raw):
        con.execute(f"drop table {raw.table}_tt")
        return False
    # A table keeps the file's order: row n (from 0) is line n + 2, after the header.
    con.execute(
        f"create or replace temp view {raw.table}_typed as "
        f"select rowid as rid, rowid + 2 as line, * from {raw.table}_tt"
    )
    return True


def insert_marks_as_read(con: duckdb.DuckDBPyConnection, raw: RawFile, file_id: int) -> int:
    """Insert a marks CSV into `marks` as DuckDB's reader types it (URN a whole number,
    date ISO); the number of rows. The reader raises duckdb.Error at the first line it
    cannot take (a UK date, a missing field), at once. The caller holds a transaction."""
    types = {raw.mapping["urn"]: "INTEGER", raw.mapping["date"]: "DATE"}
    cols = ", ".join(f"'c{i}': '{types.get(i, 'VARCHAR')}'" for i in range(1, raw.n_fields + 1))
    fields = ", ".join(f"c{raw.mapping[c]}" for c in ("urn", "pupil_id", "date", "session", "code"))
    return con.execute(
        f"insert into marks select {fields}, $f "
        f"from read_csv($p, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, columns = {{{cols}}})",
        {"p": str(raw.csv_path), "f": file_id},
    ).fetchall()[0][0]


# A marks file whose reader fails on more lines than this goes the exact path as a whole.
MAX_REJECTED_LINES = 10_000
RULE_PROBLEM = "rows break a rule"
SAMPLE_LINES = 2_000


def few_bad_lines(raw: RawFile) -> bool:
    """Whether lines sampled from the start, a quarter, half and three quarters of the file look
    like the fast reader's: the right number of fields, a whole-number URN and an ISO date. A
    file that fails on many of them (UK dates, a column too many on every line) goes straight to
    the exact path: DuckDB's reader takes about 16 microseconds a line it sets aside, so a file
    of 87 million of them would take 20 minutes."""
    import csv
    import io

    size = raw.csv_path.stat().st_size
    bad = n = 0
    with raw.csv_path.open("rb") as fh:
        for frac in (0, 0.25, 0.5, 0.75):
            fh.seek(int(size * frac))
            fh.readline()  # the header, or the rest of a line cut by the seek
            for _ in range(SAMPLE_LINES // 4):
                line = fh.readline()
                if not line:
                    break
                n += 1
                try:
                    fields = next(csv.reader(io.StringIO(line.decode(raw.encoding, errors="replace"))))
                    urn = fields[raw.mapping["urn"] - 1].strip()
                    day = fields[raw.mapping["date"] - 1].strip()
                    ok = len(fields) == raw.n_fields and (not urn or urn.lstrip("+-").isdigit())
                    if day:
                        dt.date.fromisoformat(day)
                except (IndexError, ValueError, StopIteration, csv.Error):
                    ok = False
                bad += not ok
    return bad <= max(3, n // 100)


def insert_marks_tolerant(
    con: duckdb.DuckDBPyConnection, raw: RawFile, file_id: int
) -> tuple[int, list[tuple[int, str]]] | None:
    """insert_marks_as_read for a file with some lines the reader cannot take: the lines it
    can take go into `marks`, the others come back as (line, text), the line counted as in the
    file (the header is line 1). None if more than MAX_REJECTED_LINES were rejected. The
    caller holds a transaction."""
    types = {raw.mapping["urn"]: "INTEGER", raw.mapping["date"]: "DATE"}
    cols = ", ".join(f"'c{i}': '{types.get(i, 'VARCHAR')}'" for i in range(1, raw.n_fields + 1))
    fields = ", ".join(f"c{raw.mapping[c]}" for c in ("urn", "pupil_id", "date", "session", "code"))
    rj, rs = f"{raw.table}_rejects", f"{raw.table}_rejects_scan"
    inserted = con.execute(
        f"insert into marks select {fields}, $f "
        f"from read_csv($p, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, columns = {{{cols}}}, store_rejects = true, "
        f"rejects_table = '{rj}', rejects_scan = '{rs}', rejects_limit = {MAX_REJECTED_LINES + 1})",
        {"p": str(raw.csv_path), "f": file_id},
    ).fetchall()[0][0]
    rejected = con.execute(
        f"select line, any_value(csv_line) from {rj} group by line order by line"
    ).fetchall()
    con.execute(f"drop table {rj}")
    con.execute(f"drop table {rs}")
    if len(rejected) > MAX_REJECTED_LINES:
        return None
    return inserted, rejected


# A fast-read file's marks counted by school, date, session and code (about 2 million rows for
# the largest LA's 86 million marks of a year), made once by its whole-file checks and read by
# every later step that needs the file's schools, dates or sessions (file_marks, file_spans):
# one pass over the file's rows instead of five. A step that changes a file's rows after its
# checks drops the file's counts (forget_file_marks), and readers then count `marks` again.
FILE_MARKS = "_file_marks"
# marks (a table or subquery in {marks}) counted as FILE_MARKS counts them
COUNT_BY_CODE = "select urn, date, session, code, count(*)::integer as n from {marks} group by all"


def fast_marks_problem(
    con: duckdb.DuckDBPyConnection, raw: RawFile, file_id: int, inserted: int, today: dt.date
) -> str | None:
    """Why the rows just inserted for `file_id` cannot stand as they are, or None.

    Every rule of `_check_marks` but two, asked of the whole file in one pass
    grouped by school, date, session and code (kept in FILE_MARKS), and only of
    canonical values: a session other than AM / PM or a lower-case code is fine
    for the exact path, which normalises it, but not here. Duplicates and unknown
    pupils are asked of the marts after the build (fast_marks_pupils_problem),
    where they are cheap.
    """
    if inserted != ingest.count_data_lines(raw):
        return "rows differ from the file's physical lines"
    con.execute(
        f"create temp table if not exists {FILE_MARKS} (file_id integer, urn integer, date date, "
        "session varchar, code varchar, n integer, bad_pupil integer)"
    )
    forget_file_marks(con, [file_id])
    con.execute(
        f"insert into {FILE_MARKS} select $f, urn, date, session, code, count(*)::integer, "
        "count(*) filter (where pupil_id is null or pupil_id <> trim(pupil_id))::integer "
        "from marks where file_id = $f group by all",
        {"f": file_id},
    )
    # Dates are only compared within groups; the academic year and its code set are
    # worked out from each group's first and last date.
    ay = "(case when month({d}) >= 9 then year({d}) else year({d}) - 1 end)"
    bad_rows, years, unknown_codes, unknown_schools = con.execute(
        f"""
        with groups as (
            select code, urn,
                sum(case when urn is null or date is null or isodow(date) >= 6 or date > $today
                    or not coalesce(session in ('AM', 'PM'), false) or code is null
                    then n else bad_pupil end) as bad,
                min(date) as d0, max(date) as d1
            from {FILE_MARKS} where file_id = $f
            group by all
        ),
        span as (select {ay.format(d="min(d0)")} as y0, {ay.format(d="max(d1)")} as y1 from groups)
        select (select sum(bad) from groups), (select (y0 <> y1)::integer from span),
            (select count(*) from (select distinct code from groups) c
              anti join (select code from ref_codes
                         where code_set = (select case when y0 >= 2024 then '2024' else '2006' end from span)) r
              using (code)),
            (select count(*) from (select distinct urn from groups) g anti join schools s using (urn)
              where exists (select 1 from schools))
        """,
        {"f": file_id, "today": today},
    ).fetchall()[0]
    if bad_rows or years or unknown_codes or unknown_schools:
        return RULE_PROBLEM
    return None


def forget_file_marks(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> None:
    """Drop these files' counts (their rows in `marks` are about to change)."""
    if _has_file_marks(con):
        con.execute(f"delete from {FILE_MARKS} where file_id in (select unnest($ids))", {"ids": file_ids})


def file_marks(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> str:
    """SQL for these files' marks counted by urn, date, session and code (column n): from the
    counts their checks made when every file has them, else from `marks`. Binds $ids."""
    if _counted(con, file_ids):
        return (
            f"(select urn, date, session, code, n from {FILE_MARKS} where file_id in (select unnest($ids)))"
        )
    return "(" + COUNT_BY_CODE.format(marks="marks where file_id in (select unnest($ids))") + ")"


def file_spans(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> str:
    """SQL for each school's first and last date (d0, d1) in these files' marks. Binds $ids."""
    source = f"{FILE_MARKS} where" if _counted(con, file_ids) else "marks where"
    return (
        f"(select urn, min(date) as d0, max(date) as d1 from {source} file_id in (select unnest($ids)) "
        "and date is not null group by urn)"
    )


def _counted(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> bool:
    """Whether every one of these files has its counts in FILE_MARKS."""
    ids = sorted(set(file_ids))
    if not ids or not _has_file_marks(con):
        return False
    counted = con.execute(
        f"select count(distinct file_id) from {FILE_MARKS} where file_id in (select unnest($ids))",
        {"ids": ids},
    ).fetchall()[0][0]
    return counted == len(ids)


def _has_file_marks(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select 1 from duckdb_tables() where table_name = $t and temporary", {"t": FILE_MARKS}
    ).fetchall()
    return bool(found)


def settle_suspect_marks(
    con: duckdb.DuckDBPyConnection,
    raw: RawFile,
    file_id: int,
    today: dt.date,
    rejected: list[tuple[int, str]],
) -> None:
    """The rows of a fast-read marks file that break a rule, and the lines its reader rejected,
    checked as the exact path checks them, without reading the rest of the file again.

    Just after the fast read (same transaction), this file's rows in `marks` are in the
    file's order, so a row's place among them gives its line, counting the rejected lines in
    between. The suspect rows are taken out of `marks` and, with the rejected lines, typed
    and checked by `_check_marks` (`<raw>_typed`, `<raw>_bad`, as stage_marks leaves them);
    the caller puts back the good ones and quarantines the bad.
    """
    t = raw.table
    ay = "(case when month({d}) >= 9 then year({d}) else year({d}) - 1 end)"
    # The academic year of most of the file's dates (as _check_marks would find it).
    y0, y1 = con.execute(
        f"select min({ay.format(d='date')}), max({ay.format(d='date')}) from marks where file_id = $f",
        {"f": file_id},
    ).fetchall()[0]
    main_year = y0
    if y0 != y1:
        main_year = con.execute(
            f"select mode({ay.format(d='date')}) from marks where file_id = $f and date is not null",
            {"f": file_id},
        ).fetchall()[0][0]
    has_schools = con.execute("select count(*) > 0 from schools").fetchall()[0][0]
    base = con.execute("select min(rowid) from marks where file_id = $f", {"f": file_id}).fetchall()[0][0]
    # The j-th rejected line (from 1) comes after (line - 1 - j) good rows.
    con.execute(f"create or replace temp table {t}_rj (g bigint)")
    if rejected:
        con.executemany(
            f"insert into {t}_rj values (?)", [(line - 1 - j,) for j, (line, _) in enumerate(rejected, 1)]
        )
    # One filter over the file's rows, with the known codes and schools as lists (no join).
    valid = dict(con.execute("select code_set, list(code) from ref_codes group by code_set").fetchall())
    schools = [r[0] for r in con.execute("select urn from schools").fetchall()]
    con.execute(
        f"""
        create or replace temp table {t}_sus as
        select rowid as r, rowid - $base as k, urn, pupil_id, date, session, code
        from marks
        where file_id = $f and (urn is null or pupil_id is null or pupil_id <> trim(pupil_id)
            or date is null or isodow(date) >= 6 or date > $today
            or not coalesce(session in ('AM', 'PM'), false) or code is null
            or not list_contains(case when code_set_of(date) = '2024' then $c2024 else $c2006 end, code)
            or ($has_schools and not list_contains($schools, urn)) or {ay.format(d="date")} <> $year)
        """,
        {
            "f": file_id,
            "base": base,
            "today": today,
            "has_schools": has_schools,
            "schools": schools,
            "c2024": valid.get("2024", []),
            "c2006": valid.get("2006", []),
            "year": main_year,
        },
    )
    con.execute(f"delete from marks where rowid in (select r from {t}_sus)")
    source = (
        f"select k + 2 + (select count(*) from {t}_rj where g <= k) as line, false as blank, "
        f"{raw.n_fields} as nf, null::varchar as line_text, urn::varchar as urn_s, "
        "nullif(trim(pupil_id), '') as pupil_s, strftime(date, '%Y-%m-%d') as date_s, "
        "nullif(trim(session), '') as session_s, nullif(trim(code), '') as code_s, "
        f"null::varchar as cell from {t}_sus"
    )
    if rejected:
        con.execute(f"create or replace temp table {t}_lines (line bigint, line_text varchar)")
        con.executemany(f"insert into {t}_lines values (?, ?)", rejected)
        ingest.split_lines(con, raw)
        source += (
            f" union all select line, blank, nf, line_text, {_field(raw, 'urn')} as urn_s, "
            f"{_field(raw, 'pupil_id')} as pupil_s, {_field(raw, 'date')} as date_s, "
            f"{_field(raw, 'session')} as session_s, {_field(raw, 'code')} as code_s, "
            f"null::varchar as cell from {t}"
        )
    con.execute(f"create or replace temp table {t}_tt as {_typed_select(raw, source, True)} order by line")
    con.execute(f"create or replace temp view {t}_typed as select rowid as rid, * from {t}_tt")
    _check_marks(con, raw, today, main_year=main_year)
    for name in (f"{t}_sus", f"{t}_rj"):
        con.execute(f"drop table {name}")


def check_marks_lines(
    con: duckdb.DuckDBPyConnection, raw: RawFile, file_id: int, today: dt.date, lines: list[tuple[int, str]]
) -> None:
    """Some lines of a fast-read marks file (already in `marks`), typed and checked as the
    exact path checks them: `<raw>_typed` and `<raw>_bad`, as stage_marks leaves them."""
    t = raw.table
    ay = "(case when month(date) >= 9 then year(date) else year(date) - 1 end)"
    y0, y1 = con.execute(
        f"select min({ay}), max({ay}) from marks where file_id = $f", {"f": file_id}
    ).fetchall()[0]
    main_year = y0
    if y0 != y1:
        main_year = con.execute(
            f"select mode({ay}) from marks where file_id = $f and date is not null", {"f": file_id}
        ).fetchall()[0][0]
    con.execute(f"create or replace temp table {t}_lines (line bigint, line_text varchar)")
    con.executemany(f"insert into {t}_lines values (?, ?)", lines)
    ingest.split_lines(con, raw)
    source = (
        f"select line, blank, nf, line_text, {_field(raw, 'urn')} as urn_s, "
        f"{_field(raw, 'pupil_id')} as pupil_s, {_field(raw, 'date')} as date_s, "
        f"{_field(raw, 'session')} as session_s, {_field(raw, 'code')} as code_s, "
        f"null::varchar as cell from {t}"
    )
    con.execute(f"create or replace temp table {t}_tt as {_typed_select(raw, source, True)} order by line")
    con.execute(f"create or replace temp view {t}_typed as select rowid as rid, * from {t}_tt")
    _check_marks(con, raw, today, main_year=main_year)


def fast_marks_unknown_pupils(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> list[tuple[int, str]]:
    """The enrolments (urn, pupil_id) fast_marks_pupils_problem finds."""
    return con.execute(
        f"""
        with spans as {file_spans(con, file_ids)},
        enrolments as (
            select distinct w.urn, w.pupil_id
            from pupil_week w join spans s on w.urn = s.urn and w.week_start between s.d0 - 6 and s.d1
            where w.urn in (select urn from pupil_characteristics)
        )
        select urn, pupil_id from enrolments e anti join pupil_characteristics p using (urn, pupil_id)
        order by all
        """,
        {"ids": file_ids},
    ).fetchall()


def fast_marks_pupils_problem(con: duckdb.DuckDBPyConnection, file_ids: list[int]) -> bool:
    """After the build: does any fast-path file have marks for a pupil not known at a
    school that has a pupils file? Asked of pupil_week's enrolments over the file's
    dates (9 million rows, not 87); an older unknown pupil in the same weeks only
    sends the file to the exact path, which is never wrong."""
    return con.execute(
        f"""
        with spans as {file_spans(con, file_ids)},
        enrolments as (
            select distinct w.urn, w.pupil_id
            from pupil_week w join spans s on w.urn = s.urn and w.week_start between s.d0 - 6 and s.d1
            where w.urn in (select urn from pupil_characteristics)
        )
        select count(*) > 0 from enrolments e anti join pupil_characteristics p using (urn, pupil_id)
        """,
        {"ids": file_ids},
    ).fetchall()[0][0]


def _check_marks(
    con: duckdb.DuckDBPyConnection, raw: RawFile, today: dt.date, main_year: int | None = None
) -> None:
    typed = f"{raw.table}_typed"
    ay = "(case when month(t.date) >= 9 then year(t.date) else year(t.date) - 1 end)"
    # The academic year most of the file's dates fall in: dates in any other year are errors.
    if main_year is None:
        main_year = con.execute(
            f"select mode(case when month(date) >= 9 then year(date) else year(date) - 1 end) "
            f"from {typed} where date is not null"
        ).fetchall()[0][0]
    has_schools = con.execute("select count(*) > 0 from schools").fetchall()[0][0]
    cell = "coalesce(t.cell, 'code')"
    checks = [
        ("t.blank", "null", "null", _lit("blank line")),
        (
            f"t.nf <> {raw.n_fields}",
            "null",
            "t.line_text",
            f"'expected {raw.n_fields} fields as in the header, found ' || t.nf",
        ),
        ("t.urn is null and t.urn_raw is null", "'urn'", "null", _lit("URN is empty")),
        ("t.urn is null", "'urn'", "t.urn_raw", _lit("URN is not a whole number")),
        ("t.pupil_id is null", "'pupil_id'", "null", _lit("pupil identifier is empty")),
        ("t.date is null and t.date_raw is null", "'date'", "null", _lit("date is empty")),
        (
            "t.date is null",
            "'date'",
            "t.date_raw",
            _lit("malformed date (expected YYYY-MM-DD or DD/MM/YYYY)"),
        ),
        ("t.session is null", "'session'", "t.session_raw", _lit("session must be AM or PM")),
        ("t.code is null", cell, "null", _lit("attendance code is empty")),
        ("rc.code is null and anycode.code is null", cell, "t.code", _lit("unknown attendance code")),
        (
            "rc.code is null",
            cell,
            "t.code",
            f"'code ' || t.code || ' is not in the ' || case when {ay} >= 2024 "
            "then 'August 2024 code set (used from 2024/25)' else 'code set used before 2024/25' end",
        ),
        (
            "isodow(t.date) >= 6",
            "'date'",
            "strftime(t.date, '%Y-%m-%d')",
            _lit("date is a Saturday or Sunday"),
        ),
        (
            f"t.date > DATE '{today.isoformat()}'",
            "'date'",
            "strftime(t.date, '%Y-%m-%d')",
            _lit("date is in the future"),
        ),
    ]
    if main_year is not None:
        checks.append(
            (
                f"{ay} <> {int(main_year)}",
                "'date'",
                "strftime(t.date, '%Y-%m-%d')",
                f"'date is outside the academic year {int(main_year)}/{(int(main_year) + 1) % 100:02d} "
                "of the rest of this file'",
            )
        )
    if has_schools:
        checks.append(
            (
                "s.urn is null",
                "'urn'",
                "t.urn::varchar",
                _lit("school not known: load its GIAS/schools row first"),
            )
        )
    checks.append(
        (
            "pk.urn is not null and pc.urn is null",
            "'pupil_id'",
            "t.pupil_id",
            _lit("pupil not known at this school: not in any pupils file loaded for it"),
        )
    )
    conditions = " or ".join(f"({c[0]})" for c in checks)
    con.execute(
        f"""
        create or replace temp table {raw.table}_bad as
        with schools_with_pupils as (select distinct urn from pupil_characteristics),
        known_pupils as (select distinct urn, pupil_id from pupil_characteristics),
        any_code as (select distinct code from ref_codes),
        failing as (
            select t.rid, t.line, {_case(checks)}
            from {typed} t
            left join ref_codes rc
                on rc.code = t.code
               and rc.code_set = case when {ay} >= 2024 then '2024' else '2006' end
            left join any_code anycode on anycode.code = t.code
            left join schools s on s.urn = t.urn
            left join schools_with_pupils pk on pk.urn = t.urn
            left join known_pupils pc on pc.urn = t.urn and pc.pupil_id = t.pupil_id
            where {conditions}
        )
        select * from failing
        """
    )
    # Duplicates among the remaining rows. Each session of a school week is one bit
    # (Mon AM = 1, Mon PM = 2, ... Fri PM = 512): an enrolment-week whose bits add up to
    # more than their OR has a session twice. Grouping by enrolment-week is ten times
    # cheaper than grouping by session at 87 million rows; only flagged weeks (usually
    # none, and then nothing more is done) are settled exactly.
    week = "date - (isodow(date) - 1)::integer"
    con.execute(
        f"""
        create or replace temp table {raw.table}_rep as
        select urn, pupil_id, {week} as week_start
        from {typed}
        group by all
        having sum(1::bigint << ((isodow(date) - 1) * 2 + (session = 'PM')::integer))
            <> bit_or(1::bigint << ((isodow(date) - 1) * 2 + (session = 'PM')::integer))
        """
    )
    if not con.execute(f"select count(*) from {raw.table}_rep").fetchall()[0][0]:
        con.execute(f"drop table {raw.table}_rep")
        return
    con.execute(
        f"""
        insert into {raw.table}_bad
        with candidates as (
            -- rows already rejected (weekends, bad dates, ...) are left out only now, when few
            select t.rid, t.line, t.urn, t.pupil_id, t.date, t.session, t.code, t.cell
            from {typed} t
            semi join {raw.table}_rep r
              on r.urn = t.urn and r.pupil_id = t.pupil_id and r.week_start = t.{week}
            where t.rid not in (select rid from {raw.table}_bad)
        ),
        groups as (
            select urn, pupil_id, date, session, count(distinct code) as n_codes,
                string_agg(line::varchar, ', ' order by line) as lines
            from candidates group by urn, pupil_id, date, session having count(*) > 1
        ),
        exact as (
            select urn, pupil_id, date, session, code, min(line) as first_line
            from candidates group by all
        ),
        final as (
            select c.rid, c.line, coalesce(c.cell, 'code') as q_column, c.code as q_value,
                case when g.n_codes > 1 then 'conflicting duplicate: different codes for the same '
                          || 'pupil, date and session (lines ' || g.lines || ')'
                     when e.first_line < c.line then 'exact duplicate of line ' || e.first_line end
                    as q_reason
            from candidates c
            join groups g using (urn, pupil_id, date, session)
            join exact e using (urn, pupil_id, date, session, code)
        )
        select * from final where q_reason is not null
        """
    )
    con.execute(f"drop table {raw.table}_rep")


def _unpivot_grid(raw: RawFile) -> str:
    """One row per non-empty day cell; a malformed line stays as a single row."""
    cells = []
    for offset, day in enumerate(("mon", "tue", "wed", "thu", "fri")):
        for session in ("am", "pm"):
            canon = f"{day}_{session}"
            if canon in raw.mapping:
                cells.append(f"({offset}, '{session.upper()}', '{canon}', {_field(raw, canon)})")
    if not cells:
        cells = ["(0, 'AM', 'mon_am', null::varchar)"]
    given = DATE_EXPR.format(x=_field(raw, "week_start"))
    # Some MIS label a week by its Sunday or Saturday: the grid's Monday is the next one.
    week = (
        f"({given} + (case isodow({given}) when 6 then 2 when 7 then 1 "
        f"else 1 - isodow({given}) end)::integer)"
    )
    return f"""
        select g.line, g.blank, g.nf, g.line_text, {_field(raw, "urn")} as urn_s,
            {_field(raw, "pupil_id")} as pupil_s,
            case when c.v is null then null
                 else coalesce(strftime({week} + c.d::integer, '%Y-%m-%d'), {_field(raw, "week_start")}) end as date_s,
            c.s as session_s, c.v as code_s, c.name as cell
        from {raw.table} g
        left join lateral (
            select * from (values {", ".join(cells)}) v(d, s, name, v)
            where not g.blank and g.nf = {raw.n_fields}
        ) c on true
        where g.blank or g.nf <> {raw.n_fields} or c.v is not null
    """


def _bool(expr: str) -> str:
    return (
        f"case when lower(coalesce({expr}, '')) in {TRUE_VALUES} then true "
        f"when lower(coalesce({expr}, '')) in {FALSE_VALUES} then false end"
    )


def _bool_check(raw: RawFile, canon: str) -> tuple[str, str, str, str]:
    expr = _field(raw, canon)
    return (
        f"{expr} is not null and ({_bool(expr)}) is null",
        f"'{canon}'",
        expr,
        _lit(f"{canon} must be yes/no (1/0, Y/N, true/false)"),
    )


PUPIL_FLAGS = ("fsm", "pupil_premium", "eal", "young_carer", "cla", "cin", "cpp")


def stage_pupils(con: duckdb.DuckDBPyConnection, raw: RawFile, default_from: dt.date) -> None:
    nc = _field(raw, "ncyear")
    ncyear = (
        f"case when upper({nc}) in ('R', 'REC', 'RECEPTION') then 0 "
        f"when upper({nc}) in ('N1') then -2 when upper({nc}) in ('N2', 'N') then -1 "
        f"else try_cast(regexp_replace(upper({nc}), '^(Y|YEAR|NC)\\s*', '') as integer) end"
    )
    sen = _field(raw, "sen_provision")
    sen_code = (
        f"case when upper({sen}) in ('E', 'EHCP', 'EHC PLAN', 'S', 'STATEMENT') then 'E' "
        f"when upper({sen}) in ('K', 'SEN SUPPORT', 'SUPPORT') then 'K' "
        f"when upper({sen}) in ('N', 'NONE', 'NO SEN') or {sen} is null then 'N' end"
    )
    eff = DATE_EXPR.format(x=_field(raw, "effective_date"))
    ay = _field(raw, "academic_year")
    term = _field(raw, "term")
    # A term with no date: the term's usual first day in that academic year.
    term_start = (
        f"case lower({term}) when 'autumn' then make_date(try_cast(left({ay}, 4) as integer), 9, 1) "
        f"when 'spring' then make_date(try_cast(left({ay}, 4) as integer) + 1, 1, 1) "
        f"when 'summer' then make_date(try_cast(left({ay}, 4) as integer) + 1, 4, 1) end"
    )
    gender = _field(raw, "gender")
    checks = (
        _shape_checks(raw)
        + [
            (f"{_field(raw, 'urn')} is null", "'urn'", "null", _lit("URN is empty")),
            (
                f"try_cast({_field(raw, 'urn')} as integer) is null",
                "'urn'",
                _field(raw, "urn"),
                _lit("URN is not a whole number"),
            ),
            (f"{_field(raw, 'pupil_id')} is null", "'pupil_id'", "null", _lit("pupil identifier is empty")),
            (
                f"{nc} is not null and ({ncyear}) is null",
                "'ncyear'",
                nc,
                _lit("NC year must be N1, N2, R or 1-14"),
            ),
            (f"({ncyear}) not between -2 and 14", "'ncyear'", nc, _lit("NC year must be N1, N2, R or 1-14")),
            (f"({sen_code}) is null", "'sen_provision'", sen, _lit("SEN provision must be E, K or N")),
            (
                f"{_field(raw, 'effective_date')} is not null and ({eff}) is null",
                "'effective_date'",
                _field(raw, "effective_date"),
                _lit("malformed date (expected YYYY-MM-DD)"),
            ),
            (
                f"{_field(raw, 'dob')} is not null and ({DATE_EXPR.format(x=_field(raw, 'dob'))}) is null",
                "'dob'",
                "null",
                _lit("malformed date of birth (expected YYYY-MM-DD)"),
            ),
            (
                f"{term} is not null and ({term_start}) is null",
                "'term'",
                term,
                _lit("term must be autumn, spring or summer with an academic year such as 2025/26"),
            ),
        ]
        + [_bool_check(raw, flag) for flag in PUPIL_FLAGS if flag in raw.mapping]
    )
    flags = ", ".join(f"{_bool(_field(raw, flag))} as {flag}" for flag in PUPIL_FLAGS)
    con.execute(
        f"""
        create or replace temp table {raw.table}_stg as
        with typed as (
            select line, line_text,
                try_cast({_field(raw, "urn")} as integer) as urn,
                {_field(raw, "pupil_id")} as pupil_id,
                coalesce({eff}, {term_start}, DATE '{default_from.isoformat()}') as valid_from,
                {ncyear} as ncyear,
                case when upper({gender}) in ('M', 'MALE', 'BOY') then 'Male'
                     when upper({gender}) in ('F', 'FEMALE', 'GIRL') then 'Female'
                     when {gender} is null then null else 'Other or not known' end as gender,
                {_field(raw, "ethnicity")} as ethnicity,
                {sen_code} as sen_provision,
                {flags},
                upper({_field(raw, "home_lsoa")}) as home_lsoa,
                {_field(raw, "home_postcode")} as home_postcode,
                {DATE_EXPR.format(x=_field(raw, "dob"))} as dob,
                {_case(checks)}
            from {raw.table}
        ),
        dups as (
            select *,
                min(line) over (partition by urn, pupil_id, valid_from) as first_line
            from typed where q_reason is null
        )
        select * exclude (first_line) replace (
            case when first_line < line then 'pupil_id' end as q_column,
            case when first_line < line then pupil_id end as q_value,
            case when first_line < line then 'duplicate pupil row (same school, pupil and date as line ' || first_line || ')' end as q_reason)
        from dups
        union all by name
        select * from typed where q_reason is not null
        """
    )


def school_phase_sql(raw: RawFile) -> str:
    t = f"lower(coalesce({_field(raw, 'establishment_type')}, ''))"
    p = f"lower(coalesce({_field(raw, 'phase')}, ''))"
    lo = f"try_cast({_field(raw, 'low_age')} as integer)"
    hi = f"try_cast({_field(raw, 'high_age')} as integer)"
    return (
        f"case when {t} like '%special%' or {p} like '%special%' then 'Special' "
        f"when {t} like '%pupil referral%' or {t} like '%alternative provision%' "
        f"or {p} like '%alternative%' then 'Alternative provision' "
        f"when {p} like '%all-through%' or {p} like '%all through%' then 'All-through' "
        f"when {p} like '%secondary%' then 'Secondary' "
        f"when {p} like '%primary%' then 'Primary' "
        f"when {p} like '%nursery%' then 'Nursery' "
        f"when {p} like '%16 plus%' then '16 plus' "
        f"when {hi} <= 11 then 'Primary' "
        f"when {lo} >= 11 and {hi} >= 16 and {hi} <= 16 then 'Secondary' "
        f"when {lo} >= 11 then 'Secondary' "
        f"when {lo} <= 5 and {hi} >= 16 then 'All-through' "
        "else 'Not known' end"
    )


def stage_schools(con: duckdb.DuckDBPyConnection, raw: RawFile) -> None:
    num = lambda c: f"try_cast(replace({_field(raw, c)}, ',', '') as double)"  # noqa: E731
    checks = _shape_checks(raw) + [
        (f"{_field(raw, 'urn')} is null", "'urn'", "null", _lit("URN is empty")),
        (
            f"try_cast({_field(raw, 'urn')} as integer) is null",
            "'urn'",
            _field(raw, "urn"),
            _lit("URN is not a whole number"),
        ),
        (f"{_field(raw, 'school_name')} is null", "'school_name'", "null", _lit("school name is empty")),
    ]
    con.execute(
        f"""
        create or replace temp table {raw.table}_stg as
        with typed as (
            select line, line_text,
                try_cast({_field(raw, "urn")} as integer) as urn,
                {_field(raw, "school_name")} as school_name,
                {_field(raw, "la_code")} as la_code,
                {_field(raw, "la_name")} as la_name,
                {_field(raw, "establishment_type")} as establishment_type,
                {school_phase_sql(raw)} as phase,
                upper({_field(raw, "postcode")}) as postcode,
                {num("easting")} as easting, {num("northing")} as northing,
                {num("latitude")} as latitude, {num("longitude")} as longitude,
                try_cast({num("number_of_pupils")} as integer) as number_of_pupils,
                {num("percent_fsm")} as percent_fsm,
                {_case(checks)}
            from {raw.table}
        ),
        dups as (select *, min(line) over (partition by urn) as first_line from typed where q_reason is null)
        select * exclude (first_line) replace (
            case when first_line < line then 'urn' end as q_column,
            case when first_line < line then urn::varchar end as q_value,
            case when first_line < line then 'duplicate school (same URN as line ' || first_line || ')' end as q_reason)
        from dups
        union all by name
        select * from typed where q_reason is not null
        """
    )


def stage_dfe_pupil(con: duckdb.DuckDBPyConnection, raw: RawFile) -> None:
    num = lambda c: f"try_cast({_field(raw, c)} as double)"  # noqa: E731
    sessions = (
        "possible_sessions",
        "present_sessions",
        "aea_sessions",
        "authorised_sessions",
        "unauthorised_sessions",
        "absent_sessions",
    )
    checks = _shape_checks(raw) + [
        (
            f"try_cast({_field(raw, 'urn')} as integer) is null",
            "'unique_reference_number'",
            _field(raw, "urn"),
            _lit("URN is missing or not a whole number"),
        ),
        (f"{_field(raw, 'pupil_id')} is null", "'UPN'", "null", _lit("UPN is empty")),
    ]
    for s in sessions:
        if s in raw.mapping:
            checks.append(
                (
                    f"{_field(raw, s)} is not null and ({num(s)} is null or {num(s)} < 0)",
                    f"'{s}'",
                    _field(raw, s),
                    _lit(f"{s} must be a number of sessions, 0 or more"),
                )
            )
    checks.append(
        (
            f"coalesce({num('authorised_sessions')}, 0) + coalesce({num('unauthorised_sessions')}, 0) > {num('possible_sessions')}",
            "'possible_sessions'",
            _field(raw, "possible_sessions"),
            _lit("more absence than possible sessions"),
        )
    )

    def flag(c: str) -> str:  # a column the file lacks is unknown, not "no"
        return _bool(_field(raw, c)) if c in raw.mapping else "null::boolean"

    con.execute(
        f"""
        create or replace temp table {raw.table}_stg as
        select line, line_text,
            {_field(raw, "academic_term")} as academic_term,
            try_cast({_field(raw, "urn")} as integer) as urn,
            {_field(raw, "pupil_id")} as pupil_id,
            {_field(raw, "sex")} as sex, {_field(raw, "ethnicity")} as ethnicity,
            {_field(raw, "year_group")} as ncyear,
            {flag("compulsory_school_age")} as compulsory_school_age,
            {flag("eal")} as eal, {flag("fsm")} as fsm, {flag("sen_support")} as sen_support,
            {flag("ehcp")} as ehcp, {flag("cla")} as cla, {flag("cin")} as cin, {flag("cpp")} as cpp,
            {_field(raw, "phase")} as phase,
            {DATE_EXPR.format(x=_field(raw, "admission_date"))} as admission_date,
            {DATE_EXPR.format(x=_field(raw, "leaving_date"))} as leaving_date,
            {", ".join(f"{num(s)} as {s}" for s in sessions[:-1])}, {num("absent_sessions")} as absent_sessions,
            {_field(raw, "surname")} as surname, {_field(raw, "forename")} as forename,
            {DATE_EXPR.format(x=_field(raw, "dob"))} as dob,
            {_case(checks)}
        from {raw.table}
        """
    )
