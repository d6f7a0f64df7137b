"""Names and helpers for the Cohorts page: the characteristics a cohort can be drawn by, and
how suppressed figures read on screen."""

from __future__ import annotations

import pandas as pd

import catalogue

# The characteristics the cohort queries understand ($dimension), in the order offered.
DIMENSIONS = {d.id: d.label for d in catalogue.dimensions().values()}
SHORT = {d.id: d.short for d in catalogue.dimensions().values()}
# Where DfE publishes the same cohort (school census absence bands, bench_cohort).
PUBLISHED = {d.id for d in catalogue.dimensions().values() if d.national}

MEASURES = {
    "persistent_absence_rate": (
        "Persistent absence (10%+)",
        "% of pupils",
        "other_persistent_absence_rate",
        "gap_persistent_absence",
    ),
    "severe_absence_rate": (
        "Severe absence (50%+)",
        "% of pupils",
        "other_severe_absence_rate",
        "gap_severe_absence",
    ),
    "overall_absence_rate": (
        "Overall absence",
        "% of sessions",
        "other_overall_absence_rate",
        "gap_overall_absence",
    ),
    "authorised_absence_rate": ("Authorised absence", "% of sessions", None, None),
    "unauthorised_absence_rate": ("Unauthorised absence", "% of sessions", None, None),
    "attendance_rate": ("Attendance", "% of sessions", None, None),
}

TABLE_COLUMNS = {
    "group_label": "group",
    "size_note": "pupils (enrolments)",
    "attendance_rate": "attendance %",
    "overall_absence_rate": "overall absence %",
    "authorised_absence_rate": "authorised absence %",
    "unauthorised_absence_rate": "unauthorised absence %",
    "pa_enrolments": "PA pupils",
    "persistent_absence_rate": "PA %",
    "sa_enrolments": "SA pupils",
    "severe_absence_rate": "SA %",
    "days_lost_per_enrolment": "days lost per pupil",
    "other_persistent_absence_rate": "PA % of all other pupils",
    "gap_persistent_absence": "PA gap to other pupils (points)",
    "other_overall_absence_rate": "overall absence % of all other pupils",
    "gap_overall_absence": "overall absence gap (points)",
    "gap_severe_absence": "SA gap to other pupils (points)",
}


def readable(df: pd.DataFrame, columns: dict[str, str], dp: int = 1) -> pd.DataFrame:
    """The chosen columns, renamed, rates rounded; suppressed cells stay empty (never 0)."""
    out = df[[c for c in columns if c in df.columns]].rename(columns=columns)
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(dp)
    return out


def gap_words(gap, what: str = "points") -> str:
    """+3.2 -> '3.2 points above', -1.0 -> '1.0 points below'."""
    if gap is None or pd.isna(gap):
        return "no comparison (too few pupils)"
    if abs(gap) < 0.05:
        return "level with"
    return f"{abs(gap):.1f} {what} {'above' if gap > 0 else 'below'}"
