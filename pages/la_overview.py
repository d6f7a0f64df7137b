"""LA overview: headline measures, weekly trend, reasons, and what to focus on."""

from __future__ import annotations

import streamlit as st

import queries
import ui
from data_pipeline.codes import REASON_LABELS
from queries import comparison
from ui import overview, sections
from ui.context import context, require_period

ctx = context()
st.title("LA overview")
require_period(ctx)

p = ctx.period
args = dict(year=p.academic_year, phase=ctx.phase, **p.params())
head = queries.run("la_headline_measures", ctx.scope, **args).set_index("period")
now, last = head.loc["selected"], head.loc["last year"]
if not now["enrolments"]:
    st.info(
        f"No pupils of compulsory school age have possible sessions in {p.label} for "
        f"{ctx.phase_label}. Choose another period or phase in the sidebar."
    )
    st.stop()
england = comparison.england(p, ctx.bench_phase)
last_label = p.ly_label

# ---------------------------------------------------------------- headline
overview.headline(ctx, now, last, england, last_label)

# ---------------------------------------------------------------- weekly trend
st.header("Week by week")
weekly = queries.run(
    "la_weekly_absence", ctx.scope, year=p.academic_year, phase=ctx.phase, bench_phase=ctx.bench_phase
)
england_weeks = weekly.loc[weekly["series"] == "England (published)", "week_start"]
sections.weekly_trend(
    weekly,
    {
        "This year": ui.format_year(p.academic_year),
        "Last year": ui.format_year(p.academic_year - 1),
        # the week named: DfE's weekly figure is one week, perhaps outside the period shaded
        "England (published)": (
            f"England, w/c {england_weeks.iloc[0]:%d %b %Y} (the one week DfE publishes in this data)"
            if len(england_weeks) == 1
            else "England (the weeks DfE publishes in this data)"
        ),
    },
    compare="Last year",
    file_stem="weekly_absence",
    key="weekly",
    synthetic=ctx.synthetic,
    note=f"{ctx.phase_label}, compulsory school age",
    empty="No weekly figures for this year and phase.",
    period=p,
)

# ---------------------------------------------------------------- reasons
st.header("Reasons for absence")
reasons = queries.run(
    "la_absence_reasons",
    ctx.scope,
    year=p.academic_year,
    phase=ctx.phase,
    bench_phase=ctx.bench_phase,
    with_england=england.available,
    **p.params(),
)
reasons = reasons[(reasons["sessions"] > 0) | reasons["england_rate"].notna()]
if reasons.empty:
    st.info("No absence was recorded in this period.")
else:
    top = reasons.iloc[0]
    sections.reason_bars(
        reasons,
        # England's reason rates are there only when England's figure covers the same weeks
        {"rate": p.label, "last_year_rate": last_label, "england_rate": england.title},
        f"**{REASON_LABELS.get(top['reason'], top['reason'])}** is the largest reason: "
        f"{ui.pct(top['rate'], 2)} of sessions, {top['share_of_absence']:.0f}% of all absence "
        f"({ui.number(top['days_lost'])} school days).",
        file_stem="absence_reasons",
        key="reasons",
        synthetic=ctx.synthetic,
        note=p.label,
    )

# ---------------------------------------------------------------- focus
overview.focus(ctx, args)
