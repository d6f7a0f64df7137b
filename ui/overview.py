"""The LA overview's own sections: the headline measures with their comparisons, and what to
focus on (schools, cohorts and wards by persistent absence)."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

import catalogue
import queries
import ui
from queries import comparison
from ui import charts


def headline(ctx, now, last, england: comparison.Comparator, last_label: str) -> None:
    """Each headline measure for the period, against the same weeks last year and against England
    where England's figure covers the same weeks, PA and SA then counted by England's rule."""
    p = ctx.period
    has_last = bool(last["enrolments"])
    daily_rule = comparison.rule_label("daily")
    st.header("Headline measures")
    st.caption(
        f"{p.label}, {ctx.phase_label}; {catalogue.populations()['compulsory'].label}, per enrolment. "
        f"PA: 10% or more of possible sessions missed over the period; SA: 50% or more; both over "
        f"{comparison.rule_label('census')}. Change is on {last_label}. "
        + (
            f"Against {england.title}: PA and SA by its rule, {daily_rule}."
            if england.available
            else f"No England comparison: {england.why_not}."
        )
    )

    MEASURES = list(catalogue.headline())
    # the change's span, short: last year's term by name, else the year
    on_last = p.ly_label if p.kind in ("term", "half_term") else ui.format_year(p.academic_year - 1)

    def _england_note(mid: str) -> str:
        """England beside this LA's figure counted the same way, or why there is none."""
        eng_v = england.value(mid)
        if not england.available:
            return "England: no like-for-like figure"
        if eng_v is None:
            return f"England: not published in the {catalogue.collections()['daily'].label.lower()}"
        mine = now[comparison.daily_rule_column(mid)]
        same_rule = " (here by the same rule)" if catalogue.measure(mid).over_pupils else ""
        return f"England {ui.pct(eng_v)}{same_rule}, {ui.points(mine - eng_v).replace('points', 'pts')} here"

    cols = st.columns(4)
    for i, mid in enumerate(MEASURES):
        m = catalogue.measure(mid)
        ch = now[mid] - last[mid] if has_last else None
        notes = []
        if mid == "persistent_absence_rate":
            notes.append(f"{ui.number(now['pa_enrolments'])} pupils, {ui.one_in(now[mid])}")
        elif mid == "severe_absence_rate":
            notes.append(f"{ui.number(now['sa_enrolments'])} pupils")
        elif mid == "overall_absence_rate":
            notes.append(ui.days_a_year(now[mid], ctx.year_days))
        notes.append(_england_note(mid))
        cols[i % 4].metric(
            m.label,
            ui.pct(now[mid]),
            **ui.change(ch, m.low_is_good),
            border=True,
            delta_description=f"on {on_last}",
            help=m.definition,
        )
        cols[i % 4].caption("; ".join(notes))
    dl = now["days_lost"]
    # a count compares only over spans of the same length: a term a week longer last year loses
    # more days at the same rate
    counted = has_last and p.same_length_as_last_year
    cols[2].metric(
        catalogue.measure("days_lost").label,
        ui.number(dl),
        border=True,
        **ui.change(dl - last["days_lost"] if counted else None, True, "days", 0),
        delta_description=f"on {on_last}" if counted else None,
    )
    cols[2].caption(
        f"{now['days_lost_per_enrolment']:.1f} days per pupil, of the {now['school_days_per_enrolment']:.0f} "
        "school days a pupil was on roll on average"
        + (
            f"; not compared with {last_label}, a span of another length "
            f"({last['school_days_per_enrolment']:.0f} school days on roll on average): compare the rates"
            if has_last and not counted
            else ""
        )
    )
    cols[3].metric("Pupils (enrolments)", ui.number(now["enrolments"]), border=True)

    eng_col = f"{england.title} %"
    rows = []
    for mid in MEASURES:
        m = catalogue.measure(mid)
        eng_v = england.value(mid)
        mine_daily = now[comparison.daily_rule_column(mid)]
        rows.append(
            {
                "measure": m.label,
                f"{p.label} %": round(now[mid], 2),
                f"{last_label} %": round(last[mid], 2) if has_last else None,
                "change (points)": round(now[mid] - last[mid], 2) if has_last else None,
                f"{p.label} %, {daily_rule}": round(mine_daily, 2) if m.over_pupils else None,
                eng_col: None if eng_v is None else round(eng_v, 2),
                "gap to England (points, same rule)": None if eng_v is None else round(mine_daily - eng_v, 2),
            }
        )
    table = ui.pd.DataFrame(rows)
    shown = [mid for mid in MEASURES if mid != "attendance_rate"]
    # Each comparator keeps its colour whichever are shown (England black, as on every page).
    bars = [(f"{p.label} (PA, SA: every enrolment)", ui.SERIES[0], {mid: now[mid] for mid in shown})]
    if has_last:
        bars.append((f"{last_label} (same rule)", ui.SERIES[1], {mid: last[mid] for mid in shown}))
    if england.available:
        with_england = [mid for mid in shown if england.value(mid) is not None]
        daily = {mid: now[comparison.daily_rule_column(mid)] for mid in with_england}
        bars.append((f"{p.label}, counted as England is (PA: {daily_rule})", ui.SERIES[3], daily))
        bars.append((england.title, ui.SERIES[2], {mid: england.value(mid) for mid in with_england}))
    spec = charts.measure_bars(bars)
    chg = (
        f"{ui.points(now['persistent_absence_rate'] - last['persistent_absence_rate'])} on {last_label}"
        if has_last
        else f"with no figure for {last_label}"
    )
    eng_pa = england.value("persistent_absence_rate")
    reading = (
        f"Overall absence is **{ui.pct(now['overall_absence_rate'])}** "
        f"({ui.days_a_year(now['overall_absence_rate'], ctx.year_days)} at this rate); "
        f"PA is **{ui.pct(now['persistent_absence_rate'])}**, {ui.one_in(now['persistent_absence_rate'])} "
        f"({ui.number(now['pa_enrolments'])} pupils), {chg}"
        + (
            f". Counted as DfE's daily collection counts it ({daily_rule}) PA is "
            f"{ui.pct(now['persistent_absence_rate_daily_rule'])}, against {ui.pct(eng_pa)} for "
            f"{england.title}."
            if eng_pa is not None
            else f". No England comparison: {england.why_not}."
            if not england.available
            else "."
        )
    )
    ui.chart_block(
        spec,
        reading,
        table,
        "headline_measures",
        ctx.synthetic,
        note=f"{p.label}, {ctx.phase_label}",
        key="headline",
        kind="vega",
    )


