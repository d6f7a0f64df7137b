"""Sections of the Pupils to watch page: the vulnerable cohorts across the LA's schools and the
early-warning list (queries/la_vulnerable_pupils.sql, la_early_warning.sql)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ui

CIRCUMSTANCES = ["Looked after", "Child protection plan", "Child in need", "EHCP", "Young carer"]
COLUMNS = {
    "pupil_ref": st.column_config.TextColumn("Pupil (pseudonym)", pinned=True),
    "pupil_page": st.column_config.LinkColumn("Pupil page", display_text="open"),
    "school_name": "School",
    "year_group": "Year group",
    "circumstances": "Circumstances",
    "attendance_rate": st.column_config.NumberColumn("Attendance %", format="%.1f"),
    "overall_absence_rate": st.column_config.NumberColumn("Absence %", format="%.1f"),
    "days_lost": st.column_config.NumberColumn("Days missed", format="%.1f"),
    "persistently_absent": st.column_config.CheckboxColumn("PA"),
    "severely_absent": st.column_config.CheckboxColumn("SA"),
    "unauthorised_latest_10_school_weeks": st.column_config.NumberColumn(
        "Unauthorised, latest 10 school weeks"
    ),
    "at_threshold": st.column_config.CheckboxColumn("At the threshold"),
    "recent_change": st.column_config.NumberColumn("Recent change (points)", format="%+.1f"),
}


def _pupils(df: pd.DataFrame, ctx, p, key: str) -> None:
    table = df.copy()
    table.insert(1, "pupil_page", "/pupil?urn=" + table["urn"].astype(str) + "&pupil=" + table["pupil_ref"])
    st.dataframe(table.drop(columns=["urn"]), hide_index=True, column_config=COLUMNS, key=f"{key}_table")
    ui.csv_download(
        df,
        ctx.synthetic,
        "Pupil-level: handle as personal data",
        key,
        f"{key}_csv",
        label="Download this list as CSV",
        audited=dict(scope=ctx.scope, what=key, params={"period": p.label}, rows=len(df)),
        pupil_rows=True,
    )


def summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per circumstance: pupils (enrolments), PA, SA and at the threshold, counts and % of pupils."""
    rows = []
    for c in CIRCUMSTANCES:
        g = df[df["circumstances"].str.contains(c, regex=False)]
        n = len(g)
        rows.append(
            {
                "circumstance": c,
                "pupils": n,
                "pa_pupils": int(g["persistently_absent"].sum()),
                "pa_rate": 100 * g["persistently_absent"].mean() if n else None,
                "sa_pupils": int(g["severely_absent"].sum()),
                "sa_rate": 100 * g["severely_absent"].mean() if n else None,
                "at_threshold": int(g["at_threshold"].sum()),
            }
        )
    return pd.DataFrame(rows)


def vulnerable(df: pd.DataFrame, ctx, p) -> None:
    st.header("Vulnerable cohorts")
    if df.empty:
        st.info(
            f"No pupil looked after, on a plan, in need, with an EHCP or a young carer had sessions in {p.label}."
        )
        return
    s = summary(df)
    worst = s.dropna(subset=["pa_rate"]).sort_values("pa_rate", ascending=False).iloc[0]
    fig = go.Figure()
    for col, name, colour, pattern in (
        ("pa_rate", "Persistently absent (10%+ missed)", ui.SERIES[0], ""),
        ("sa_rate", "Severely absent (50%+ missed)", ui.SERIES[1], "/"),
    ):
        fig.add_bar(
            name=name,
            y=s["circumstance"],
            x=s[col],
            orientation="h",
            marker=dict(color=colour, pattern_shape=pattern, line=dict(color="#0b0c0c", width=1)),
            text=[ui.pct(v) for v in s[col]],
            textposition="outside",
        )
    ui.style_figure(fig, height=360)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=f"% of the group's pupils, {p.label}")
    ui.chart_block(
        fig,
        f"{len(df):,} enrolments of pupils in the vulnerable cohorts had sessions in {p.label}; "
        f"{int(df['persistently_absent'].sum()):,} were persistently absent, {int(df['severely_absent'].sum()):,} "
        f"severely absent and {int(df['at_threshold'].sum()):,} at the national framework's threshold (10 or "
        f"more unauthorised sessions in their latest 10 school weeks to {p.week_to + dt.timedelta(days=4):%d %b %Y}). "
        "The highest PA is among "
        f"pupils who are **{worst['circumstance'].lower()}**: {ui.pct(worst['pa_rate'])} of {int(worst['pupils'])}.",
        s,
        "vulnerable_cohorts_summary",
        ctx.synthetic,
        note=p.label,
        key="watch_summary",
    )
    st.subheader("The pupils, most days missed first")
    _pupils(df, ctx, p, "vulnerable_cohort_pupils")


def early_warning(df: pd.DataFrame, ctx, p) -> None:
    st.header("Early warning: close to the persistent absence line and getting worse")
    st.markdown(
        f"Pupils who missed **at least 7.5% but under 10%** of their sessions in {p.label} (not yet persistently "
        "absent) and whose attendance in their **last 4 school weeks** was lower than over the whole period, with "
        "at least 6 school weeks in it. Support now, before the 10% line."
    )
    if df.empty:
        st.success("No pupil meets this rule in the period.")
        return
    st.markdown(
        f"{len(df):,} pupils at {df['urn'].nunique()} schools; "
        f"{int((df['circumstances'] != '').sum())} of them are in a vulnerable cohort."
    )
    _pupils(df, ctx, p, "early_warning_pupils")
