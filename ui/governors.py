"""Sections of the Governors' view: the school against the LA and England (like for like, each
comparator named), and the school's attendance strategy statement that its staff write."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import catalogue
import queries
from actions import meetings, store
from data_pipeline import config
from queries import comparison
from ui import charts
from ui import school as sui

RATES = ["attendance_rate", "persistent_absence_rate", "severe_absence_rate"]
# Small numbers as governors see them (queries.run_suppressed): the school's counts under the
# threshold and the rates built on them; the LA's rows pool every school of the phase.
SUPPRESSION = dict(
    count_cols=[
        "enrolments",
        "enrolments_daily_rule",
        "pa_enrolments_daily_rule",
        "sa_enrolments_daily_rule",
    ],
    rate_cols={
        "attendance_rate": ("enrolments",),
        "persistent_absence_rate_daily_rule": ("pa_enrolments_daily_rule", "enrolments_daily_rule"),
        "severe_absence_rate_daily_rule": ("sa_enrolments_daily_rule", "enrolments_daily_rule"),
    },
    group_cols=None,
)


def headline_table(scope, urn: int, phase: str, p: queries.Period, export: bool = False) -> pd.DataFrame:
    """This school, the LA's schools of its phase and England over the same period: attendance,
    and PA and SA by DfE's daily-collection rule (the rule England's figures follow), with a
    note on each comparator; small numbers suppressed for the roles that see them so."""
    head = queries.run_suppressed(
        "school_headline",
        scope,
        **SUPPRESSION,
        export=export,
        urn=urn,
        year=p.academic_year,
        week_hours=config.SCHOOL_WEEK_HOURS,
        **p.params(),
    )
    bench = phase if phase in ("Primary", "Secondary", "Special") else "Total"
    head = comparison.with_england(head[head["comparison"].isin(["This school", "LA, same phase"])], p, bench)
    out = pd.DataFrame(
        {
            "comparison": head["comparison"].replace(
                {
                    "This school": f"This school, {p.label}",
                    "LA, same phase": f"The LA's {phase.lower()} schools, {p.label}",
                }
            ),
            "attendance_rate": head["attendance_rate"],
            "persistent_absence_rate": head[comparison.daily_rule_column("persistent_absence_rate")],
            "severe_absence_rate": head[comparison.daily_rule_column("severe_absence_rate")],
            "note": head.get("note"),
        }
    ).reset_index(drop=True)
    return out


def plain(df: pd.DataFrame) -> pd.DataFrame:
    labels = catalogue.column_labels()
    return df.rename(
        columns={
            "comparison": "Compared with",
            "attendance_rate": labels["attendance_rate"],
            "persistent_absence_rate": "PA % (daily collection's rule)",
            "severe_absence_rate": "SA % (daily collection's rule)",
            "note": "Note",
        }
    )


def headline(scope, urn: int, phase: str, p: queries.Period) -> pd.DataFrame:
    st.header("The school against the LA and England")
    t = headline_table(scope, urn, phase, p)
    st.caption(
        "The same weeks for each; pupils of compulsory school age. PA and SA follow DfE's daily collection's "
        "rule (enrolments with more than 10 possible sessions), the rule England's figures follow."
    )
    shown = t.copy()
    for c in RATES:  # 'c' and numbers in one column: shown as text, one decimal place
        shown[c] = [v if isinstance(v, str) else ("–" if pd.isna(v) else f"{v:.1f}") for v in shown[c]]
    # a comparator's note (why a figure is missing) under the table, where it is read whole
    st.dataframe(plain(shown.drop(columns=["note"])), hide_index=True)
    for r in t[t["note"].notna()].itertuples():
        st.caption(f"{r.comparison}: {r.note}.")
    return t


def strategy(ctx, urn: int) -> str:
    """The statement as governors read it; school staff and LA officers can edit it here."""
    st.header("The school's attendance strategy")
    held = meetings.statement(ctx.scope, urn)
    text = held["statement"] if held else ""
    if text:
        st.markdown(text)
        st.caption(f"Written by the school; last updated {held['updated_at'][:10]}.")
    else:
        st.info("The school has not written a strategy statement yet.")
    if store.can_record(ctx.scope):
        with st.expander("Edit the statement (school staff)"):
            with st.form("strategy_statement"):
                new = st.text_area(
                    "What the school is doing about attendance, in a few sentences for governors",
                    value=text,
                    max_chars=meetings.MAX_TEXT["statement"],
                    key="strategy_text",
                )
                if st.form_submit_button("Save the statement", icon=":material/save:"):
                    meetings.set_statement(ctx.scope, urn, new)
                    st.rerun()
    return text


def pa_bars(df: pd.DataFrame, category: str, columns: dict[str, str], colours: list[str]) -> dict:
    """Persistent absence by `category` as bars, one a column ({label: column}, each its colour);
    the first column's withheld figures written as 'c' where their bar would be."""
    first = next(iter(columns.values()))
    rows = [
        {category: cat, "series": label, "pa": value, "label": c if col == first else ""}
        for label, col in columns.items()
        for cat, value, c in zip(df[category], df[col], sui.c_labels(df, first))
    ]
    return charts.bars(
        pd.DataFrame(rows),
        category=category,
        value="pa",
        series="series",
        colours=dict(zip(columns, colours)),
        value_title="persistent absence, % of pupils",
        label="label",
    )
