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

from .ingest import RawFile

# Values that mean yes / no in MIS exports.
TRUE_VALUES = ("1", "y", "yes", "true", "t")
FALSE_VALUES = ("0", "n", "no", "false", "f", "")

DATE_EXPR = (
    "coalesce(try_strptime({x}, '%Y-%m-%d'), try_strptime({x}, '%d/%m/%Y'), "
    "try_strptime({x}, '%Y-%m-%dT%H:%M:%S'), try_strptime({x}, '%Y-%m-%d %H:%M:%S'), "
    "try_strptime({x}, '%d-%m-%Y'))::date"
)


def _field(raw: RawFile, canon: str) -> str:
    i = raw.mapping.get(canon)
    return f"nullif(f[{i}], '')" if i else "null::varchar"


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
        ("f is null", "null", "null", _lit("blank line")),
        (
            f"len(f) <> {raw.n_fields}",
            "null",
            "left(line_text, 200)",
            f"'expected {raw.n_fields} fields as in the header, found ' || len(f)",
        ),
    ]


def stage_marks(con: duckdb.DuckDBPyConnection, raw: RawFile, today: dt.date) -> None:
    """Typed marks with a reason for every rejected row. Grid files are unpivoted first."""
    if raw.kind == "grid":
        source = _unpivot_grid(con, raw)
    else:
        source = (
            f"select line, line_text, f, {_field(raw, 'urn')} as urn_raw, "
            f"{_field(raw, 'pupil_id')} as pupil_id, {_field(raw, 'date')} as date_raw, "
            f"upper({_field(raw, 'session')}) as session_raw, {_field(raw, 'code')} as code_raw, "
            "null::varchar as cell from " + raw.table
        )
    date = DATE_EXPR.format(x="date_raw")
    con.execute(
        f"""
        create or replace temp table {raw.table}_typed as
        with src as ({source}),
        typed as (
            select *,
                try_cast(urn_raw as integer) as urn,
                {date} as date,
                case when session_raw in ('AM', 'A', 'MORNING', '1') then 'AM'
                     when session_raw in ('PM', 'P', 'AFTERNOON', '2') then 'PM' end as session,
                case when code_raw in ('/', '\\') then code_raw else upper(code_raw) end as code
            from src
        )
        select typed.*,
            case when month(date) >= 9 then year(date) else year(date) - 1 end as academic_year
        from typed
        """
    )
    # The academic year most of the file's dates fall in: dates in any other year are errors.
    main_year = con.execute(
        f"select mode(academic_year) from {raw.table}_typed where academic_year is not null"
    ).fetchall()[0][0]
    has_schools = con.execute("select count(*) > 0 from schools").fetchall()[0][0]
    cell = "coalesce(t.cell, 'code')"
    checks = (
        _shape_checks(raw)
        if raw.kind != "grid"
        else [
            ("f is null", "null", "null", _lit("blank line")),
            (
                f"len(f) <> {raw.n_fields}",
                "null",
                "left(line_text, 200)",
                f"'expected {raw.n_fields} fields as in the header, found ' || len(f)",
            ),
        ]
    )
    checks += [
        ("urn_raw is null", "'urn'", "null", _lit("URN is empty")),
        ("t.urn is null", "'urn'", "urn_raw", _lit("URN is not a whole number")),
        ("t.pupil_id is null", "'pupil_id'", "null", _lit("pupil identifier is empty")),
        ("date_raw is null", "'date'", "null", _lit("date is empty")),
        ("t.date is null", "'date'", "date_raw", _lit("malformed date (expected YYYY-MM-DD or DD/MM/YYYY)")),
        ("t.session is null", "'session'", "session_raw", _lit("session must be AM or PM")),
        ("t.code is null", cell, "null", _lit("attendance code is empty")),
        (
            "rc.code is null and not exists (select 1 from ref_codes r2 where r2.code = t.code)",
            cell,
            "code_raw",
            _lit("unknown attendance code"),
        ),
        (
            "rc.code is null",
            cell,
            "code_raw",
            "'code ' || t.code || ' is not in the ' || case when academic_year >= 2024 "
            "then 'August 2024 code set (used from 2024/25)' else 'code set used before 2024/25' end",
        ),
        ("isodow(t.date) >= 6", "'date'", "date_raw", _lit("date is a Saturday or Sunday")),
        (f"t.date > DATE '{today.isoformat()}'", "'date'", "date_raw", _lit("date is in the future")),
    ]
    if main_year is not None:
        checks.append(
            (
                f"academic_year <> {int(main_year)}",
                "'date'",
                "date_raw",
                f"'date is outside the academic year {int(main_year)}/{(int(main_year) + 1) % 100:02d} "
                "of the rest of this file'",
            )
        )
    if has_schools:
        checks.append(
            ("s.urn is null", "'urn'", "urn_raw", _lit("school not known: load its GIAS/schools row first"))
        )
    checks.append(
        (
            "pk.urn is not null and pc.urn is null",
            "'pupil_id'",
            "t.pupil_id",
            _lit("pupil not known at this school: not in any pupils file loaded for it"),
        )
    )
    con.execute(
        f"""
        create or replace temp table {raw.table}_stg as
        with schools_with_pupils as (select distinct urn from pupil_characteristics),
        known_pupils as (select distinct urn, pupil_id from pupil_characteristics),
        checked as (
            select t.line, t.line_text, t.urn, t.pupil_id, t.date, t.session, t.code, t.cell,
                {_case(checks)}
            from {raw.table}_typed t
            left join ref_codes rc
                on rc.code = t.code
               and rc.code_set = case when t.academic_year >= 2024 then '2024' else '2006' end
            left join schools s on s.urn = t.urn
            left join schools_with_pupils pk on pk.urn = t.urn
            left join known_pupils pc on pc.urn = t.urn and pc.pupil_id = t.pupil_id
        ),
        dups as (
            select *,
                min(line) over (partition by urn, pupil_id, date, session, code) as first_line,
                count(distinct code) over (partition by urn, pupil_id, date, session) as n_codes,
                string_agg(line::varchar, ', ' order by line) over (partition by urn, pupil_id, date, session) as lines
            from checked where q_reason is null
        )
        select line, line_text, urn, pupil_id, date, session, code, cell,
            case when n_codes > 1 then coalesce(cell, 'code') when first_line < line then null end as q_column,
            case when n_codes > 1 or first_line < line then code end as q_value,
            case when n_codes > 1 then 'conflicting duplicate: different codes for the same pupil, date and session (lines ' || lines || ')'
                 when first_line < line then 'exact duplicate of line ' || first_line end as q_reason
        from dups
        union all
        select line, line_text, urn, pupil_id, date, session, code, cell, q_column, q_value, q_reason
        from checked where q_reason is not null
        """
    )


def _unpivot_grid(con: duckdb.DuckDBPyConnection, raw: RawFile) -> str:
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
        select g.line, g.line_text, g.f, {_field(raw, "urn")} as urn_raw,
            {_field(raw, "pupil_id")} as pupil_id,
            case when c.v is null then null
                 else coalesce(strftime({week} + c.d::integer, '%Y-%m-%d'), {_field(raw, "week_start")}) end as date_raw,
            c.s as session_raw,
            c.v as code_raw, c.name as cell
        from {raw.table} g
        left join lateral (
            select * from (values {", ".join(cells)}) v(d, s, name, v)
            where g.f is not null and len(g.f) = {raw.n_fields}
        ) c on true
        where g.f is null or len(g.f) <> {raw.n_fields} or c.v is not null
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
