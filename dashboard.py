"""Attendance dashboard: the router and frame. Run with `streamlit run dashboard.py`.

Every page gets the same header (LA, period, data freshness, synthetic-data label) and
the same sidebar filters; the filters live in st.session_state and in the URL, so a
view can be bookmarked and shared.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

import queries
import ui
from data_pipeline.codes import format_year
from ui.context import Context, set_context

PERIOD_KINDS = ["Year to date", "Term", "Half term", "Custom dates"]
ALL_PHASES = "All phases"

PAGES = [
    st.Page("pages/la_overview.py", title="LA overview", icon=":material/dashboard:", default=True),
    st.Page("pages/benchmarking.py", title="Benchmarking", icon=":material/leaderboard:"),
    st.Page("pages/cohorts.py", title="Cohorts", icon=":material/groups:"),
    st.Page("pages/neighbourhoods.py", title="Neighbourhoods", icon=":material/map:"),
    st.Page("pages/technical_notes.py", title="Technical notes", icon=":material/menu_book:"),
]


def _sidebar_filters(calendar, phases: list[str]) -> tuple[queries.Period | None, str | None]:
    years = sorted(calendar["academic_year"].unique().tolist(), reverse=True)
    sb = st.sidebar
    sb.header("Filters")
    year = sb.selectbox("Academic year", years, format_func=format_year, key="year",
                        bind="query-params", persist_state="session")
    kind = sb.selectbox("Period", PERIOD_KINDS, key="period", bind="query-params",
                        persist_state="session")
    this = calendar[calendar["academic_year"] == year]
    part, custom = None, None
    if kind == "Term":
        part = sb.selectbox("Term", list(dict.fromkeys(this["term"])), key="term",
                            bind="query-params", persist_state="session")
    elif kind == "Half term":
        part = sb.selectbox("Half term", this["half_term"].tolist(), key="half_term",
                            bind="query-params", persist_state="session")
    elif kind == "Custom dates":
        first, last = this["first_date"].min().date(), this["last_date"].max().date()
        picked = sb.date_input("Dates", value=(first, last), min_value=first, max_value=last,
                               key="dates", persist_state="session", format="DD/MM/YYYY")
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            custom = (picked[0], picked[1])
        else:
            sb.info("Pick an end date too.")
            custom = (picked[0] if picked else first, last)
        sb.caption("Custom dates are snapped to whole school weeks (Monday to Friday): "
                   "a week counts if its Monday falls in the range.")
    phase = sb.selectbox("Phase", [ALL_PHASES, *phases], key="phase", bind="query-params",
                         persist_state="session")
    period = queries.resolve_period(calendar, year, kind, part, custom)
    return period, None if phase == ALL_PHASES else phase


def _header(meta: dict, period: queries.Period | None, phase: str | None) -> None:
    la = meta.get("la_name", "Local authority")
    bits = [f"**{la}**"]
    if period is not None:
        end = period.week_to + dt.timedelta(days=4)
        bits.append(f"{period.label} (school weeks {period.week_from:%d %b %Y} to {end:%d %b %Y})")
    bits.append(phase or "all phases")
    if meta.get("data_up_to"):
        bits.append(f"data up to {dt.date.fromisoformat(meta['data_up_to']):%d %B %Y}")
    st.markdown(" · ".join(bits))
    ui.synthetic_banner(meta)


def run() -> None:
    st.set_page_config(page_title="School attendance", page_icon=":material/school:",
                       layout="wide")
    page = st.navigation(PAGES)
    try:
        meta = dict(queries.run("warehouse_meta").values.tolist())
        calendar = queries.run("school_calendar_parts")
        phases = queries.run("school_phases")["phase"].tolist()
    except FileNotFoundError as exc:
        st.title("School attendance")
        st.error(str(exc))
        st.stop()
    if calendar.empty:
        st.title("School attendance")
        st.info("The warehouse holds no attendance marks yet. Load school returns with "
                "`python -m data_pipeline ingest`, or build the demo LA with "
                "`python -m data_pipeline demo`.")
        st.stop()
    period, phase = _sidebar_filters(calendar, phases)
    _header(meta, period, phase)
    set_context(Context(meta=meta, period=period, phase=phase, scope=queries.WHOLE_LA))
    page.run()


if __name__ == "__main__":
    run()