def focus(ctx, args: dict) -> None:
    """The schools, cohorts and wards whose persistent absence rose most or sits furthest above
    the LA's, each opening its page."""
    p = ctx.period
    st.header("What to focus on")
    st.caption(
        f"Persistent absence over {p.label}, against {p.ly_label} and against the LA rate. "
        f"Groups of fewer than {ctx.scope.suppression_threshold} pupils are not shown."
    )

    def _whose(row) -> str:
        """Whose rate a group is set beside: a school's, the LA's schools of its phase."""
        group = row.get("la_group")
        return f"{group}'" if isinstance(group, str) else "the LA's"

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
                f"{row['gap_to_la']:.1f} points above {_whose(row)} {ui.pct(row['la_pa_rate'])} "
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
                        ui.page_file("school"),
                        label=f"Open {row.school_name}",
                        icon=":material/school:",
                        query_params={"urn": str(row.urn)},
                    )
            elif what == "cohort":
                st.page_link(ui.page_file("cohorts"), label="Open the Cohorts page", icon=":material/groups:")
            else:
                st.page_link(
                    ui.page_file("neighbourhoods"),
                    label="Open the Neighbourhoods page",
                    icon=":material/map:",
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
            with st.expander(f"All {len(df)} {what if what != 'ward' else 'wards'}s".replace("ss", "s")):
                st.dataframe(df, hide_index=True)
                ui.csv_download(df, ctx.synthetic, p.label, qname, f"{qname}_csv")
