"""Names and helpers for the Cohorts page: the characteristics a cohort can be drawn by, and
how suppressed figures read on screen."""

from __future__ import annotations

import pandas as pd

# The characteristics the cohort queries understand ($dimension), in the order offered.
DIMENSIONS = {
    "sen": "SEN provision (EHCP, SEN support, none)",
    "fsm": "Free school meals (FSM)",
    "pupil_premium": "Pupil premium",
    "eal": "English as an additional language (EAL)",
    "young_carer": "Young carers",
    "social_worker": "Has a social worker (CLA, CIN or CPP)",
    "cla": "Children looked after (CLA)",
    "cin": "Children in need (CIN)",
    "cpp": "Child protection plan (CPP)",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "ncyear": "National curriculum year",
    "phase": "Phase",
}
SHORT = {
    "sen": "SEN provision",
    "fsm": "FSM",
    "pupil_premium": "pupil premium",
    "eal": "EAL",
    "young_carer": "young carer",
    "social_worker": "social worker",
    "cla": "looked after",
    "cin": "child in need",
    "cpp": "child protection plan",
    "gender": "gender",
    "ethnicity": "ethnicity",
    "ncyear": "year group",
    "phase": "phase",
}
# Where DfE publishes the same cohort (school census absence bands, bench_cohort).
PUBLISHED = {"fsm", "sen", "gender", "ncyear"}

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
