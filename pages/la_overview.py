"""LA overview: headline measures, weekly trend, reasons, and what to focus on."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

import queries
import ui
from data_pipeline.codes import REASON_LABELS
from ui.context import context

ctx = context()
st.title("LA overview")
if ctx.period is None:
    st.info(
        "There is no attendance data for this selection. Choose another academic year "
        "or period in the sidebar."
    )
    st.stop()

p = ctx.period
args = dict(year=p.academic_year, phase=ctx.phase, **p.params())
head = queries.run("la_headline_measures", ctx.scope, **args).set_index("period")
eng = queries.run("england_headline_rates", year=p.academic_year, bench_phase=ctx.bench_phase)
now, last = head.loc["selected"], head.loc["last year"]
if not now["enrolments"]:
    st.info(
        f"No pupils of compulsory school age have possible sessions in {p.label} for "
        f"{ctx.phase_label}. Choose another period or phase in the sidebar."
    )
    st.stop()
has_last = bool(last["enrolments"])
e = eng.iloc[0] if not eng.empty else None
eng_label = (
    f"England {e['period_label']} (daily collection, full year to date)"
    if e is not None
    else "England (not published)"
)

# ---------------------------------------------------------------- headline
st.header("Headline measures")
st.caption(
    f"{p.label}, {ctx.phase_label}; pupils of compulsory school age (5 to 15), per enrolment. "
    "PA: 10% or more of possible sessions missed over the period; SA: 50% or more. "
    f"Change is on the same weeks last year; the gap is to {eng_label}."
)

MEASURES = [
    ("attendance_rate", "Attendance", False),
    ("overall_absence_rate", "Overall absence", True),
    ("authorised_absence_rate", "Authorised absence", True),
    ("unauthorised_absence_rate", "Unauthorised absence", True),
    ("persistent_absence_rate", "Persistent absence (PA)", True),
    ("severe_absence_rate", "Severe absence (SA)", True),
]


def _england(col):
    return None if e is None or ui._nan(e[col]) else float(e[col])


cols = st.columns(4)
for i, (col, label, low_good) in enumerate(MEASURES):
    ch = now[col] - last[col] if has_last else None
    eng_v = _england(col)
    notes = []
    if col == "persistent_absence_rate":
        notes.append(f"{ui.number(now['pa_enrolments'])} pupils, {ui.one_in(now[col])}")
    elif col == "severe_absence_rate":
        notes.append(f"{ui.number(now['sa_enrolments'])} pupils")
    elif col == "overall_absence_rate":
        notes.append(ui.days_a_year(now[col]))
    notes.append(
        f"England {ui.pct(eng_v)}, {ui.points(now[col] - eng_v).replace('points', 'pts')} here"
        if eng_v is not None
        else "England: not published in the daily collection"
    )
    cols[i % 4].metric(
        label,
        ui.pct(now[col]),
        delta=None if ch is None else f"{ch:+.1f} pts",
        delta_color="inverse" if low_good else "normal",
        border=True,
        delta_description="on last year",
        help="; ".join(notes),
    )
    cols[i % 4].caption("; ".join(notes))
dl = now["days_lost"]
cols[2].metric(
    "School days lost",
    ui.number(dl),
    border=True,
    delta=None if not has_last else f"{dl - last['days_lost']:+,.0f}",
    delta_color="inverse",
    delta_description="on last year",
)
cols[2].caption(
    f"{now['days_lost_per_enrolment']:.1f} days per pupil out of "
    f"{now['school_days_per_enrolment']:.0f} school days"
)
cols[3].metric("Pupils (enrolments)", ui.number(now["enrolments"]), border=True)

rows = []
for col, label, _ in MEASURES:
    rows.append(
        {
            "measure": label,
            "this period %": round(now[col], 2),
            "same period last year %": round(last[col], 2) if has_last else None,
            "change (points)": round(now[col] - last[col], 2) if has_last else None,
            "England %": _england(col) and round(_england(col), 2),
            "gap to England (points)": (
                round(now[col] - _england(col), 2) if _england(col) is not None else None
            ),
        }
    )
table = ui.pd.DataFrame(rows)
fig = go.Figure()
shown = table[table["measure"] != "Attendance"]
fig.add_bar(name=p.label, x=shown["measure"], y=shown["this period %"], marker_color=ui.SERIES[0])
if has_last:
    fig.add_bar(
        name="Same weeks last year",
        x=shown["measure"],
        y=shown["same period last year %"],
        marker_color=ui.SERIES[1],
    )
if e is not None:
    fig.add_bar(name=eng_label, x=shown["measure"], y=shown["England %"], marker_color=ui.SERIES[2])
ui.style_figure(fig, y_title="% (of sessions; PA and SA: of pupils)")
chg = (
    ui.points(now["persistent_absence_rate"] - last["persistent_absence_rate"])
    if has_last
    else "with no figure for last year"
)
reading = (
    f"Overall absence is **{ui.pct(now['overall_absence_rate'])}** "
    f"({ui.days_a_year(now['overall_absence_rate'])} at this rate); "
    f"PA is **{ui.pct(now['persistent_absence_rate'])}**, {ui.one_in(now['persistent_absence_rate'])} "
    f"({ui.number(now['pa_enrolments'])} pupils), {chg} on last year"
    + (
        f", against {ui.pct(_england('persistent_absence_rate'))} in England."
        if _england("persistent_absence_rate") is not None
        else "."
    )
)
ui.chart_block(
    fig,
    reading,
    table,
    "headline_measures",
    ctx.synthetic,
    note=f"{p.label}, {ctx.phase_label}",
    key="headline",
)

# ---------------------------------------------------------------- weekly trend
st.header("Week by week")
weekly = queries.run(
    "la_weekly_absence", ctx.scope, year=p.academic_year, phase=ctx.phase, bench_phase=ctx.bench_phase
)
this_year = weekly[weekly["series"] == "This year"]
if this_year.empty:
    st.info("No weekly figures for this year and phase.")
else:
    fig = go.Figure()
    styles = {
        "This year": (ui.SERIES[0], "lines+markers"),
        "Last year": (ui.SERIES[1], "lines"),
        "England (published)": (ui.SERIES[2], "markers"),
    }
    for name, (colour, mode) in styles.items():
        s = weekly[weekly["series"] == name]
        if s.empty:
            continue
        label = {
            "This year": ui.format_year(p.academic_year),
            "Last year": ui.format_year(p.academic_year - 1),
        }.get(name, name)
        fig.add_scatter(
            x=s["week_of_year"],
            y=s["overall_absence_rate"],
            mode=mode,
            name=label,
            line=dict(color=colour, width=3),
            marker=dict(color=colour, size=9, symbol="diamond" if name.startswith("England") else "circle"),
            customdata=s["week_start"].dt.strftime("%d %b %Y"),
            hovertemplate="week %{x} (w/c %{customdata}): %{y:.1f}%<extra></extra>",
        )
    ui.style_figure(fig, y_title="overall absence, % of sessions")
    fig.update_xaxes(title="school week of the academic year")
    latest = this_year.iloc[-1]
    peak = this_year.loc[this_year["overall_absence_rate"].idxmax()]
    ly = weekly[(weekly["series"] == "Last year") & (weekly["week_of_year"] == latest["week_of_year"])]
    cmp = (
        f", against {ui.pct(ly.iloc[0]['overall_absence_rate'])} in the same week last year"
        if not ly.empty
        else ""
    )
    reading = (
        f"In the latest week (w/c {latest['week_start']:%d %b %Y}) overall absence was "
        f"**{ui.pct(latest['overall_absence_rate'])}**{cmp}; this year's worst week was "
        f"w/c {peak['week_start']:%d %b %Y} at {ui.pct(peak['overall_absence_rate'])}."
    )
    if (weekly["series"] == "England (published)").any():
        reading += " England's diamond marks the only week DfE publishes in this dataset."
    ui.chart_block(
        fig,
        reading,
        weekly,
        "weekly_absence",
        ctx.synthetic,
        note=f"{ctx.phase_label}, compulsory school age",
        key="weekly",
    )

# ---------------------------------------------------------------- reasons
st.header("Reasons for absence")
reasons = queries.run(
    "la_absence_reasons",
    ctx.scope,
    year=p.academic_year,
    phase=ctx.phase,
    bench_phase=ctx.bench_phase,
    **p.params(),
)
reasons = reasons[(reasons["sessions"] > 0) | reasons["england_rate"].notna()].copy()
if reasons.empty:
    st.info("No absence was recorded in this period.")
else:
    reasons.insert(0, "reason_label", reasons["reason"].map(REASON_LABELS).fillna(reasons["reason"]))
    r = reasons.iloc[::-1]
    fig = go.Figure()
    fig.add_bar(name=p.label, y=r["reason_label"], x=r["rate"], orientation="h", marker_color=ui.SERIES[0])
    if r["last_year_rate"].notna().any():
        fig.add_bar(
            name="Same weeks last year",
            y=r["reason_label"],
            x=r["last_year_rate"],
            orientation="h",
            marker_color=ui.SERIES[1],
        )
    if r["england_rate"].notna().any():
        fig.add_bar(
            name=eng_label,
            y=r["reason_label"],
            x=r["england_rate"],
            orientation="h",
            marker_color=ui.SERIES[2],
        )
    ui.style_figure(fig, height=460)
    fig.update_xaxes(title="% of possible sessions")
    top = reasons.iloc[0]
    reading = (
        f"**{top['reason_label']}** is the largest reason: {ui.pct(top['rate'], 2)} of sessions, "
        f"{top['share_of_absence']:.0f}% of all absence ({ui.number(top['days_lost'])} school days)."
    )
    ui.chart_block(fig, reading, reasons, "absence_reasons", ctx.synthetic, note=p.label, key="reasons")

# ---------------------------------------------------------------- focus
st.header("What to focus on")
st.caption(
    f"Persistent absence over {p.label}, against the same weeks last year and against the LA rate. "
    f"Groups of fewer than {ctx.scope.suppression_threshold} pupils are not shown."
)


def _sentences(df, name_col, what):
    out = []
    rising = df[df["change_on_last_year"] > 0].nlargest(3, "change_on_last_year")
    for _, row in rising.iterrows():
        out.append(
            f"- **{row[name_col]}**: PA {ui.pct(row['persistent_absence_rate'])}, "
            f"up {row['change_on_last_year']:.1f} points on last year "
            f"({ui.number(row['pa_enrolments'])} of {ui.number(row['enrolments'])} pupils)."
        )
    above = df[(df["gap_to_la"] > 0) & ~df[name_col].isin(rising[name_col])].nlargest(3, "gap_to_la")
    for _, row in above.iterrows():
        out.append(
            f"- **{row[name_col]}**: PA {ui.pct(row['persistent_absence_rate'])}, "
            f"{row['gap_to_la']:.1f} points above the LA's {ui.pct(row['la_pa_rate'])} "
            f"({ui.one_in(row['persistent_absence_rate'])})."
        )
    if not out:
        out.append(f"- No {what} stands out: none rose on last year or sits above the LA rate.")
    return "\n".join(out)


def _links(df, what):
    """Each school named above opens its page; cohorts and wards open theirs."""
    try:
        if what == "school":
            top = df.nlargest(3, "gap_to_la")
            for col, row in zip(st.columns(len(top)), top.itertuples()):
                col.page_link(
                    "pages/school.py",
                    label=f"Open {row.school_name}",
                    icon=":material/school:",
                    query_params={"urn": str(row.urn)},
                )
        elif what == "cohort":
            st.page_link("pages/cohorts.py", label="Open the Cohorts page", icon=":material/groups:")
        else:
            st.page_link(
                "pages/neighbourhoods.py", label="Open the Neighbourhoods page", icon=":material/map:"
            )
    except StreamlitAPIException:  # that page is not in this viewer's navigation
        pass


tabs = st.tabs(["Schools", "Cohorts", "Neighbourhoods"])
for tab, (qname, name_col, what) in zip(
    tabs,
    [
        ("pa_focus_schools", "school_name", "school"),
        ("pa_focus_cohorts", "cohort", "cohort"),
        ("pa_focus_neighbourhoods", "ward_name", "ward"),
    ],
):
    with tab:
        df = queries.run(qname, ctx.scope, **args)
        if df.empty:
            st.info(f"No {what} has enough pupils in this selection to show.")
            continue
        st.markdown(_sentences(df, name_col, what))
        _links(df, what)
        data = ui.csv_bytes(df, ctx.synthetic, p.label)
        with st.expander(f"All {len(df)} {what if what != 'ward' else 'wards'}s".replace("ss", "s")):
            st.dataframe(df, hide_index=True)
            st.download_button(
                f"Download CSV ({ui.size_label(len(data))})",
                data,
                file_name=f"{qname}.csv",
                mime="text/csv",
                key=f"{qname}_csv",
            )
