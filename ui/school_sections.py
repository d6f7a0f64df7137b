"""The School page's own sections (pages/school.py lists them): headline figures with their
comparators, year groups, pupil groups, days and sessions, punctuality, part-time timetables."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import catalogue
import queries
import ui
from data_pipeline import config
from queries import comparison
from ui import charts
from ui import school as sui


def headline(ctx, urn, name, phase, head, me, ly) -> None:
    """The school's headline figures, against the same weeks last year, the LA's schools of its phase, similar schools and England (where England's figure covers the same weeks)."""
    p = ctx.period
    rows = head.set_index("comparison")
    st.header(f"{name}: headline figures")
    st.caption(
        f"{p.label}; pupils of compulsory school age (5 to 15), per enrolment. Days lost = absence "
        f"sessions ÷ 2; hours lost = sessions ÷ 10 × {config.SCHOOL_WEEK_HOURS:g} hours "
        f"(DfE's expected minimum school week). Change is on {p.ly_label}."
    )

    def _delta(col, low_is_good=True):
        """The change on the same weeks last year, in words (ui.change)."""
        return ui.change(None if ly is None or ui._nan(ly[col]) else me[col] - ly[col], low_is_good)

    c = st.columns(5)
    c[0].metric("Attendance", ui.pct(me["attendance_rate"]), **_delta("attendance_rate", False), border=True)
    c[1].metric(
        "Overall absence",
        ui.pct(me["overall_absence_rate"]),
        **_delta("overall_absence_rate"),
        border=True,
    )
    c[1].caption(f"{me['days_lost_per_pupil']:.1f} days ({me['hours_lost_per_pupil']:.0f} hours) per pupil")
    c[2].metric("Days lost", ui.number(me["days_lost"]), border=True)
    c[2].caption(f"{sui.hours(me['hours_lost'])} of learning")
    c[3].metric(
        "Persistent absence",
        ui.pct(me["persistent_absence_rate"]),
        **_delta("persistent_absence_rate"),
        border=True,
    )
    c[3].caption(
        f"{ui.number(me['pa_enrolments'])} of {ui.number(me['enrolments'])} pupils, "
        f"{ui.one_in(me['persistent_absence_rate'])}"
    )
    c[4].metric(
        "Severe absence",
        ui.pct(me["severe_absence_rate"]),
        **_delta("severe_absence_rate"),
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
    # one colour per comparator whichever are shown; black is England's, as on every page
    colour = {
        "This school": ui.SERIES[0],
        "LA, same phase": ui.SERIES[1],
        "Similar schools": ui.OKABE_ITO["sky"],
    }
    measures = list(catalogue.compared())
    ours = shown[shown["comparison"].isin(shown_as)]
    bars = [
        (
            shown_as[r.comparison] + " (PA, SA: every enrolment)",
            colour[r.comparison],
            {m: getattr(r, m) for m in measures},
        )
        for r in ours.itertuples()
    ]
    england = shown[shown["comparison"].str.startswith("England")]
    if not england.empty:
        e = england.iloc[0]
        daily = {
            m: comparison.daily_rule_column(m)
            for m in measures
            if not ui._nan(e[comparison.daily_rule_column(m)])
        }
        rule = comparison.rule_label("daily")
        bars.append(
            (f"{name}, counted as England is ({rule})", ui.SERIES[3], {m: me[c] for m, c in daily.items()})
        )
        bars.append((e["comparison"], ui.SERIES[2], {m: e[c] for m, c in daily.items()}))
    spec = charts.measure_bars(bars)
    la = rows.loc["LA, same phase"] if "LA, same phase" in shown["comparison"].values else None
    bits = [
        f"{name} lost **{ui.number(me['days_lost'])} school days** ({sui.hours(me['hours_lost'])}), "
        f"{me['days_lost_per_pupil']:.1f} days per pupil; overall absence is {ui.pct(me['overall_absence_rate'])}"
    ]
    if la is not None:
        bits.append(f"against {ui.pct(la['overall_absence_rate'])} for the LA's {str(phase).lower()} schools")
    if not similar.empty:
        bits.append(
            f"{ui.pct(similar.iloc[0]['overall_absence_rate'])} for similar {str(phase).lower()} schools"
        )
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
    ui.chart_block(
        spec,
        reading,
        head,
        f"school_{urn}_headline",
        ctx.synthetic,
        note=p.label,
        key="headline",
        kind="vega",
    )


def year_groups(ctx, urn, args) -> None:
    """Persistent absence by year group, against the same weeks last year (every age on roll)."""
    p = ctx.period
    st.header("Year groups")
    yg = queries.run("school_year_groups", ctx.scope, population="all", **args)
    if yg.empty:
        st.info("No year groups with possible sessions in this period.")
    else:
        fig = go.Figure()
        fig.add_bar(
            name=p.label, x=yg["year_group"], y=yg["persistent_absence_rate"], marker_color=ui.SERIES[0]
        )
        fig.add_bar(
            name=ui.capitalised(p.ly_label),
            x=yg["year_group"],
            y=yg["last_year_pa_rate"],
            marker_color=ui.SERIES[1],
        )
        ui.style_figure(fig, y_title="persistent absence, % of pupils")
        top = yg.loc[yg["persistent_absence_rate"].idxmax()]
        reading = (
            f"**{top['year_group']}** has the highest persistent absence: "
            f"{ui.pct(top['persistent_absence_rate'])}, {ui.number(top['pa_enrolments'])} of "
            f"{ui.number(top['enrolments'])} pupils ({ui.one_in(top['persistent_absence_rate'])}). "
            "All pupils on roll, including Reception and sixth form."
        )
        ui.chart_block(
            fig, reading, yg, f"school_{urn}_year_groups", ctx.synthetic, note=p.label, key="years"
        )


def pupil_groups(ctx, urn, name, phase, args) -> None:
    """Persistent absence by pupil group, against the same group across the LA's schools of the phase."""
    p = ctx.period
    st.header("Pupil groups")
    co = queries.run("school_cohorts", ctx.scope, **args)
    if co.empty:
        st.info("No pupils in this period.")
    else:
        fig = go.Figure()
        fig.add_bar(
            name=name,
            y=co["cohort"],
            x=co["persistent_absence_rate"],
            orientation="h",
            marker_color=ui.SERIES[0],
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
            reading += f" The LA bar is left out for a group found in fewer than 3 other {str(phase).lower()} schools."
        ui.chart_block(fig, reading, co, f"school_{urn}_cohorts", ctx.synthetic, note=p.label, key="cohorts")


def days_and_sessions(ctx, urn, args) -> None:
    """Absence by day of the week and morning or afternoon."""
    p = ctx.period
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


def punctuality(ctx, urn, args) -> None:
    """Late before and after the register closed."""
    p = ctx.period
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


def part_time(ctx, urn, args) -> None:
    """Pupils on part-time timetables (C2), which the LA must know of and which must be time-limited."""
    p = ctx.period
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
