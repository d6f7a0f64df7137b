"""The shared frame's state, set by dashboard.py on every run and read by pages."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

import queries
from queries import WHOLE_LA, Period, Scope
from ui import school as sui


@dataclass(frozen=True)
class Context:
    meta: dict
    period: Period | None
    phase: str | None  # None = all phases
    scope: Scope = WHOLE_LA
    # (days, where the number comes from): one school-year length for every page (ui.school_year)
    school_year: tuple[int, str] = (190, "the statutory 190 days")

    @property
    def year_days(self) -> int:
        return self.school_year[0]

    @property
    def bench_phase(self) -> str:
        """The phase as DfE's published tables name it ('Total' for all phases)."""
        return self.phase if self.phase in ("Primary", "Secondary", "Special") else "Total"

    @property
    def phase_label(self) -> str:
        return self.phase or "all phases"

    @property
    def synthetic(self) -> bool:
        return str(self.meta.get("synthetic", "")).lower() == "true"

    @property
    def la_name(self) -> str:
        return self.meta.get("la_name", "the LA")


def set_context(ctx: Context) -> None:
    st.session_state["_context"] = ctx


def context() -> Context:
    """The frame's state for this run; every page calls this first.

    With a `pages/` folder beside dashboard.py, a new Streamlit process runs its very first
    script run the old multipage way (until some session calls `st.navigation`): a first
    request for a deep link (`/schools`) runs the page's file straight, without the frame (no
    sign-in, no filters, no context). Such a run switches the old way off, as `st.navigation`
    itself does, and reruns through the frame, which opens the same page.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    ctx = st.session_state.get("_context")
    if ctx is None:
        raise RuntimeError(
            "ui.context.context(): the dashboard's frame has not run; start the app with `streamlit run dashboard.py`"
        )
    return ctx


def require_period(ctx: Context) -> Period:
    """The selected period; where the selection has none, the page says so and stops."""
    if ctx.period is None:
        st.info(
            "There is no attendance data for this selection. Choose another academic year or "
            "period in the sidebar."
        )
        st.stop()
    return ctx.period


def require_school(ctx: Context, what: str) -> tuple[int, pd.DataFrame]:
    """The school the page is about (ui.school.school_selector: ?urn=, or the viewer's only
    school) and the viewer's schools; stops the page, saying how to choose one, if none is."""
    schools = queries.run("schools_list", ctx.scope)
    urn = sui.school_selector(schools)
    if urn is None:
        sui.no_school_message(what)
        st.stop()
    return urn, schools
