"""The LA's scheduled checks from the national framework (August 2024) and the data behind
them, for the command line: pupils at the penalty-notice threshold (10 sessions of
unauthorised absence in a rolling 10 school weeks) and each school's data quality."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).parent / "sql"


def latest_date(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    return con.execute("select max(date) from marks").fetchall()[0][0]


def _rows(con, sql_file: str, params: dict) -> list[dict]:
    cur = con.execute((SQL_DIR / sql_file).read_text(), params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def threshold(con, as_of: dt.date | None = None, urn: int | None = None) -> list[dict]:
    """Pupils with 10 or more unauthorised sessions in the 10 school weeks ending on as_of
    (default: the latest date in the warehouse); see sql/threshold.sql."""
    as_of = as_of or latest_date(con)
    if as_of is None:
        return []
    return _rows(con, "threshold.sql", {"as_of": as_of, "urn": urn})


def quality(con, as_of: dt.date | None = None) -> list[dict]:
    """One row per school: unresolved N codes, missing sessions, latest mark; see sql/quality.sql."""
    as_of = as_of or latest_date(con)
    if as_of is None:
        return []
    return _rows(con, "quality.sql", {"as_of": as_of})
