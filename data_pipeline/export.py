"""The feed: the warehouse's aggregate figures as files other tools read (Power BI, DuckDB, Spark).

`python -m data_pipeline export --to DIR [--format parquet|csv] [--level la|school]` writes,
for each table below, DIR/<table>/academic_year=<year>/data.parquet (hive-style partitions: the
year is the folder, not a column inside the file), plus DIR/data_dictionary.csv (every column of every
table, its label, unit and definition, from the measure catalogue) and DIR/<level>_manifest.json
(when, from which warehouse, which rules, row counts). Never a pupil-level row: every table is
a sum over enrolments.

- `--level la`: la_year, la_term, la_week, la_cohort (the LA's own figures, unsuppressed, as
  the LA officers' pages show them).
- `--level school`: school_year, school_term, school_week, school_cohort, with small numbers
  suppressed as governors see them: the governors' rules (queries/suppression.py, the same
  threshold, `ATTENDANCE_SUPPRESSION_THRESHOLD`) applied to every school's rows, with
  secondary suppression across the schools of a year too (their rows add up to the LA's).

The figures are the dashboard's, computed by the same code: la_year by the `summary` command's
function, school_year by the Schools page's query (queries/schools_table.sql, year to date),
and the term, week and cohort tables over the same marts with the measure macros
(sql/export_*.sql). tests/test_pipeline_export.py checks them against `summary`, the schools
table, the governors' term summary and the School page's pupil groups.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import uuid
from pathlib import Path

import duckdb
import pandas as pd

import catalogue

from . import config, warehouse
from .codes import format_year
from .summary import summary

SQL_DIR = Path(__file__).parent / "sql"
LEVELS = ("la", "school")
FORMATS = ("parquet", "csv")
SUPPRESSED = "c"

# Columns that are not measures, for the data dictionary: (label, definition).
LOCATORS = {
    "academic_year": (
        "Academic year",
        "The academic year by its first calendar year (2025 = 2025/26, 1 September 2025 to 31 August 2026): "
        "the partition folder academic_year=2025/, which readers of hive partitions turn into this column.",
    ),
    "academic_year_label": ("Academic year", "The academic year as written, e.g. 2025/26."),
    "period_from": ("From", "The first date the figures cover."),
    "period_to": ("To", "The last date the figures cover (the latest mark loaded, within the year)."),
    "term": ("Term", "Autumn, Spring or Summer: a school week belongs to the term of its first school day."),
    "term_order": ("Term number", "1 Autumn, 2 Spring, 3 Summer (for sorting)."),
    "week_start": ("Week commencing", "The Monday of the school week."),
    "urn": ("URN", "The school's unique reference number (GIAS)."),
    "school_name": ("School", "The school's name (GIAS)."),
    "phase": ("Phase", "The school's phase of education (GIAS)."),
    "establishment_type": ("Type of school", "Type of establishment (GIAS)."),
    "ward_name": ("Ward", "The ward of the school's location (nearest LSOA 2021 centre in the LA)."),
    "dimension": ("Cohort dimension", "The kind of pupil group (catalogue/cohorts.toml id)."),
    "dimension_label": ("Cohort dimension", "The kind of pupil group, as the dashboard names it."),
    "dimension_order": ("Dimension order", "The order the dashboard lists dimensions in."),
    "group_key": ("Group key", "The group's value in the warehouse ('' when not recorded)."),
    "group_label": ("Pupil group", "The group, as the dashboard names it ('Not recorded' included)."),
    "group_rank": ("Group order", "The order the dashboard lists the groups of a dimension in."),
    "suppressed": (
        "Suppressed columns",
        "Parquet only: the columns of this row withheld for small numbers (comma separated); their "
        "values are empty. In CSV a withheld value is written 'c', as in DfE's statistics.",
    ),
}
# Counts and other figures that are not catalogue measures: (label, unit, definition).
FIGURES = {
    "enrolments": (
        "pupils",
        "Enrolments (school x pupil) of compulsory school age with possible sessions in the period: "
        "the denominator of PA and SA.",
    ),
    "roll": ("pupils", "Every enrolment (all ages) with possible sessions in the period."),
    "possible_sessions": ("sessions", "Possible sessions (half days) of those enrolments."),
    "present_sessions": ("sessions", "Sessions present (/, \\, L)."),
    "aea_sessions": ("sessions", "Sessions of approved educational activity (K, V, P, W, B; J before 2024)."),
    "attending_sessions": ("sessions", "Sessions present or at an approved educational activity."),
    "authorised_sessions": ("sessions", "Sessions of authorised absence."),
    "unauthorised_sessions": ("sessions", "Sessions of unauthorised absence (G, N, O, U)."),
    "late_before_close_sessions": ("sessions", "Sessions late before the register closed (L)."),
    "late_after_close_sessions": ("sessions", "Sessions late after the register closed (U)."),
    "pa_enrolments": (
        "pupils",
        "Enrolments in persistent absence (10% or more of possible sessions missed).",
    ),
    "sa_enrolments": ("pupils", "Enrolments in severe absence (50% or more of possible sessions missed)."),
    "hours_lost": (
        "hours",
        "Absence sessions / 10 x the expected school week in hours (ATTENDANCE_SCHOOL_WEEK_HOURS, default 32.5).",
    ),
    "overall_absence_change": (
        "percentage points",
        "Overall absence rate minus the rate over the same weeks of the year before.",
    ),
    "pa_rate_change": (
        "percentage points",
        "PA rate minus the PA rate over the same weeks of the year before.",
    ),
    "fsm_share": ("% of enrolments", "Enrolments eligible for free school meals, as a share of enrolments."),
    "sen_share": ("% of enrolments", "Enrolments with SEN support or an EHC plan, as a share of enrolments."),
}

# What each table is, for the dictionary and the manifest.
TABLES = {
    "la_year": "The LA's figures for each academic year, 1 September to the latest mark: the `summary` command's.",
    "la_term": "The LA's figures for each term (PA and SA over the term alone).",
    "la_week": "The LA's sessions and rates for each school week.",
    "la_cohort": "The LA's figures for each pupil group of each cohort dimension, whole academic year.",
    "school_year": "Each school's figures for each academic year to date: the Schools page's table.",
    "school_term": "Each school's figures for each term (the governors' term summary), small numbers suppressed.",
    "school_week": "Each school's sessions and rates for each school week (the School page's weekly chart).",
    "school_cohort": "Each school's pupil groups, whole academic year, small numbers suppressed.",
}

# Suppression below LA level, as the governors' pages apply it (ui.school.GOVERNOR_SUPPRESSION):
# pupil counts, the rates built on them, and the breakdowns whose cells add up to a total shown
# elsewhere (a school's groups add up to the school; schools add up to the LA).
_SESSION_RATES = (
    "attendance_rate",
    "overall_absence_rate",
    "authorised_absence_rate",
    "unauthorised_absence_rate",
)
_PUPIL_RATES = {
    "persistent_absence_rate": ("pa_enrolments", "enrolments"),
    "severe_absence_rate": ("sa_enrolments", "enrolments"),
    **{r: ("enrolments",) for r in (*_SESSION_RATES, "days_lost")},
}
SUPPRESSION = {
    "school_year": dict(
        count_cols=["roll", "enrolments", "pa_enrolments", "sa_enrolments"],
        rate_cols={
            **_PUPIL_RATES,
            "pa_rate_change": ("pa_enrolments", "enrolments"),
            "overall_absence_change": ("enrolments",),
            "fsm_share": ("enrolments",),
            "sen_share": ("enrolments",),
        },
        group_cols=[("academic_year",)],
    ),
    "school_term": dict(
        count_cols=["enrolments", "pa_enrolments", "sa_enrolments"],
        rate_cols=_PUPIL_RATES,
        group_cols=[("academic_year", "term")],
    ),
    # the governors' weekly chart: whole-school session rates, no pupil counts, nothing to suppress
    "school_week": None,
    "school_cohort": dict(
        count_cols=["enrolments", "pa_enrolments", "sa_enrolments"],
        rate_cols=_PUPIL_RATES,
        group_cols=[("academic_year", "urn", "dimension"), ("academic_year", "dimension", "group_key")],
    ),
}


class ExportError(RuntimeError):
    pass


def export(
    db_path: Path | str,
    to: Path | str,
    fmt: str = "parquet",
    level: str = "la",
    threshold: int | None = None,
) -> dict:
    """Write the feed for one level into `to`; returns the manifest. Each table's folder is
    replaced whole (written beside it first), so a reader never sees half an export."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if level not in LEVELS:
        raise ExportError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")
    db_path, to = Path(db_path), Path(to)
    if not db_path.exists():
        raise ExportError(f"no warehouse at {db_path}")
    threshold = config.SUPPRESSION_THRESHOLD if threshold is None else threshold
    con = warehouse.connect(db_path, read_only=True)
    try:
        tables = tables_for(con, level, threshold)
        meta = warehouse.get_meta(con)
    finally:
        con.close()
    to.mkdir(parents=True, exist_ok=True)
    stage = to / f".export-{uuid.uuid4().hex}"
    stage.mkdir()
    try:
        counts = {}
        for name, df in tables.items():
            counts[name] = _write_table(df, stage / name, fmt)
        for name in tables:
            _swap(stage / name, to / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    write_dictionary(to / "data_dictionary.csv")
    manifest = {
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
        "warehouse": str(db_path),
        "la_code": meta.get("la_code"),
        "la_name": meta.get("la_name"),
        "synthetic": meta.get("synthetic") == "true",
        "data_up_to": meta.get("data_up_to"),
        "level": level,
        "format": fmt,
        "population": catalogue.populations()["compulsory"].definition,
        "pa_rule": catalogue.pa_rules()["census"].label,
        "suppression": (
            f"counts from 1 to {threshold - 1} and the figures built on them withheld, as governors see them"
            if level == "school"
            else "none: the LA's own figures"
        ),
        "tables": {n: {"rows": counts[n], "description": TABLES[n]} for n in tables},
    }
    (to / f"{level}_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _sql(name: str) -> str:
    """An export query with its `-- @include file.sql` lines replaced by those files (sql/)."""
    return re.sub(
        r"^\s*-- @include (\S+)$",
        lambda m: (SQL_DIR / m.group(1)).read_text(),
        (SQL_DIR / name).read_text(),
        flags=re.M,
    )


def tables_for(con: duckdb.DuckDBPyConnection, level: str, threshold: int) -> dict[str, pd.DataFrame]:
    """The level's tables as frames (school level suppressed), before writing."""
    by_school = level == "school"
    out = {f"{level}_year": school_year(con) if by_school else la_year(con)}
    for part in ("term", "week", "cohort"):
        df = con.execute(_sql(f"export_{part}.sql"), {"by_school": by_school}).df()
        out[f"{level}_{part}"] = df if by_school else df.drop(columns=["urn"])
    if by_school:
        out = {name: suppress(name, df, threshold) for name, df in out.items()}
    return out


def academic_years(con) -> list[int]:
    return [r[0] for r in con.execute("select distinct academic_year from pupil_year order by 1").fetchall()]


def la_year(con) -> pd.DataFrame:
    """One row per academic year: the `summary` command's figures for the whole year (1
    September to 31 August, so the latest year runs to the latest mark), compulsory school
    age, census PA rule: the summary function itself, not a copy of it."""
    rows = []
    for year in academic_years(con):
        s = summary(con, date_from=dt.date(year, 9, 1), date_to=dt.date(year + 1, 8, 31))
        last = con.execute(
            "select max(date) from marks where date between ? and ?",
            [dt.date(year, 9, 1), dt.date(year + 1, 8, 31)],
        ).fetchall()[0][0]
        rows.append(
            {
                "academic_year": year,
                "academic_year_label": format_year(year),
                "period_from": dt.date(year, 9, 1),
                "period_to": last,
                **{k: v for k, v in s.items() if isinstance(v, (int, float)) and k != "urn"},
            }
        )
    return pd.DataFrame(rows)


def school_year(con) -> pd.DataFrame:
    """Each academic year's Schools page table (queries/schools_table.sql) for the year to
    date, every phase, type and ward: the page's own query and period."""
    import queries
    from access import WHOLE_LA

    calendar = queries.execute("school_calendar_parts", WHOLE_LA, con=con)
    frames = []
    for year in academic_years(con):
        period = queries.resolve_period(calendar, year, "Year to date")
        if period is None:
            continue
        df = queries.execute(
            "schools_table",
            WHOLE_LA,
            con=con,
            year=year,
            phase=None,
            school_type=None,
            ward=None,
            **period.params(),
        )
        df.insert(0, "academic_year", year)
        df.insert(1, "period_from", period.week_from)
        df.insert(2, "period_to", period.week_to + dt.timedelta(days=4))
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def suppress(name: str, df: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """A school-level table with the governors' suppression: withheld cells are 'c'."""
    from queries.suppression import suppress as _suppress

    spec = SUPPRESSION.get(name)
    if spec is None or df.empty:
        return df
    return _suppress(df, spec["count_cols"], spec["rate_cols"], threshold, spec["group_cols"])


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """For Parquet: withheld cells empty (the column keeps its type) and named in `suppressed`."""
    hidden = df.astype(object) == SUPPRESSED
    cols = [c for c in df.columns if hidden[c].any()]
    if not cols:
        return df.assign(suppressed="") if df.attrs.get("suppressed") else df
    out = df.copy()
    out["suppressed"] = hidden[cols].apply(lambda r: ",".join(c for c in cols if r[c]), axis=1)
    for c in cols:
        numbers = pd.to_numeric(out[c].where(~hidden[c]), errors="coerce")
        out[c] = numbers.astype("Int64") if c.endswith(("enrolments", "roll")) else numbers.astype(float)
    return out


def _write_table(df: pd.DataFrame, folder: Path, fmt: str) -> int:
    folder.mkdir(parents=True)
    if df.empty:
        return 0
    if fmt == "parquet":
        df = _typed(df)
    for year, part in df.groupby("academic_year", sort=True):
        d = folder / f"academic_year={int(year)}"
        d.mkdir()
        # hive style: the partition column is the folder, not a column of the file (Spark and
        # pyarrow refuse a column that is both)
        part = part.drop(columns=["academic_year"]).reset_index(drop=True)
        if fmt == "parquet":
            part.to_parquet(d / "data.parquet", index=False)
        else:
            part.to_csv(d / "data.csv", index=False, date_format="%Y-%m-%d")
    return len(df)


def _swap(new: Path, old: Path) -> None:
    trash = old.with_name(f".{old.name}.old-{uuid.uuid4().hex}")
    if old.exists():
        old.rename(trash)
    new.rename(old)
    shutil.rmtree(trash, ignore_errors=True)


def dictionary_rows() -> list[dict]:
    """Every column the feed's tables can hold, from the catalogue (measures' labels, units and
    definitions; the [columns] labels) and the descriptions above."""
    measures = catalogue.measures()
    labels = catalogue.column_labels()
    columns = {
        "la_year": [
            "academic_year",
            "academic_year_label",
            "period_from",
            "period_to",
            "enrolments",
            "possible_sessions",
            "present_sessions",
            "aea_sessions",
            "authorised_sessions",
            "unauthorised_sessions",
            "late_before_close_sessions",
            "late_after_close_sessions",
            "attendance_rate",
            "overall_absence_rate",
            "authorised_absence_rate",
            "unauthorised_absence_rate",
            "persistent_absence_rate",
            "severe_absence_rate",
            "pa_enrolments",
            "sa_enrolments",
            "days_lost",
            "hours_lost",
        ],
        "school_year": [
            "academic_year",
            "period_from",
            "period_to",
            "urn",
            "school_name",
            "phase",
            "establishment_type",
            "ward_name",
            "roll",
            "enrolments",
            "attendance_rate",
            "overall_absence_rate",
            "authorised_absence_rate",
            "unauthorised_absence_rate",
            "pa_enrolments",
            "persistent_absence_rate",
            "sa_enrolments",
            "severe_absence_rate",
            "overall_absence_change",
            "pa_rate_change",
            "fsm_share",
            "sen_share",
            "days_lost",
        ],
    }
    sessions = ["possible_sessions", "attending_sessions", "authorised_sessions", "unauthorised_sessions"]
    rates = [*_SESSION_RATES]
    pupils = ["pa_enrolments", "persistent_absence_rate", "sa_enrolments", "severe_absence_rate"]
    term = [
        "academic_year",
        "term",
        "term_order",
        "urn",
        "enrolments",
        *sessions,
        *rates,
        *pupils,
        "days_lost",
    ]
    week = ["academic_year", "week_start", "urn", *sessions, *rates, "days_lost"]
    cohort = [
        "academic_year",
        "urn",
        "dimension",
        "dimension_label",
        "group_key",
        "group_label",
        "group_rank",
        "dimension_order",
        "enrolments",
        *sessions,
        *rates,
        *pupils,
        "days_lost",
    ]
    for level in LEVELS:
        columns[f"{level}_term"] = term if level == "school" else [c for c in term if c != "urn"]
        columns[f"{level}_week"] = week if level == "school" else [c for c in week if c != "urn"]
        columns[f"{level}_cohort"] = cohort if level == "school" else [c for c in cohort if c != "urn"]
    for name in ("school_year", "school_term", "school_cohort"):
        columns[name].append("suppressed")
    rows = []
    for table in TABLES:
        for col in columns[table]:
            if col in measures:
                m = measures[col]
                label, unit, definition = m.label, m.unit, m.definition
            elif col in FIGURES:
                unit, definition = FIGURES[col]
                label = labels.get(col, col.replace("_", " ").capitalize())
            else:
                label, definition = LOCATORS[col]
                unit = ""
            rows.append(
                {
                    "table": table,
                    "column": col,
                    "label": label,
                    "unit": unit,
                    "definition": definition,
                    "table_description": TABLES[table],
                }
            )
    return rows


def write_dictionary(path: Path) -> None:
    rows = dictionary_rows()
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
