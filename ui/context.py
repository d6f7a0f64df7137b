"""The shared frame's state, set by dashboard.py on every run and read by pages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from queries import WHOLE_LA, Period, Scope

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard.py"


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

    A page can be run without the frame: Streamlit sees the `pages/` folder and, until some
    session has called `st.navigation` (a process-wide switch; AppTest resets it on every
    run), runs the page the old multipage way, straight from its file. So the very first
    session on a new server that opens a deep link (`/schools`) ran the page with no
    sign-in, no filters and no context (KeyError `_context`), and AppTest reruns of a page
    ran it with the previous run's context. Such a run is sent through the frame here: run
    dashboard.py's `run()` now, in this same script run (it signs in, draws the filters,
    sets the context, calls `st.navigation`, which switches the old behaviour off, and runs
    the requested page, whose own `context()` call then returns), then stop. Running it in
    place rather than with `st.rerun()` keeps this run's widget events (a form submitted,
    a button clicked).
    """
    if _running_without_navigation():
        import contextlib
        import runpy

        from streamlit.runtime.scriptrunner import get_script_run_ctx
        from streamlit.util import calc_hash

        run_ctx = get_script_run_ctx()
        # As Streamlit runs dashboard.py itself in this mode (the old-style main page, whose
        # hash is that of its url path "dashboard"), so that the frame's widgets (role,
        # filters) keep their identity and state from one such run to the next.
        as_main = (
            run_ctx.run_with_active_hash(calc_hash(DASHBOARD.stem))
            if run_ctx is not None and hasattr(run_ctx, "run_with_active_hash")
            else contextlib.nullcontext()
        )
        with as_main:
            frame = runpy.run_path(str(DASHBOARD), run_name="attendance_frame")
            frame["run"]()
        st.stop()
    ctx = st.session_state.get("_context")
    if ctx is None:
        raise RuntimeError(
            "ui.context.context(): the dashboard's frame has not run; start the app with `streamlit run dashboard.py`"
        )
    return ctx


def _running_without_navigation() -> bool:
    """Streamlit is running a file from pages/ itself (old-style multipage discovery)."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the old behaviour
        return False
    return bool(getattr(PagesManager, "uses_pages_directory", False))


def require_period(ctx: Context) -> Period:
    """The selected period; where the selection has none, the page says so and stops."""
    if ctx.period is None:
        st.info(
            "There is no attendance data for this selection. Choose another academic year or "
            "period in the sidebar."
        )
        st.stop()
    return ctx.period
