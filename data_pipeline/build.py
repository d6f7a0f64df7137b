"""Transform stage: rebuild the marts from the core tables, then run the checks."""

from __future__ import annotations

from pathlib import Path

import duckdb

from . import cohorts

SQL_DIR = Path(__file__).parent / "sql"


class ChecksFailed(RuntimeError):
    def __init__(self, failures: dict[str, int]):
        self.failures = failures
        detail = "; ".join(f"{rule}: {n} rows" for rule, n in failures.items())
        super().__init__(f"warehouse checks failed, nothing was changed: {detail}")


DUPLICATE_RULE = "one mark per pupil, school, date and session"


def build(con: duckdb.DuckDBPyConnection) -> None:
    for path in sorted(SQL_DIR.glob("[0-8]*.sql")):
        con.execute(path.read_text())
    cohorts.build(con)
    _load_reference(con)
    failures = con.execute((SQL_DIR / "90_checks.sql").read_text()).fetchall()
    if failures:
        raise ChecksFailed(dict(failures))
    latest = con.execute("select max(date) from marks").fetchall()[0][0]
    if latest is not None:
        con.execute("insert or replace into meta values ('data_up_to', ?)", [latest.isoformat()])


def _load_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Published benchmarks and geography, shipped in data/reference."""
    try:
        from .reference import load_reference
    except ImportError:  # reference data not installed in this checkout
        return
    load_reference(con)
