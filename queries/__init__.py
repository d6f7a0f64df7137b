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
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from data_pipeline import config

QUERY_DIR = Path(__file__).parent
# Tables that hold one row per pupil (or finer): any query reading one must take the scope.
PUPIL_TABLES = ("pupil_week", "pupil_year", "marks", "pupil_characteristics",
                "pupil_identity", "dfe_pupil_totals", "school_session")
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@dataclass(frozen=True)
class Scope:
    """What the viewer may see: schools (URNs, or None for the whole LA), pupil rows, suppression."""

    schools: tuple[int, ...] | None = None
    pupil_rows_allowed: bool = False
    suppression_threshold: int = config.SUPPRESSION_THRESHOLD

    @property
    def urns(self) -> list[int] | None:
        return None if self.schools is None else [int(u) for u in self.schools]


WHOLE_LA = Scope()


class QueryError(RuntimeError):
    pass


@cache
def sql_text(name: str) -> str:
    path = QUERY_DIR / f"{name}.sql"
    if not path.exists():
        raise QueryError(f"no query file {path.name} in {QUERY_DIR}")
    return path.read_text()


@cache
def parameters(name: str) -> tuple[str, ...]:
    """The named parameters a query uses (comments ignored), in order of first use."""
    body = _COMMENT.sub("", sql_text(name))
    return tuple(dict.fromkeys(_PARAM.findall(body)))


def check_scoped(name: str) -> None:
    body = _COMMENT.sub("", sql_text(name)).lower()
    if any(t in body for t in PUPIL_TABLES) and "scope_urns" not in parameters(name):
        raise QueryError(f"{name}.sql reads pupil-level data but ignores $scope_urns")


def db_path() -> Path:
    return Path(config.default_db())


def db_version(path: Path | None = None) -> tuple[str, int, int]:
    """(path, inode, mtime in ns): changes whenever the pipeline swaps in a new file."""
    path = path or db_path()
    s = os.stat(path)
    return (str(path), s.st_ino, s.st_mtime_ns)


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, inode: int, mtime_ns: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(path, read_only=True)
    con.execute("set enable_progress_bar = false")
    return con


def connection() -> duckdb.DuckDBPyConnection:
    path = db_path()
    if not path.exists():
        raise FileNotFoundError(
            f"No warehouse at {path}. Build the demo with `python -m data_pipeline demo` "
            "or load files with `python -m data_pipeline ingest`, or set ATTENDANCE_DB.")
    return _connection(*db_version(path))


def _bind(name: str, scope: Scope, params: dict) -> dict:
    wanted = parameters(name)
    values = dict(params)
    values["scope_urns"] = scope.urns
    values.setdefault("min_count", scope.suppression_threshold)
    missing = [p for p in wanted if p not in values]
    if missing:
        raise QueryError(f"{name}.sql needs parameters {missing}")
    return {p: values[p] for p in wanted}


def execute(name: str, scope: Scope = WHOLE_LA, con: duckdb.DuckDBPyConnection | None = None,
            **params) -> pd.DataFrame:
    """Run a query now (no caching). `con` defaults to the cached read-only connection."""
    check_scoped(name)
    cur = (con or connection()).cursor()  # a cursor per call: safe across Streamlit's threads
    try:
        return cur.execute(sql_text(name), _bind(name, scope, params)).df()
    finally:
        cur.close()


@st.cache_data(show_spinner=False, ttl=3600, max_entries=500)
def _cached(name: str, scope: Scope, version: tuple, params: tuple) -> pd.DataFrame:
    return execute(name, scope, **dict(params))


def run(name: str, scope: Scope = WHOLE_LA, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bound parameters; results cached per warehouse version."""
    return _cached(name, scope, db_version(), tuple(sorted(params.items()))).copy()


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

    def params(self) -> dict:
        return {"week_from": self.week_from, "week_to": self.week_to,
                "ly_week_from": self.ly_week_from, "ly_week_to": self.ly_week_to}


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def resolve_period(calendar: pd.DataFrame, year: int, kind: str, part: str | None = None,
                   custom: tuple[dt.date, dt.date] | None = None) -> Period | None:
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
    elif kind == "Custom dates" and custom:
        wf, wt = monday(custom[0]), monday(custom[1])
        lf, lt = wf - shift, wt - shift
        label = f"weeks of {wf:%d %b %Y} to {wt + dt.timedelta(days=4):%d %b %Y}"
    else:
        wf, wt = this["first_week"].min(), this["last_week"].max()
        lf, lt = wf - shift, wt - shift
        if not last.empty:
            lf = last["first_week"].min()
            lt = lf + (wt - wf)
        label = f"{format_year(year)} year to date"
    return Period(year, label, pd.Timestamp(wf).date(), pd.Timestamp(wt).date(),
                  pd.Timestamp(lf).date(), pd.Timestamp(lt).date())
