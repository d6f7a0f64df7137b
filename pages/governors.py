"""Governors' view: one school's trends, year groups and pupil groups with small numbers
suppressed, a plain-English summary of what changed since last term, and a one-page report
to print. No pupil-level data is queried on this page."""

from __future__ import annotations

import streamlit as st

import queries
import ui
from actions import exports
from ui import governors as gov
from ui import school as sui
from ui import sections
from ui.context import context, require_period

ctx = context()
st.markdown(sui.PRINT_CSS, unsafe_allow_html=True)
st.title("Governors' view")
schools = queries.run("schools_list", ctx.scope)
urn = sui.school_selector(schools)
if urn is None:
    sui.no_school_message("the governors' summary")
    st.stop()
require_period(ctx)

p = ctx.period
t = ctx.scope.suppression_threshold
name = schools.set_index("urn").loc[urn, "school_name"]
phase = str(schools.set_index("urn").loc[urn, "phase"])
args = dict(urn=urn, year=p.academic_year, **p.params())


def suppressed(query, **params):
    """Aggregates with counts under the threshold (and rates built on them) withheld for
    governors (queries.run_suppressed; queries/suppression.py; specs in ui.school): null in
    numeric columns, shown as 'c' (ui.table_view), 'c' in downloads."""
    return queries.run_suppressed(query, ctx.scope, **sui.GOVERNOR_SUPPRESSION[query], numeric=True, **params)


st.caption(
    f"{name}, {p.label}. Figures are for groups of pupils only; numbers under {t} (and rates built "
    f"on them) are shown as 'c' so that no pupil can be identified. To print, use your browser's "
    "Print (Ctrl+P / ⌘P): the page prints on A4 without the menus, or download the one-page report."
)

gov.headline(ctx.scope, urn, phase, p)

# ---------------------------------------------------------------- summary
st.header("What changed since last term")
terms = suppressed("governor_term_summary", urn=urn, year=p.academic_year, week_to=p.week_to)
summary = sui.term_summary(terms)
st.markdown("\n".join(f"- {s}" for s in summary))
term_table = sui.governor_table("governor_term_summary", terms)
with st.expander("Term by term"):
    st.dataframe(ui.table_view(sui.plain(term_table)), hide_index=True)

# ---------------------------------------------------------------- trend
st.header("Week by week")
weekly = suppressed("school_weekly", urn=urn, year=p.academic_year)
sections.weekly_trend(
    weekly[weekly["series"] != "LA, same phase"] if not weekly.empty else weekly,
    {"This year": ui.format_year(p.academic_year), "Last year": ui.format_year(p.academic_year - 1)},
    compare="Last year",
    file_stem=f"governors_{urn}_weekly",
    key="gov_weekly",
    synthetic=ctx.synthetic,
    note="compulsory school age",
    empty="No weekly figures for this school this year.",
    period=p,
)

# ---------------------------------------------------------------- year groups
st.header("Year groups")
yg = suppressed("school_year_groups", **args)
yg_table = sui.governor_table("school_year_groups", yg)
if yg.empty:
    st.info("No year groups with possible sessions in this period.")
else:
    spec = gov.pa_bars(
        yg,
        "year_group",
        {p.label: "persistent_absence_rate", ui.capitalised(p.ly_label): "last_year_pa_rate"},
        [ui.SERIES[0], ui.SERIES[1]],
    )
    rates = yg["persistent_absence_rate"]
    hidden = int(rates.isna().sum())
    reading = (
        ""
        if rates.dropna().empty
        else f"**{yg.loc[rates.idxmax(), 'year_group']}** has the highest persistent absence "
        f"({ui.pct(rates.max())}). "
    )
    reading += (
        f"{hidden} year group{'s are' if hidden != 1 else ' is'} not shown (marked 'c') because the "
        "numbers are too small."
        if hidden
        else "No figure needed suppressing."
    )
    ui.chart_block(
        spec,
        reading,
        sui.plain(yg_table),
        f"governors_{urn}_year_groups",
        ctx.synthetic,
        key="gov_years",
        kind="vega",
    )

# ---------------------------------------------------------------- cohorts
st.header("Pupil groups")
co = suppressed("school_cohorts", **args)
co_table = sui.governor_table("school_cohorts", co)
if co.empty:
    st.info("No pupils in this period.")
else:
    spec = gov.pa_bars(
        co,
        "cohort",
        {name: "persistent_absence_rate", "LA schools of the same phase": "la_pa_rate"},
        [ui.SERIES[0], ui.SERIES[2]],
    )
    gaps = co["gap_to_rest_of_school"]
    reading = (
        ""
        if gaps.dropna().empty
        else f"The widest gap is for **{co.loc[gaps.idxmax(), 'cohort']}** pupils: "
        f"{gaps.max():.1f} points more persistent absence than other pupils in the school. "
    )
    reading += "Groups marked 'c' are too small to show."
    ui.chart_block(
        spec,
        reading,
        sui.plain(co_table),
        f"governors_{urn}_cohorts",
        ctx.synthetic,
        key="gov_cohorts",
        kind="vega",
    )

statement = gov.strategy(ctx, urn)

# ---------------------------------------------------------------- printable report
st.header("One-page report")
st.markdown("An A4 page with the summary and the three tables; open it and print it from the browser.")
ui.download(
    "Download the termly report (PDF)",
    lambda: exports.governors_report_pdf(ctx.scope, urn, p, ctx.meta),
    file_name=f"governors_report_{urn}.pdf",
    mime="application/pdf",
    key="gov_report_pdf",
    icon=":material/picture_as_pdf:",
)
ui.download(
    "Download the one-page report (HTML)",
    lambda: sui.a4_report(
        f"{name}: attendance report for governors",
        f"{p.label} · pupils of compulsory school age · {ctx.la_name}"
        + (" · SYNTHETIC DEMO DATA" if ctx.synthetic else ""),
        summary,
        [
            ("Against the LA and England", gov.plain(gov.headline_table(ctx.scope, urn, phase, p))),
            *(
                [("The school's attendance strategy", ui.pd.DataFrame({"": [statement]}))]
                if statement
                else []
            ),
            ("Term by term", sui.plain(term_table)),
            ("Year groups", sui.plain(yg_table)),
            ("Pupil groups", sui.plain(co_table)),
        ],
        f"Rates are % of possible sessions (persistent absence: % of pupils missing 10% or more; severe: 50% "
        f"or more). 'c': fewer than {t} pupils, not shown so that no pupil can be identified.",
    ),
    file_name=f"governors_report_{urn}.html",
    mime="text/html",
    key="gov_report",
    icon=":material/print:",
)
