"""A pupil's page (school staff and LA officers only): attendance week by week, the codes
calendar, characteristics. Pseudonymous: the pupil is named by reference, never by name."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import queries
import ui
from data_pipeline import config
from ui import school as sui
from ui.context import context, require_period, require_school
from ui.meeting import show_evidence

ctx = context()
st.title("Pupil")
if not ctx.scope.pupil_rows_allowed:
    st.info(
        "A pupil's page is shown only to school staff and LA officers. Your role sees the school's "
        "figures on the School or Governors' pages."
    )
    st.stop()
urn, schools = require_school(ctx, "its pupils")
require_period(ctx)
p = ctx.period
refs = queries.run("pupil_refs", ctx.scope, urn=urn, year=p.academic_year)
labels = dict(zip(refs["pupil_ref"], refs["year_group"].fillna("year not known")))
ref = sui.url_choice(
    "Pupil (pseudonymous reference)",
    list(labels),
    "pupil",
    lambda r: f"{r} ({labels.get(r, '')})",
    "Choose a pupil, or open one from a list on the School page",
)
if ref is None:
    st.info(
        "Choose a pupil above, or open one from the lists of pupils who may need support on the School page."
    )
    st.stop()

params = dict(urn=urn, year=p.academic_year, pupil_ref=ref, week_to=p.week_to)
prof = queries.run("pupil_profile", ctx.scope, week_hours=config.SCHOOL_WEEK_HOURS, **params)
if prof.empty:
    st.info(f"No pupil {ref} at this school in {ui.format_year(p.academic_year)}.")
    st.stop()
if len(prof) > 1:
    st.warning("This reference matches more than one pupil at the school; contact the data team.")
pr = prof.iloc[0]

st.header(f"{ref}, {pr['year_group'] or 'year not known'}, {pr['school_name']}")
st.caption(
    f"{ui.format_year(p.academic_year)} up to the week of {p.week_to:%d %B %Y}. Days missed = absence "
    f"sessions ÷ 2; hours = sessions ÷ 10 × {config.SCHOOL_WEEK_HOURS:g}."
)
if ui._nan(pr["possible_sessions"]) or not pr["possible_sessions"]:
    st.info(f"No possible sessions recorded for this pupil up to the week of {p.week_to:%d %B %Y}.")
    # the support recorded for them still matters (a pupil who joined later, or left)
    st.header("Support recorded")
    show_evidence(ctx.scope, urn, ref, ctx.synthetic, key="pupil_evidence")
    st.stop()
c = st.columns(4)
c[0].metric("Attendance", ui.pct(pr["attendance_rate"]), border=True)
c[1].metric("Days missed", f"{pr['days_lost']:.1f}", border=True)
c[1].caption(f"about {sui.hours(pr['hours_lost'])} of learning")
c[2].metric("Unauthorised absence", ui.pct(pr["unauthorised_absence_rate"]), border=True)
c[3].metric("Illness", f"{pr['illness_sessions'] / 2:.1f} days", border=True)
status = (
    "severely absent (half of sessions or more missed)"
    if pr["severe_absentee"]
    else "persistently absent (10% or more missed)"
    if pr["persistent_absentee"]
    else "not persistently absent"
)
st.markdown(
    f"Over the year so far this pupil is **{status}**: {pr['days_lost']:.1f} days missed out of "
    f"the {pr['possible_sessions'] / 2:.0f} school days they were on roll. Lateness: {int(pr['late_before_close_sessions'])} "
    f"times before the register closed, {int(pr['late_after_close_sessions'])} after."
    + (f" Part-time timetable (C2): {int(pr['c2_sessions'])} sessions." if pr["c2_sessions"] else "")
)

# ---------------------------------------------------------------- weekly
st.header("Week by week")
wk = queries.run("pupil_weekly", ctx.scope, **params)
fig = go.Figure()
fig.add_bar(
    x=wk["week_start"],
    y=wk["attendance_rate"],
    name="Attendance that week",
    marker_color=ui.SERIES[0],
    customdata=wk[["attending", "possible"]].values,
    hovertemplate="w/c %{x|%d %b %Y}: %{y:.0f}% (%{customdata[0]} of %{customdata[1]} sessions)"
    "<extra></extra>",
)
fig.add_scatter(
    x=wk["week_start"],
    y=[90] * len(wk),
    mode="lines",
    name="90% (the PA line)",
    line=dict(color=ui.SERIES[1], dash="dash", width=2),
    hoverinfo="skip",
)
ui.style_figure(fig, y_title="attendance, % of sessions")
fig.update_yaxes(range=[0, 105])
low = wk[wk["attendance_rate"] < 90]
last4 = wk.tail(4)
reading = (
    f"{len(low)} of {len(wk)} school weeks were below 90% attendance; over the last "
    f"{len(last4)} weeks attendance was {ui.pct(100 * last4['attending'].sum() / last4['possible'].sum())}."
)
ui.chart_block(
    fig,
    reading,
    wk,
    f"pupil_{ref}_weekly",
    ctx.synthetic,
    note="Pupil-level: personal data",
    key="pupil_weekly",
)

# ---------------------------------------------------------------- calendar
st.header("Codes calendar")
ss = queries.run("pupil_sessions", ctx.scope, **params)
if ss.empty:
    st.info("No register marks for this pupil this year.")
else:
    fig = sui.codes_calendar(ss)
    counts = ss["category"].value_counts()
    worst_day = (
        ss[ss["category"].isin(["authorised", "unauthorised", "late (after close)"])]["date"]
        .dt.day_name()
        .value_counts()
    )
    reading = (
        f"{len(ss)} sessions marked: {int(counts.get('present', 0) + counts.get('late (before close)', 0))} "
        f"present, {int(counts.get('authorised', 0))} authorised and "
        f"{int(counts.get('unauthorised', 0) + counts.get('late (after close)', 0))} unauthorised absences"
        + (
            f"; absence falls most often on a **{worst_day.index[0]}** ({int(worst_day.iloc[0])} sessions)."
            if not worst_day.empty
            else "."
        )
    )
    ui.chart_block(
        fig,
        reading,
        ss,
        f"pupil_{ref}_sessions",
        ctx.synthetic,
        note="Pupil-level: personal data",
        key="pupil_calendar",
    )

# ---------------------------------------------------------------- characteristics
st.header("Characteristics")
yes = lambda v: "not recorded" if ui.pd.isna(v) else "yes" if v else "no"  # noqa: E731
st.dataframe(
    ui.pd.DataFrame(
        [
            ("Year group", pr["year_group"] or "not recorded"),
            ("Gender", pr["gender"] or "not recorded"),
            ("Ethnicity", pr["ethnicity"] or "not recorded"),
            ("Special educational needs", pr["sen"]),
            ("Free school meals", yes(pr["fsm"])),
            ("Pupil premium", yes(pr["pupil_premium"])),
            ("English as an additional language", yes(pr["eal"])),
            ("Young carer", yes(pr["young_carer"])),
            ("Looked after (CLA)", yes(pr["cla"])),
            ("Child in need (CIN)", yes(pr["cin"])),
            ("Child protection plan (CPP)", yes(pr["cpp"])),
            ("Compulsory school age", yes(pr["compulsory_age"])),
            ("Home ward", pr["home_ward"] or "not known"),
            (
                "Home area deprivation (IMD decile, 1 = most deprived)",
                "not known" if ui._nan(pr["home_imd_decile"]) else str(int(pr["home_imd_decile"])),
            ),
        ],
        columns=["characteristic", "value"],
    ),
    hide_index=True,
)

st.header("Support recorded")
show_evidence(ctx.scope, urn, ref, ctx.synthetic, key="pupil_evidence")
