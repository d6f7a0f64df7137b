"""Cohorts: who is missing school. Each characteristic's groups with their attendance, absence,
PA and SA, the gap to all other pupils and to the same cohort nationally; a cohort's trend,
reasons and schools; intersections of two characteristics."""

from __future__ import annotations

import streamlit as st

import catalogue
import queries
import ui
from ui import cohorts
from ui.cohorts import DIMENSIONS, MEASURES, SHORT, gap_words
from ui.context import context, require_period

ctx = context()
st.title("Cohorts")
require_period(ctx)

p = ctx.period
n_min = ctx.scope.suppression_threshold
args = dict(year=p.academic_year, phase=ctx.phase, week_from=p.week_from, week_to=p.week_to)
st.caption(
    f"{p.label}, {ctx.phase_label}; pupils of compulsory school age (5 to 15), per enrolment. "
    "PA: 10% or more of possible sessions missed over the period; SA: 50% or more. "
    f'Groups of fewer than {n_min} pupils are shown as "fewer than {n_min}", with no rates.'
)

c1, c2 = st.columns([2, 1])
dim = c1.selectbox(
    "Characteristic",
    list(DIMENSIONS),
    format_func=DIMENSIONS.get,
    key="cohort_dim",
    bind="query-params",
    persist_state="session",
)
measure = c2.selectbox(
    "Measure",
    list(MEASURES),
    format_func=lambda m: catalogue.measure(m).label,
    key="cohort_measure",
    bind="query-params",
    persist_state="session",
)
m_label, m_unit = catalogue.measure(measure).label, catalogue.measure(measure).unit
m_other, m_gap = MEASURES[measure]

groups = queries.run("cohort_measures", ctx.scope, dimension=dim, **args)
shown = groups[~groups["suppressed"]]
if groups.empty:
    st.info(
        f"No pupils of compulsory school age have possible sessions in {p.label} for "
        f"{ctx.phase_label}. Choose another period or phase in the sidebar."
    )
    st.stop()

# ---------------------------------------------------------------- groups
cohorts.group_bars(dim, m_label, shown, measure, m_other, m_unit, n_min, m_gap, groups, ctx, p)

# ---------------------------------------------------------------- one cohort
st.header("One cohort in detail")
if shown.empty:
    st.info(
        f"Every {SHORT[dim]} group has fewer than {n_min} pupils in this selection. "
        "Choose a longer period, all phases or another characteristic."
    )
    st.stop()
labels = dict(zip(shown["group_label"], shown["group_key"]))
default = 0
group_label = st.selectbox("Cohort", list(labels), index=default, key=f"cohort_group_{dim}")
group_key = labels[group_label]
g = shown[shown["group_label"] == group_label].iloc[0]

cols = st.columns(4)
cols[0].metric("Pupils (enrolments)", ui.number(g["enrolments"]), border=True)
cols[1].metric("Attendance", ui.pct(g["attendance_rate"]), border=True)
cols[2].metric(
    "Overall absence",
    ui.pct(g["overall_absence_rate"]),
    border=True,
    **ui.change(g["gap_overall_absence"], True, words=("higher", "lower")),
    delta_description="than other pupils",
)
cols[3].metric(
    "Persistent absence (PA)",
    ui.pct(g["persistent_absence_rate"]),
    border=True,
    **ui.change(g["gap_persistent_absence"], True, words=("higher", "lower")),
    delta_description="than other pupils",
)
cols = st.columns(4)
cols[0].metric("Authorised absence", ui.pct(g["authorised_absence_rate"]), border=True)
cols[1].metric("Unauthorised absence", ui.pct(g["unauthorised_absence_rate"]), border=True)
cols[2].metric(
    "Severe absence (SA)",
    ui.pct(g["severe_absence_rate"]),
    border=True,
    **ui.change(g["gap_severe_absence"], True, words=("higher", "lower")),
    delta_description="than other pupils",
)
cols[3].metric("School days lost per pupil", f"{g['days_lost_per_enrolment']:.1f}", border=True)
st.markdown(
    f"**{group_label}**: {ui.number(g['enrolments'])} pupils; PA {ui.pct(g['persistent_absence_rate'])}, "
    f"{ui.one_in(g['persistent_absence_rate'])}, {gap_words(g['gap_persistent_absence'])} "
    f"all other pupils ({ui.pct(g['other_persistent_absence_rate'])})."
)

# ---- the same cohort as DfE publishes it (census): context, not a gap
cohorts.published_cohort(dim, ctx, p)

# ---- trend
cohorts.cohort_weekly(ctx, dim, group_key, args, group_label, p)

# ---- reasons
cohorts.cohort_reasons(ctx, dim, group_key, args, group_label, p)

# ---- schools
cohorts.cohort_schools(ctx, dim, group_key, args, n_min, group_label, p)

# ---------------------------------------------------------------- intersections
cohorts.intersections(dim, ctx, args, n_min, p)
