"""The enrolment-cohort mart, built from the catalogue's cohort dimensions (catalogue/cohorts.toml):
one row per enrolment (academic year, school, pupil) and dimension, with the enrolment's group in
it, that group's label and its place in the order shown. Cohort queries join this table instead
of each writing out the characteristics and their labels."""

from __future__ import annotations

import duckdb

import catalogue

NOT_RECORDED = "Not recorded"
# Yes before no; groups listed in the catalogue in its order; the rest by name; unrecorded last.
RANK_YES, RANK_NO, RANK_NOT_RECORDED = -2, -1, 1000


def group_rows() -> list[tuple[str, str, str, int]]:
    """(dimension, group key, label, rank) for every group the catalogue names, and the year
    groups (Nursery, Reception, Year 1 to Year 14)."""
    rows = []
    for d in catalogue.dimensions().values():
        for i, (key, label) in enumerate(d.groups):
            rank = RANK_YES if key == "true" else RANK_NO if key == "false" else i
            rows.append((d.id, key, label, rank))
        if d.id == "ncyear":
            for year in range(-2, 15):
                label = "Nursery" if year < 0 else "Reception" if year == 0 else f"Year {year}"
                rows.append((d.id, str(year), label, year))
    return rows


def build(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "create or replace table ref_cohort_groups "
        "(dimension varchar, group_key varchar, group_label varchar, group_rank integer)"
    )
    con.executemany("insert into ref_cohort_groups values (?, ?, ?, ?)", group_rows())
    con.execute(
        "create or replace table ref_cohort_dimensions "
        "(dimension varchar, label varchar, short varchar, dimension_order integer)"
    )
    con.executemany(
        "insert into ref_cohort_dimensions values (?, ?, ?, ?)",
        [(d.id, d.label, d.short, i) for i, d in enumerate(catalogue.dimensions().values())],
    )
    con.execute(f"create or replace table enrolment_cohort as {_enrolment_cohort_query('pupil_year')}")


def dimension_columns() -> list[tuple[str, str]]:
    """(dimension, pupil_year column) of each catalogue dimension."""
    return [(d.id, d.column) for d in catalogue.dimensions().values()]


def insert_enrolment_cohort(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Add the enrolment_cohort rows of `source` (pupil_year, or a subquery of some of its rows)."""
    con.execute(f"insert into enrolment_cohort {_enrolment_cohort_query(source)}")


def _enrolment_cohort_query(source: str) -> str:
    # column names come from the catalogue (this repository's file), never from a request
    keyed = " union all ".join(
        f"select academic_year, urn, pupil_id, ekey, '{dim}' as dimension, "
        f"{column}::varchar as group_key from {source}"
        for dim, column in dimension_columns()
    )
    return f"""
        select k.academic_year, k.urn, k.pupil_id, k.ekey, k.dimension, k.group_key,
            coalesce(g.group_label, k.group_key, '{NOT_RECORDED}') as group_label,
            coalesce(g.group_rank, case when k.group_key is null then {RANK_NOT_RECORDED} else 0 end)
                as group_rank
        from ({keyed}) k
        left join ref_cohort_groups g using (dimension, group_key)
        order by k.academic_year, k.dimension, k.urn
        """
