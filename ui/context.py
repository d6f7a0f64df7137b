"""The shared frame's state, set by dashboard.py on every run and read by pages."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from queries import WHOLE_LA, Period, Scope


@dataclass(frozen=True)
class Context:
    meta: dict
    period: Period | None
    phase: str | None  # None = all phases
    scope: Scope = WHOLE_LA

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
    session has called `st.navigation` (a process-wide switch), runs a fresh server's pages
    the old multipage way, straight from the file. So the very first session on a new
    server that opens a deep link (`/schools`) would run the page with no sign-in, no
    filters and no context. Here that run is sent back through dashboard.py: switch the
    old behaviour off for the process and rerun the same page (same URL path, same query
    string), which now goes through the frame and its access rules.
    """
    if _running_without_navigation():
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False  # what st.navigation itself does
        st.rerun()
    ctx = st.session_state.get("_context")
    if ctx is None:
        raise RuntimeError(
            "ui.context.context(): the dashboard's frame has not run; "
            "start the app with `streamlit run dashboard.py`"
        )
    return ctx


def _running_without_navigation() -> bool:
    """Streamlit is running a file from pages/ itself (old-style multipage discovery)."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the old behaviour
        return False
    return bool(getattr(PagesManager, "uses_pages_directory", False))
