"""A school's page (headteacher, attendance lead, LA officer): headline figures in days and
hours against the LA, similar schools and England; then, one tab open at a time, trends, year
and pupil groups, days and reasons, punctuality and part-time timetables, and the pupils who
need support."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import queries
import ui
from actions import agenda
from data_pipeline import config
from queries import comparison
from ui import pupil_lists, school_sections, sections
from ui import school as sui
from ui.context import context, require_period, require_school

ctx = context()
st.title("School")
urn, schools = require_school(ctx, "its attendance")
require_period(ctx)

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
school_sections.headline(ctx, urn, name, phase, head, me, ly)

quality = queries.run(
    "schools_data_quality", ctx.scope, as_of=dt.date.fromisoformat(ctx.meta["data_up_to"])
).set_index("urn")
if urn in quality.index:
    q = quality.loc[urn]
    st.caption(
        f"Registers: latest mark {q['last_mark_date']:%d %b %Y}; {ui.number(q['unresolved_n'])} N codes "
        f"(reason not yet provided) unresolved after 5 school days; {ui.number(q['missing_sessions'])} "
        "sessions this academic year with no mark for a pupil on roll."
    )


def week_by_week() -> None:
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
        period=p,
    )


def groups() -> None:
    school_sections.year_groups(ctx, urn, args)
    school_sections.pupil_groups(ctx, urn, name, phase, args)


def days_and_reasons() -> None:
    school_sections.days_and_sessions(ctx, urn, args)
    st.header("Reasons for absence")
    rs = queries.run("school_reasons", ctx.scope, **args)
    rs = rs[(rs["sessions"] > 0) | (rs["la_rate"] > 0)]  # la_rate NULL: fewer than 3 other schools
    if rs.empty:
        st.info("No absence was recorded in this period.")
        return
    top = rs.iloc[0]
    sections.reason_bars(
        rs,
        {
            "rate": p.label,
            "last_year_rate": ui.capitalised(p.ly_label),
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


def punctuality_and_part_time() -> None:
    school_sections.punctuality(ctx, urn, args)
    school_sections.part_time(ctx, urn, args)


def pupils() -> None:
    st.header("Pupils who may need support")
    if not ctx.scope.pupil_rows_allowed:
        st.info(
            "Lists of individual pupils are shown only to school staff and LA officers; your role sees "
            "the school's figures."
        )
        return
    st.caption(
        "Pupils of compulsory school age, shown by pseudonymous reference (no names). These lists are a "
        "starting point for a conversation with each family: listen, understand the barriers and agree "
        "support. The approach is support first: expect, monitor, listen and understand, facilitate "
        "support, and only then formalise. Sort any column; open a pupil's page from the link."
    )
    pupil_lists.tabs(
        agenda.pupil_lists(ctx.scope, urn, p),
        p.label,
        ctx,
        urn,
        "",
        {"urn": urn, **{k: str(v) for k, v in p.params().items()}},
    )


ui.section_tabs(
    {
        "Week by week": week_by_week,
        "Year and pupil groups": groups,
        "Days and reasons": days_and_reasons,
        "Punctuality and part-time": punctuality_and_part_time,
        "Pupils who may need support": pupils,
    },
    key="school_section",
)
