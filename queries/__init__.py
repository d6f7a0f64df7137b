"""The query layer: one SQL file a query, run with bound parameters and the viewer's scope.

`run("la_headline_measures", scope, week_from=..., ...)` reads
`queries/la_headline_measures.sql`, binds the named parameters it uses
(`$week_from` style; values are never pasted into SQL) and always binds
`$scope_urns`: the list of schools the viewer may see, or NULL for the whole
LA. A query that reads a pupil-level table must use `$scope_urns`; the loader
refuses one that does not.

The warehouse is opened read-only. The pipeline replaces the file by an
atomic rename, so the cached connection is keyed by the file's path, inode
and mtime: a new load opens a new connection (and new cached results).

Access rules, enforced here for every caller (pages, exports, tests), not by hiding pages
(docs/ACCESS.md):

- a query whose first line is `-- returns: pupil rows` is refused unless
  `scope.pupil_rows_allowed`, and every such call is written to the audit log (who, when,
  role, scope, query, parameters), refusals included; identifying columns (`pupil_id`,
  UPN, names, date of birth) are dropped from its result unless `identify=True` is asked
  for by a role allowed them (pages show `pupil_ref`, a keyed pseudonym: bind
  `$pseudonym_key` and use `PSEUDONYM_SQL`);
- a school parameter (`$urn`, `$urns`, `$..._urn`) naming a school outside `scope.schools`
  raises, so a crafted URL or widget value cannot reach another school;
- for a role that sees aggregates only with small numbers suppressed (governors), a query
  reading pupil-level tables must go through `run_suppressed(...)`: `run` and `execute`
  refuse it. `run_suppressed(..., export=True)` suppresses for every role but the LA's.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import weakref
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from access import WHOLE_LA, Scope  # noqa: F401  (the policy's; re-exported for callers)
from auth import audit
from auth.store import pseudonym as _pseudonym
from auth.store import pseudonym_key, store_path
from data_pipeline import config

from .suppression import suppress

QUERY_DIR = Path(__file__).parent
# Tables that hold one row per pupil (or finer): any query reading one must take the scope.
PUPIL_TABLES = (
    "pupil_week",
    "pupil_year",
    "cohort_group",
    "marks",
    "pupil_characteristics",
    "pupil_identity",
    "dfe_pupil_totals",
    "school_session",
    "pupil_half_term",
    "pupil_term",
    "enrolment_year",
)
PUPIL_ROWS_HEADER = "-- returns: pupil rows"
# Columns that identify a pupil: dropped from pupil rows unless identify=True.
IDENTITY_COLUMNS = (
    "pupil_id",
    "upn",
    "surname",
    "forename",
    "legal_surname",
    "legal_forename",
    "preferred_surname",
    "preferred_forename",
    "pupil_name",
    "name",
    "dob",
    "date_of_birth",
)
# Parameters that name schools: their values must be inside the viewer's scope.
_SCHOOL_PARAM = re.compile(r"^(urn|urns|.*_urn|.*_urns)$")
# The pseudonymous pupil reference a pupil-rows query should show (bind $pseudonym_key):
# 'P-' and the first 8 hex digits of SHA-256(key:urn:pupil_id). Same value as pseudonym().
PSEUDONYM_SQL = "'P-' || upper(left(sha256($pseudonym_key || ':' || {urn} || ':' || {pupil_id}), 8))"
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


class QueryError(RuntimeError):
    pass


class AccessDenied(QueryError):
    """The viewer's scope does not allow this query or these parameters."""


_INCLUDE = re.compile(r"^-- @include (\S+)$", re.MULTILINE)


@cache
def sql_text(name: str) -> str:
    """A query's SQL; a line `-- @include fragments/x.sql` is replaced by that file, so a
    block several queries share (the pupil lists' columns, a period's enrolments) is
    written once."""
    path = QUERY_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"no query file {path.name} in {QUERY_DIR}")
    return _expand(path.read_text())


def _expand(sql: str) -> str:
    """Replace each include line by its file, itself expanded (a fragment may include one)."""
    return _INCLUDE.sub(lambda m: _expand((QUERY_DIR / m.group(1)).read_text()), sql)


