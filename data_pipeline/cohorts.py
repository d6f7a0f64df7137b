"""The cohort groups, built from the catalogue's cohort dimensions (catalogue/cohorts.toml).

Each pupil_year row carries a cohort key: a hash of its characteristics, one column per
dimension (`key_sql`). `cohort_group` holds, for every key in pupil_year, its group in each
dimension, that group's label and its place in the order shown. A cohort query counts its
enrolments by key first (a few hundred to a few thousand keys, against hundreds of thousands of
enrolments), then joins those counts to their groups: one definition of the groups, read by
every query, without joining each enrolment to a row per dimension. The build's checks fail if
two sets of characteristics ever share a key."""

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
    build_groups(con)


def build_groups(con: duckdb.DuckDBPyConnection) -> None:
    """cohort_group from the keys pupil_year holds now (each build, full or incremental:
    a few thousand rows at most, so it is rebuilt rather than patched)."""
    con.execute(f"create or replace table cohort_group as {_cohort_group_query()}")


def dimension_columns() -> list[tuple[str, str]]:
    """(dimension, pupil_year column) of each catalogue dimension."""
    return [(d.id, d.column) for d in catalogue.dimensions().values()]


def key_sql() -> str:
    """SQL of an enrolment's cohort key, over pupil_year's columns: a hash of the
    characteristic of each catalogue dimension (pupil_year's `{cohort_key}`)."""
    return "hash(" + ", ".join(column for _, column in dimension_columns()) + ")"


def _cohort_group_query() -> str:
    # column names come from the catalogue (this repository's file), never from a request
    columns = ", ".join(column for _, column in dimension_columns())
    keyed = " union all ".join(
        f"select cohort_key, '{dim}' as dimension, {column}::varchar as group_key from keys"
        for dim, column in dimension_columns()
    )
    return f"""
        with keys as (select distinct cohort_key, {columns} from pupil_year)
        select k.cohort_key, k.dimension, k.group_key,
            coalesce(g.group_label, k.group_key, '{NOT_RECORDED}') as group_label,
            coalesce(g.group_rank, case when k.group_key is null then {RANK_NOT_RECORDED} else 0 end)
                as group_rank
        from ({keyed}) k
        left join ref_cohort_groups g using (dimension, group_key)
        order by k.dimension, k.cohort_key
        """
