"""The section of pupil lists (catalogue/pupil_lists.toml), one tab per list, with each list's
rule and span above it; shared by the School page and the Targeting Support Meeting."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import catalogue
from ui import school as sui

_KINDS = {
    "date": lambda label: st.column_config.DateColumn(label, format="DD MMM YYYY"),
    "tick": lambda label: st.column_config.CheckboxColumn(label),
    "percent": lambda label: st.column_config.NumberColumn(label, format="%.1f"),
    "number": lambda label: st.column_config.NumberColumn(label),
}
ORDER_NOTE = (
    "Sorted by need: most days missed first, then the steepest fall in attendance over the pupil's last "
    "4 school weeks (*Recent change*, points against the whole span)."
)


def tabs(
    lists: dict[str, pd.DataFrame], period_label: str, ctx, urn: int, key_prefix: str, params: dict
) -> None:
    st.caption(ORDER_NOTE)
    entries = catalogue.pupil_lists()
    for tab, lst in zip(st.tabs([f"{x.label} ({len(lists[x.query])})" for x in entries]), entries):
        with tab:
            extra = {c: _KINDS[kind](label) for c, (label, kind) in lst.columns.items()}
            extra["recent_change"] = st.column_config.NumberColumn("Recent change (points)", format="%+.1f")
            sui.pupil_list(
                lists[lst.query],
                lst.rule_for(period_label),
                f"{key_prefix}{lst.query.removeprefix('pupil_')}_{urn}",
                ctx.scope,
                ctx.synthetic,
                key=f"{key_prefix}{lst.query}",
                extra_config=extra,
                params=params,
            )