@cache
def parameters(name: str) -> tuple[str, ...]:
    """The named parameters a query uses (comments ignored), in order of first use."""
    body = _COMMENT.sub("", sql_text(name))
    return tuple(dict.fromkeys(_PARAM.findall(body)))


@cache
def reads_pupil_tables(name: str) -> bool:
    body = _COMMENT.sub("", sql_text(name)).lower()
    return any(re.search(rf"\b{t}\b", body) for t in PUPIL_TABLES)


@cache
def returns_pupil_rows(name: str) -> bool:
    """The query's first line is `-- returns: pupil rows`."""
    first = sql_text(name).lstrip().splitlines()[0] if sql_text(name).strip() else ""
    return first.strip().lower() == PUPIL_ROWS_HEADER


def explicit_scope(name: str, scope: Scope | None) -> Scope:
    """The scope a query runs with. A query over pupil-level tables must be given the viewer's
    scope: there is no default for it, so forgetting it refuses rather than shows the whole LA.
    Queries of reference and warehouse tables only run as the system (WHOLE_LA)."""
    if scope is not None:
        return scope
    if reads_pupil_tables(name):
        raise QueryError(f"{name}.sql reads pupil-level data: pass the viewer's scope")
    return WHOLE_LA


def check_scoped(name: str) -> None:
    if reads_pupil_tables(name) and "scope_urns" not in parameters(name):
        raise QueryError(f"{name}.sql reads pupil-level data but ignores $scope_urns")


def _urn_values(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset, pd.Series)):
        return [v for v in value if v is not None]
    return [value]


def check_urns(name: str, scope: Scope, params: dict) -> None:
    """A school parameter must name schools inside the scope (else AccessDenied)."""
    if scope.schools is None:
        return
    for key, value in params.items():
        if not _SCHOOL_PARAM.match(key):
            continue
        for v in _urn_values(value):
            try:
                ok = scope.allows_school(int(str(v).strip()))
            except ValueError:
                ok = False
            if not ok:
                raise AccessDenied(f"{name}: school {str(v)[:40]!r} is outside the viewer's scope")


def check_access(
    name: str, scope: Scope, params: dict, identify: bool = False, suppressed: bool = False
) -> None:
    """Every rule that depends on the viewer; a refusal of pupil rows is audited."""
    check_scoped(name)
    pupil_rows = returns_pupil_rows(name)
    try:
        if not scope.known_role:
            raise AccessDenied(f"unknown role {scope.role!r}")
        check_urns(name, scope, params)
        if pupil_rows and not scope.pupil_rows_allowed:
            raise AccessDenied(f"{name} returns pupil rows; the {scope.role} role sees aggregates only")
        if identify and not scope.identity_allowed:
            raise AccessDenied(f"the {scope.role} role may not see pupils' names or UPNs")
        if scope.suppress_on_screen and reads_pupil_tables(name) and not suppressed:
            raise AccessDenied(
                f"{name}: the {scope.role} role sees small numbers suppressed; "
                "use queries.run_suppressed(...)"
            )
    except AccessDenied as exc:
        if pupil_rows or scope.schools is not None:
            audit.record(scope, "denied", name, params, detail=str(exc))
        raise


def _audit_view(name: str, scope: Scope, params: dict, rows: int, identify: bool) -> None:
    if returns_pupil_rows(name):
        audit.record(
            scope,
            "view",
            name,
            {**params, "identify": identify} if identify else params,
            rows=rows,
            dedupe=True,
        )


def pseudonym(urn, pupil_id, key: str | None = None) -> str:
    """The pseudonymous reference shown for a pupil (the same value as PSEUDONYM_SQL)."""
    return _pseudonym(urn, pupil_id, key)


def _strip_identity(name: str, df: pd.DataFrame, identify: bool) -> pd.DataFrame:
    if identify or not returns_pupil_rows(name):
        return df
    return df.drop(columns=[c for c in df.columns if c.lower() in IDENTITY_COLUMNS])


def db_path() -> Path:
    return Path(config.default_db())


def db_version(path: Path | None = None) -> tuple[str, int, int]:
    """(path, inode, mtime in ns): changes whenever the pipeline swaps in a new file."""
    path = path or db_path()
    s = os.stat(path)
    return (str(path), s.st_ino, s.st_mtime_ns)


