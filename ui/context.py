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
    return st.session_state["_context"]
