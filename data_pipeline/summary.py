"""Headline measures for the `summary` command, per DfE's definitions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

import catalogue

from . import config
from .codes import format_year

SQL_DIR = Path(__file__).parent / "sql"
SOURCES = {
    "marks": "daily session marks from the schools' registers",
    "dfe": "year-to-date totals from DfE's weekly pupil-level file (latest file for each school)",
}


def _pa_rules() -> dict[str, tuple[int, str]]:
    return {k: (r.min_possible, r.label) for k, r in catalogue.pa_rules().items()}


def _population(name: str) -> str:
    return catalogue.populations()[name].definition


def _rate(num: float, den: float) -> float | None:
    return 100.0 * num / den if den else None


def summary(
    con: duckdb.DuckDBPyConnection,
    urn: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    population: str = "compulsory",
    pa_rule: str = "census",
    source: str = "auto",
) -> dict:
    """Headline measures. source 'auto' reads the marks, or DfE's pupil-level
    file where no marks are loaded for the scope (it has no dates to filter on)."""
    if source == "auto":
        source = "marks" if _has_marks(con, urn) or not _has_dfe(con, urn) else "dfe"
    year = None
    if source == "marks":
        year, date_from, date_to = one_academic_year(con, urn, date_from, date_to)
    params = {
        "urn": urn,
        "date_from": date_from,
        "date_to": date_to,
        "year_from": _ay(date_from) if date_from else None,
        "year_to": _ay(date_to) if date_to else None,
        "population": population,
        "min_pa_possible": _pa_rules()[pa_rule][0],
    }
    sql = (SQL_DIR / ("summary.sql" if source == "marks" else "summary_dfe.sql")).read_text()
    if source == "dfe":
        params = {k: params[k] for k in ("urn", "population", "min_pa_possible")}
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    row = dict(zip(names, cur.fetchall()[0]))
    possible = row["possible_sessions"]
    absent = row["authorised_sessions"] + row["unauthorised_sessions"]
    out = {
        "enrolments": row["enrolments"],
        "possible_sessions": possible,
        "present_sessions": row["present_sessions"],
        "aea_sessions": row["aea_sessions"],
        "authorised_sessions": row["authorised_sessions"],
        "unauthorised_sessions": row["unauthorised_sessions"],
        "late_before_close_sessions": row["late_before_close_sessions"],
        "late_after_close_sessions": row["late_after_close_sessions"],
        "source": SOURCES[source],
        "attendance_rate": _rate(row["present_sessions"] + row["aea_sessions"], possible),
        "overall_absence_rate": _rate(absent, possible),
        "authorised_absence_rate": _rate(row["authorised_sessions"], possible),
        "unauthorised_absence_rate": _rate(row["unauthorised_sessions"], possible),
        "persistent_absence_rate": _rate(row["pa_enrolments"], row["pa_denominator"]),
        "severe_absence_rate": _rate(row["sa_enrolments"], row["pa_denominator"]),
        "pa_enrolments": row["pa_enrolments"],
        "sa_enrolments": row["sa_enrolments"],
        "days_lost": absent / 2,
        "hours_lost": absent / 10 * config.SCHOOL_WEEK_HOURS,
        "urn": urn,
        "academic_year": format_year(year) if year is not None else None,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "period": _period_text(year, date_from, date_to, source),
        "population": _population(population),
        "pa_rule": _pa_rules()[pa_rule][1],
    }
    return out


class PeriodError(ValueError):
    """A period that is not within one academic year: its PA would pool enrolments across years."""


def one_academic_year(con, urn, date_from, date_to) -> tuple[int | None, dt.date | None, dt.date | None]:
    """The period as (academic year, first date, last date), always within one academic year.

    No dates: the latest academic year with marks (for the school, if one is given), to date.
    One date: the rest (or the start) of that date's academic year. Two dates in different
    academic years are refused: PA counts each enrolment once over its period, and DfE never
    pools years into one enrolment."""
    if date_from is None and date_to is None:
        last = con.execute(
            "select max(date) from marks where ($urn is null or urn = $urn)", {"urn": urn}
        ).fetchall()[0][0]
        if last is None:
            return None, None, None
        year = _ay(last)
        return year, dt.date(year, 9, 1), last
    year = _ay(date_from or date_to)
    if date_from and date_to and _ay(date_to) != year:
        raise PeriodError(
            f"{date_from} to {date_to} spans academic years {format_year(year)} and "
            f"{format_year(_ay(date_to))}: ask for one academic year at a time (DfE's measures "
            "are per enrolment per academic year)"
        )
    return year, date_from or dt.date(year, 9, 1), date_to or dt.date(year + 1, 8, 31)


def _period_text(year, date_from, date_to, source: str) -> str:
    if source == "dfe":
        return "year to date of the latest DfE pupil-level file for each school"
    if year is None:
        return "no marks loaded"
    return f"{format_year(year)}: {date_from:%d %b %Y} to {date_to:%d %b %Y}"


def _has_marks(con, urn) -> bool:
    return con.execute(
        "select count(*) > 0 from (select 1 from marks where ($urn is null or urn = $urn) limit 1)",
        {"urn": urn},
    ).fetchall()[0][0]


def _has_dfe(con, urn) -> bool:
    return con.execute(
        "select count(*) > 0 from (select 1 from dfe_pupil_totals "
        "where ($urn is null or urn = $urn) limit 1)",
        {"urn": urn},
    ).fetchall()[0][0]


def _ay(d: dt.date) -> int:
    return d.year if d.month >= 9 else d.year - 1