_OURS: weakref.WeakSet = weakref.WeakSet()  # connections below: their cursors need `use warehouse`


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, inode: int, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    """The warehouse attached read-only to a fresh in-memory database. Not
    `duckdb.connect(path)`: DuckDB keeps one database instance per path in a process, so
    while the previous version's connection is cached a new connect would reuse it and
    keep serving the file the last load replaced."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute("attach ? as warehouse (read_only)", [path])
    _OURS.add(con)
    return con


def cursor(con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """A cursor (one per call: safe across Streamlit's threads) reading the warehouse."""
    con = con or connection()
    cur = con.cursor()
    if con in _OURS:
        cur.execute("use warehouse")
    return cur


def connection() -> duckdb.DuckDBPyConnection:
    path = db_path()
    if not path.exists():
        raise FileNotFoundError(
            f"No warehouse at {path}. Build the demo with `python -m data_pipeline demo` "
            "or load files with `python -m data_pipeline ingest`, or set ATTENDANCE_DB."
        )
    return _connection(*db_version(path))


def _bind(name: str, scope: Scope, params: dict) -> dict:
    wanted = parameters(name)
    values = dict(params)
    values["scope_urns"] = scope.urns
    values.setdefault("min_count", scope.suppression_threshold)
    if "pseudonym_key" in wanted:
        values["pseudonym_key"] = pseudonym_key()
    missing = [p for p in wanted if p not in values]
    if missing:
        raise QueryError(f"{name}.sql needs parameters {missing}")
    return {p: values[p] for p in wanted}


def _execute(name: str, scope: Scope, con, params: dict) -> pd.DataFrame:
    cur = cursor(con)
    try:
        return cur.execute(sql_text(name), _bind(name, scope, params)).df()
    finally:
        cur.close()


def execute(
    name: str,
    scope: Scope | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    identify: bool = False,
    **params,
) -> pd.DataFrame:
    """Run a query now (no caching). `con` defaults to the cached read-only connection."""
    scope = explicit_scope(name, scope)
    check_access(name, scope, params, identify)
    df = _strip_identity(name, _execute(name, scope, con, params), identify)
    _audit_view(name, scope, params, len(df), identify)
    return df


@st.cache_data(show_spinner=False, ttl=3600, max_entries=500)
def _cached(name: str, scope: Scope, version: tuple, params: tuple, store: str) -> pd.DataFrame:
    # `store` (the app store's path) keys the cache too: pseudonyms depend on its key.
    return _execute(name, scope, None, dict(params))


def run(name: str, scope: Scope | None = None, *, identify: bool = False, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters; results cached per warehouse version.
    The access rules and the audit run on every call, cached or not."""
    scope = explicit_scope(name, scope)
    check_access(name, scope, params, identify)

    df = _cached(name, scope, db_version(), tuple(sorted(params.items())), str(store_path())).copy()
    df = _strip_identity(name, df, identify)
    _audit_view(name, scope, params, len(df), identify)
    return df


def run_suppressed(
    name: str,
    scope: Scope | None = None,
    count_cols=(),
    rate_cols=(),
    group_cols=(),
    *,
    export: bool = False,
    numeric: bool = False,
    con: duckdb.DuckDBPyConnection | None = None,
    **params,
) -> pd.DataFrame:
    """Run an aggregate query and suppress small numbers where the viewer's role requires it:
    on screen for governors, in exports (export=True) for every role but the LA officer.
    count_cols, rate_cols, group_cols: as queries.suppression.suppress (pupil counts, the
    rates and gaps built on them, and the columns that group rows into breakdowns).
    Withheld cells are 'c' (files' convention), or with `numeric` null in a column that keeps
    its number type, named in attrs["withheld"] (for the screen: ui.table_view shows 'c')."""
    scope = explicit_scope(name, scope)
    check_access(name, scope, params, suppressed=True)
    if returns_pupil_rows(name):
        raise QueryError(f"{name} returns pupil rows, not aggregates: use run()")
    if con is not None:
        df = _execute(name, scope, con, params)
    else:
        df = _cached(name, scope, db_version(), tuple(sorted(params.items())), str(store_path())).copy()
    if scope.suppress_on_screen or (export and scope.suppress_exports):
        df = suppress(df, count_cols, rate_cols, scope.suppression_threshold, group_cols, numeric=numeric)
    return df


def suppress_for_export(
    df: pd.DataFrame, scope: Scope, count_cols=(), rate_cols=(), group_cols=()
) -> pd.DataFrame:
    """An aggregate table about to be downloaded, suppressed unless the viewer is the LA's."""
    if not scope.suppress_exports or df.attrs.get("suppressed"):
        return df
    return suppress(df, count_cols, rate_cols, scope.suppression_threshold, group_cols)


# ---------------------------------------------------------------- periods
@dataclass(frozen=True)
class Period:
    """A span of whole school weeks (Mondays), and the same span a year earlier."""

    academic_year: int
    label: str
    week_from: dt.date
    week_to: dt.date
    ly_week_from: dt.date
    ly_week_to: dt.date
    kind: str = "year"  # year (to date) | term | half_term | custom

    @property
    def reaches_year_end(self) -> bool:
        """The year to date runs into the last month of the school year (July): only then does it
        cover what DfE's year-end figures cover."""
        return self.kind == "year" and self.week_to >= dt.date(self.academic_year + 1, 7, 1)

    @property
    def ly_label(self) -> str:
        """Last year's span in words: the same term or half term of the year before (which may
        be a week longer or shorter), else the same weeks."""
        from data_pipeline.codes import format_year

        before = format_year(self.academic_year - 1)
        if self.kind in ("term", "half_term"):
            return f"{self.label.removesuffix(' ' + format_year(self.academic_year))} {before}"
        return f"the same weeks of {before}"

    @property
    def same_length_as_last_year(self) -> bool:
        """This span and last year's cover as many weeks: counts (days lost, pupils) then compare;
        a term a week longer or shorter than last year's compares by its rates alone."""
        return (self.week_to - self.week_from) == (self.ly_week_to - self.ly_week_from)

    def params(self) -> dict:
        return {
            "week_from": self.week_from,
            "week_to": self.week_to,
            "ly_week_from": self.ly_week_from,
            "ly_week_to": self.ly_week_to,
        }


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def resolve_period(
    calendar: pd.DataFrame,
    year: int,
    kind: str,
    part: str | None = None,
    custom: tuple[dt.date, dt.date] | None = None,
) -> Period | None:
    """Turn a filter choice into school weeks, from `school_calendar_parts` rows.

    kind: 'Year to date' | 'Term' | 'Half term' | 'Custom dates'. Last year's
    span is the same term or half term a year earlier; for year to date and
    custom dates it is the same weeks 52 weeks earlier.
    """
    from data_pipeline.codes import format_year

    this = calendar[calendar["academic_year"] == year]
    last = calendar[calendar["academic_year"] == year - 1]
    if this.empty:
        return None
    shift = dt.timedelta(weeks=52)
    if kind in ("Term", "Half term"):
        col = "term" if kind == "Term" else "half_term"
        rows = this[this[col] == part]
        if rows.empty:
            return None
        lrows = last[last[col] == part]
        wf, wt = rows["first_week"].min(), rows["last_week"].max()
        lf = lrows["first_week"].min() if not lrows.empty else wf - shift
        lt = lrows["last_week"].max() if not lrows.empty else wt - shift
        label = f"{part} {format_year(year)}"
        pkind = "term" if kind == "Term" else "half_term"
    elif kind == "Custom dates" and custom:
        wf, wt = monday(custom[0]), monday(custom[1])
        lf, lt = wf - shift, wt - shift
        label = f"weeks of {wf:%d %b %Y} to {wt + dt.timedelta(days=4):%d %b %Y}"
        pkind = "custom"
    else:
        wf, wt = this["first_week"].min(), this["last_week"].max()
        lf, lt = wf - shift, wt - shift
        if not last.empty:
            lf = last["first_week"].min()
            lt = lf + (wt - wf)
        label = f"{format_year(year)} year to date"
        pkind = "year"
    return Period(
        year,
        label,
        pd.Timestamp(wf).date(),
        pd.Timestamp(wt).date(),
        pd.Timestamp(lf).date(),
        pd.Timestamp(lt).date(),
        pkind,
    )
