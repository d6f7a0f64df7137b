"""A school's page (headteacher, attendance lead, LA officer): headline figures in days and
hours against the LA, similar schools and England; trends; year groups; cohorts; days and
sessions; reasons; punctuality; part-time timetables; and the pupils who need support."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import catalogue
import queries
import ui
from data_pipeline import config
from queries import comparison
from ui import school as sui
from ui import sections
from ui.context import context

ctx = context()
st.title("School")
schools = queries.run("schools_list", ctx.scope)
urn = sui.school_selector(schools)
if urn is None:
    sui.no_school_message("its attendance")
    st.stop()
if ctx.period is None:
    st.info(
        "There is no attendance data for this selection. Choose another academic year or period "
        "in the sidebar."
    )
    st.stop()

p = ctx.period
name = schools.set_index("urn").loc[urn, "school_name"]
args = dict(urn=urn, year=p.academic_year, **p.params())
head = queries.run("school_headline", ctx.scope, week_hours=config.SCHOOL_WEEK_HOURS, **args)
phase = schools.set_index("urn").loc[urn, "phase"]
bench_phase = phase if phase in ("Primary", "Secondary", "Special") else "Total"
head = comparison.with_england(head, p, bench_phase)
rows = head.set_index("comparison")
if "This school" not in rows.index or not rows.loc["This school", "enrolments"]:
    st.info(
        f"{name} has no pupils of compulsory school age with possible sessions in {p.label}. "
        "Choose another period in the sidebar."
    )
    st.stop()
me = rows.loc["This school"]
ly = (
    rows.loc["This school, same weeks last year"]
    if "This school, same weeks last year" in rows.index
    else None
)

# ---------------------------------------------------------------- headline
st.header(f"{name}: headline figures")
st.caption(
    f"{p.label}; pupils of compulsory school age (5 to 15), per enrolment. Days lost = absence "
    f"sessions ÷ 2; hours lost = sessions ÷ 10 × {config.SCHOOL_WEEK_HOURS:g} hours "
    "(DfE's expected minimum school week). Change is on the same weeks last year."
)


def _delta(col):
    return None if ly is None or ui._nan(ly[col]) else f"{me[col] - ly[col]:+.1f} pts"


c = st.columns(5)
c[0].metric("Attendance", ui.pct(me["attendance_rate"]), _delta("attendance_rate"), border=True)
c[1].metric(
    "Overall absence",
    ui.pct(me["overall_absence_rate"]),
    _delta("overall_absence_rate"),
    delta_color="inverse",
    border=True,
)
c[1].caption(f"{me['days_lost_per_pupil']:.1f} days ({me['hours_lost_per_pupil']:.0f} hours) per pupil")
c[2].metric("Days lost", ui.number(me["days_lost"]), border=True)
c[2].caption(f"{sui.hours(me['hours_lost'])} of learning")
c[3].metric(
    "Persistent absence",
    ui.pct(me["persistent_absence_rate"]),
    _delta("persistent_absence_rate"),
    delta_color="inverse",
    border=True,
)
c[3].caption(
    f"{ui.number(me['pa_enrolments'])} of {ui.number(me['enrolments'])} pupils, "
    f"{ui.one_in(me['persistent_absence_rate'])}"
)
c[4].metric(
    "Severe absence",
    ui.pct(me["severe_absence_rate"]),
    _delta("severe_absence_rate"),
    delta_color="inverse",
    border=True,
)
c[4].caption(f"{ui.number(me['sa_enrolments'])} pupils")

# Comparison groups of fewer than 3 other schools are withheld by the query (a `note`,
# no figures): with one or two, a head could work out another school's exact figures.
shown = head[head["note"].isna()]
similar = shown.loc[shown["comparison"] == "Similar schools"]


def _short_list(names: str, show: int = 4) -> str:
    """A long list of school names read out in a meeting: the first few and how many more."""
    parts = [n.strip() for n in names.split(",")]
    if len(parts) <= show:
        return ", ".join(parts)
    return f"{len(parts)} schools, including " + ", ".join(parts[:show])


similar_names = head["similar_schools"].dropna()
st.caption(
    "Similar schools: other " + str(phase).lower() + " schools whose shares of pupils eligible for "
    "free school meals and with SEN are each within 10 percentage points of this school's "
    + (
        f"({_short_list(similar_names.iloc[0])})."
        if not similar_names.empty
        else "(fewer than 3 in this LA)."
    )
    + " A comparison (similar schools, or the LA's schools of the same phase) is shown only when it "
    "pools at least 3 other schools: with one or two, their exact figures could be worked out."
)
withheld = head[head["note"].notna()]
for r in withheld.itertuples():
    st.caption(f"{r.comparison}: {r.note}.")
# Each comparator named for what it is: who, over which weeks.
shown_as = {
    "This school": f"{name}, {p.label}",
    "LA, same phase": f"The LA's {str(phase).lower()} schools, {p.label}",
    "Similar schools": f"Similar {str(phase).lower()} schools, {p.label}",
}
measures = [
    "overall_absence_rate",
    "unauthorised_absence_rate",
    "persistent_absence_rate",
    "severe_absence_rate",
]
ours = shown[shown["comparison"].isin(shown_as)]
fig = go.Figure()
for i, r in enumerate(ours.itertuples()):
    fig.add_bar(
        name=shown_as[r.comparison] + " (PA, SA: every enrolment)",
        x=[catalogue.measure(m).label for m in measures],
        y=[getattr(r, m) for m in measures],
        marker_color=ui.SERIES[i % 4],
    )
england = shown[shown["comparison"].str.startswith("England")]
if not england.empty:
    e = england.iloc[0]
    pairs = [
        (catalogue.measure(m).label, me[comparison.daily_rule_column(m)], e[comparison.daily_rule_column(m)])
        for m in measures
    ]
    pairs = [x for x in pairs if not ui._nan(x[2])]
    fig.add_bar(
        name=f"{name}, counted as England is ({comparison.rule_label('daily')})",
        x=[a for a, _, _ in pairs],
        y=[b for _, b, _ in pairs],
        marker_color=ui.SERIES[3],
    )
    fig.add_bar(
        name=e["comparison"],
        x=[a for a, _, _ in pairs],
        y=[c for _, _, c in pairs],
        marker_color=ui.SERIES[2],
    )
ui.style_figure(fig, y_title="% (of sessions; PA and SA: of pupils)")
la = rows.loc["LA, same phase"] if "LA, same phase" in shown["comparison"].values else None
bits = [
    f"{name} lost **{ui.number(me['days_lost'])} school days** ({sui.hours(me['hours_lost'])}), "
    f"{me['days_lost_per_pupil']:.1f} days per pupil; overall absence is {ui.pct(me['overall_absence_rate'])}"
]
if la is not None:
    bits.append(f"against {ui.pct(la['overall_absence_rate'])} for the LA's {str(phase).lower()} schools")
if not similar.empty:
    bits.append(f"{ui.pct(similar.iloc[0]['overall_absence_rate'])} for similar {str(phase).lower()} schools")
if not england.empty:
    bits.append(f"{ui.pct(england.iloc[0]['overall_absence_rate'])} for {england.iloc[0]['comparison']}")
reading = ", ".join(bits) + (
    f". PA is {ui.pct(me['persistent_absence_rate'])}"
    + (
        f" against {ui.pct(la['persistent_absence_rate'])} for the LA's {str(phase).lower()} schools "
        "(both over every enrolment)"
        if la is not None
        else ""
    )
    + (
        f"; counted as DfE's daily collection counts it ({comparison.rule_label('daily')}), "
        f"{ui.pct(me['persistent_absence_rate_daily_rule'])} against "
        f"{ui.pct(england.iloc[0]['persistent_absence_rate_daily_rule'])} for {england.iloc[0]['comparison']}."
        if not england.empty
        else "."
    )
)
ui.chart_block(fig, reading, head, f"school_{urn}_headline", ctx.synthetic, note=p.label, key="headline")

# ---------------------------------------------------------------- weekly
st.header("Week by week")
weekly = queries.run("school_weekly", ctx.scope, urn=urn, year=p.academic_year)
if (weekly["series"] == "LA, same phase").sum() == 0:
    st.caption(f"No LA line: fewer than 3 other {str(phase).lower()} schools to compare with.")
sections.weekly_trend(
    weekly,
    {
        "This year": ui.format_year(p.academic_year),
        "Last year": ui.format_year(p.academic_year - 1),
        "LA, same phase": f"The LA's {str(phase).lower()} schools, {ui.format_year(p.academic_year)}",
    },
    compare="Last year",
    file_stem=f"school_{urn}_weekly",
    key="weekly",
    synthetic=ctx.synthetic,
    note="compulsory school age",
    empty="No weekly figures for this school this year.",
)

# ---------------------------------------------------------------- year groups
st.header("Year groups")
yg = queries.run("school_year_groups", ctx.scope, population="all", **args)
if yg.empty:
    st.info("No year groups with possible sessions in this period.")
else:
    fig = go.Figure()
    fig.add_bar(name=p.label, x=yg["year_group"], y=yg["persistent_absence_rate"], marker_color=ui.SERIES[0])
    fig.add_bar(
        name="Same weeks last year", x=yg["year_group"], y=yg["last_year_pa_rate"], marker_color=ui.SERIES[1]
    )
    ui.style_figure(fig, y_title="persistent absence, % of pupils")
    top = yg.loc[yg["persistent_absence_rate"].idxmax()]
    reading = (
        f"**{top['year_group']}** has the highest persistent absence: "
        f"{ui.pct(top['persistent_absence_rate'])}, {ui.number(top['pa_enrolments'])} of "
        f"{ui.number(top['enrolments'])} pupils ({ui.one_in(top['persistent_absence_rate'])}). "
        "All pupils on roll, including Reception and sixth form."
    )
    ui.chart_block(fig, reading, yg, f"school_{urn}_year_groups", ctx.synthetic, note=p.label, key="years")

# ---------------------------------------------------------------- cohorts
st.header("Pupil groups")
co = queries.run("school_cohorts", ctx.scope, **args)
if co.empty:
    st.info("No pupils in this period.")
else:
    fig = go.Figure()
    fig.add_bar(
        name=name, y=co["cohort"], x=co["persistent_absence_rate"], orientation="h", marker_color=ui.SERIES[0]
    )
    fig.add_bar(
        name=f"LA {str(phase).lower()} schools, same group",
        y=co["cohort"],
        x=co["la_pa_rate"],
        orientation="h",
        marker_color=ui.SERIES[2],
    )
    ui.style_figure(fig, height=520)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="persistent absence, % of pupils")
    gaps = co.dropna(subset=["gap_to_rest_of_school"])
    g = gaps.loc[gaps["gap_to_rest_of_school"].idxmax()] if not gaps.empty else None
    reading = (
        ""
        if g is None
        else f"**{g['cohort']}** pupils have the widest gap: PA {ui.pct(g['persistent_absence_rate'])}, "
        f"{g['gap_to_rest_of_school']:.1f} points above other pupils in the school "
        f"({ui.number(g['pa_enrolments'])} of {ui.number(g['enrolments'])} pupils). "
    )
    reading += "Compulsory school age; each pupil counts once in each kind of group."
    if co["la_pa_rate"].isna().any():
        reading += (
            f" The LA bar is left out for a group found in fewer than 3 other {str(phase).lower()} schools."
        )
    ui.chart_block(fig, reading, co, f"school_{urn}_cohorts", ctx.synthetic, note=p.label, key="cohorts")

# ---------------------------------------------------------------- days and sessions
st.header("Days of the week and morning or afternoon")
ds = queries.run("school_day_session", ctx.scope, **args)
if ds.empty:
    st.info("No sessions in this period.")
else:
    fig = go.Figure()
    for i, sess in enumerate(("AM", "PM")):
        s = ds[ds["session"] == sess]
        fig.add_bar(
            name="Morning (AM)" if sess == "AM" else "Afternoon (PM)",
            x=s["day_of_week"],
            y=s["overall_absence_rate"],
            marker_color=ui.SERIES[i],
        )
    ui.style_figure(fig, y_title="overall absence, % of sessions")
    worst, best = ds.loc[ds["overall_absence_rate"].idxmax()], ds.loc[ds["overall_absence_rate"].idxmin()]
    reading = (
        f"Absence is highest on **{worst['day_of_week']} {worst['session']}** "
        f"({ui.pct(worst['overall_absence_rate'])}) and lowest on {best['day_of_week']} {best['session']} "
        f"({ui.pct(best['overall_absence_rate'])}). Every pupil on roll."
    )
    ui.chart_block(fig, reading, ds, f"school_{urn}_days", ctx.synthetic, note=p.label, key="days")

# ---------------------------------------------------------------- reasons
st.header("Reasons for absence")
rs = queries.run("school_reasons", ctx.scope, **args)
rs = rs[(rs["sessions"] > 0) | (rs["la_rate"] > 0)]  # la_rate NULL: fewer than 3 other schools
if rs.empty:
    st.info("No absence was recorded in this period.")
else:
    top = rs.iloc[0]
    sections.reason_bars(
        rs,
        {
            "rate": p.label,
            "last_year_rate": "Same weeks last year",
            "la_rate": f"The LA's {str(phase).lower()} schools",
        },
        f"**{sui.reason_label(top['reason'])}** is the largest reason: {ui.number(top['days_lost'])} school days, "
        f"{top['share_of_absence']:.0f}% of all absence ({ui.pct(top['rate'], 2)} of sessions"
        + (
            f", against {ui.pct(top['la_rate'], 2)} across the LA's {str(phase).lower()} schools)."
            if pd.notna(top["la_rate"])
            else "; no LA comparison: fewer than 3 other schools of the phase)."
        ),
        file_stem=f"school_{urn}_reasons",
        key="reasons",
        synthetic=ctx.synthetic,
        note=p.label,
    )

# ---------------------------------------------------------------- punctuality
st.header("Punctuality")
pu = queries.run("school_punctuality", ctx.scope, **args)
if pu.empty:
    st.info("No sessions in this period.")
else:
    fig = go.Figure()
    for i, (col, label) in enumerate(
        (
            ("late_before_close_rate", "Late before the register closed (L)"),
            ("late_after_close_rate", "Late after the register closed (U)"),
        )
    ):
        fig.add_scatter(
            x=pu["week_start"],
            y=pu[col],
            name=label,
            mode="lines+markers",
            line=dict(color=ui.SERIES[i], width=2),
        )
    ui.style_figure(fig, y_title="late sessions per 100 possible sessions")
    fig.update_xaxes(title="week commencing")
    L, U = pu["late_before_close_sessions"].sum(), pu["late_after_close_sessions"].sum()
    reading = (
        f"Pupils arrived late **{ui.number(L + U)} times** in {p.label}: {ui.number(L)} before the "
        f"register closed (counted as present) and {ui.number(U)} after it closed (unauthorised "
        f"absence); on average {pu['pupils_late'].mean():.0f} pupils were late at least once a week."
    )
    ui.chart_block(fig, reading, pu, f"school_{urn}_punctuality", ctx.synthetic, note=p.label, key="late")

# ---------------------------------------------------------------- part-time timetables
st.header("Part-time timetables (C2)")
pt = queries.run("school_part_time", ctx.scope, **args)
if pt.empty or not pt["c2_sessions"].sum():
    st.success(f"No pupil was recorded on a part-time timetable (code C2) in {p.label}.")
else:
    fig = go.Figure()
    fig.add_bar(
        name="Pupils with a C2 session that week",
        x=pt["week_start"],
        y=pt["pupils_on_c2"],
        marker_color=ui.SERIES[0],
    )
    ui.style_figure(fig, y_title="pupils")
    fig.update_xaxes(title="week commencing")
    last = pt.iloc[-1]
    reading = (
        f"{ui.number(pt['c2_sessions'].sum())} sessions ({pt['c2_sessions'].sum() / 2:,.0f} days) were "
        f"part-time timetable absences in {p.label}; in the latest week "
        + (
            f"{ui.number(last['pupils_on_c2'])} pupil{'s' if last['pupils_on_c2'] != 1 else ''} had one."
            if last["pupils_on_c2"]
            else "no pupil had one."
        )
        + " Each must be known to the LA, agreed with the family and time-limited."
    )
    ui.chart_block(fig, reading, pt, f"school_{urn}_part_time", ctx.synthetic, note=p.label, key="c2")

# ---------------------------------------------------------------- pupils who need support
st.header("Pupils who may need support")
if not ctx.scope.pupil_rows_allowed:
    st.info(
        "Lists of individual pupils are shown only to school staff and LA officers; your role sees "
        "the school's figures above."
    )
    st.stop()
st.caption(
    "Pupils of compulsory school age, shown by pseudonymous reference (no names). These lists are a "
    "starting point for a conversation with each family: listen, understand the barriers and agree "
    "support. The approach is support first: expect, monitor, listen and understand, facilitate "
    "support, and only then formalise. Sort any column; open a pupil's page from the link."
)
LISTS = [
    (
        "pupil_persistent_absence_list",
        "Persistent absence",
        "Pupils who have missed **10% or more** of sessions in {period}: each needs a conversation about "
        "barriers and a plan of support.",
        {"also_severely_absent": st.column_config.CheckboxColumn("Also severely absent")},
    ),
    (
        "pupil_severe_absence_list",
        "Severe absence",
        "Pupils who have missed **half or more** of sessions in {period}: each needs a joint plan with the LA "
        "and other services (whole-family early help where absence is a symptom).",
        {},
    ),
    (
        "pupil_emerging_absence_list",
        "Emerging",
        "Pupils whose attendance in {period} is **between 90% and 95%** and **falling** over the last 4 school "
        "weeks: early support can stop a pattern forming.",
        {
            "attendance_before_last_4_weeks": st.column_config.NumberColumn(
                "Attendance before %", format="%.1f"
            ),
            "attendance_last_4_weeks": st.column_config.NumberColumn("Last 4 weeks %", format="%.1f"),
        },
    ),
    (
        "pupil_unauthorised_10_list",
        "10 unauthorised in 10 weeks",
        "Pupils who reached **10 sessions of unauthorised absence within 10 school weeks** this year (holidays "
        "do not count as weeks): the point where support should already be evidenced before any formal step.",
        {
            "first_reached_week": st.column_config.DateColumn("First reached (w/c)", format="DD MMM YYYY"),
            "most_in_10_school_weeks": "Most in 10 school weeks",
            "unauthorised_last_10_school_weeks": "In the last 10 school weeks",
        },
    ),
    (
        "pupil_illness_15_days_list",
        "Illness 15+ days",
        "Pupils absent through **illness for 15 days (30 sessions) or more** this year: the LA must arrange "
        "education if a child will miss 15 days or more; consider a healthcare plan.",
        {"illness_sessions_this_year": "Illness sessions", "illness_days_this_year": "Illness days"},
    ),
    (
        "pupil_part_time_list",
        "Part-time timetables",
        "Pupils with **part-time timetable (C2)** sessions in {period}: each must be agreed, time-limited and "
        "known to the LA.",
        {
            "c2_first_week": st.column_config.DateColumn("First C2 (w/c)", format="DD MMM YYYY"),
            "c2_latest_week": st.column_config.DateColumn("Latest C2 (w/c)", format="DD MMM YYYY"),
            "c2_in_latest_school_week": st.column_config.CheckboxColumn("On C2 in the latest week"),
        },
    ),
]
lists = {q: queries.run(q, ctx.scope, **args) for q, *_ in LISTS}
tabs = st.tabs([f"{label} ({len(lists[q])})" for q, label, *_ in LISTS])
for tab, (q, _label, intro, extra) in zip(tabs, LISTS):
    with tab:
        sui.pupil_list(
            lists[q],
            intro.format(period=p.label),
            f"{q.removeprefix('pupil_')}_{urn}",
            ctx.scope,
            ctx.synthetic,
            key=q,
            extra_config=extra,
            params={"urn": urn, **{k: str(v) for k, v in p.params().items()}},
        )
