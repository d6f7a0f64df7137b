"""Sections that several pages share: each draws a chart, says in a sentence what it shows, and
gives the same figures as a table and a download (ui.chart_block). A page is a short list of
these, with its own queries and words."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ui
from data_pipeline.codes import REASON_LABELS


def weekly_trend(
    weekly: pd.DataFrame,
    series: dict[str, str],
    *,
    file_stem: str,
    key: str,
    synthetic: bool,
    note: str,
    empty: str,
    compare: str | None = None,
    subject: str = "absence",
) -> None:
    """Overall absence week by week: one line per value of weekly['series'] named in `series`
    ({value: label}, the first the main one, drawn with markers), by school week of the year so
    that years overlay. The reading names the latest and the worst week of the main series and,
    with `compare`, that series' figure for the same week."""
    main = next(iter(series))
    this = weekly[weekly["series"] == main].dropna(subset=["overall_absence_rate"])
    if this.empty:
        st.info(empty)
        return
    fig = go.Figure()
    for i, (value, label) in enumerate(series.items()):
        s = weekly[weekly["series"] == value]
        if s.empty:
            continue
        england = value.startswith("England")
        fig.add_scatter(
            x=s["week_of_year"],
            y=s["overall_absence_rate"],
            name=label,
            mode="markers" if england else "lines+markers" if value == main else "lines",
            line=dict(
                color=ui.SERIES[i % len(ui.SERIES)],
                width=3 if value == main else 2,
                dash="dot" if value.startswith("LA") or value == "others" else "solid",
            ),
            marker=dict(size=9, symbol="diamond" if england else "circle"),
            customdata=s["week_start"].dt.strftime("%d %b %Y"),
            hovertemplate="week %{x} (w/c %{customdata}): %{y:.1f}%<extra></extra>",
        )
    ui.style_figure(fig, y_title="overall absence, % of sessions")
    fig.update_xaxes(title="school week of the academic year")
    latest = this.iloc[-1]
    peak = this.loc[this["overall_absence_rate"].idxmax()]
    same_week = (
        weekly[(weekly["series"] == compare) & (weekly["week_of_year"] == latest["week_of_year"])]
        if compare
        else weekly.iloc[0:0]
    )
    reading = (
        f"In the latest week (w/c {latest['week_start']:%d %b %Y}) {subject} was "
        f"**{ui.pct(latest['overall_absence_rate'])}**"
        + (
            f", against {ui.pct(same_week.iloc[0]['overall_absence_rate'])} for {series[compare]} that week"
            if not same_week.empty and pd.notna(same_week.iloc[0]["overall_absence_rate"])
            else ""
        )
        + f"; the worst week was w/c {peak['week_start']:%d %b %Y} at {ui.pct(peak['overall_absence_rate'])}."
    )
    ui.chart_block(fig, reading, weekly, file_stem, synthetic, note=note, key=key)


def reason_bars(
    reasons: pd.DataFrame,
    bars: dict[str, str],
    reading: str,
    *,
    file_stem: str,
    key: str,
    synthetic: bool,
    note: str,
) -> None:
    """Each reason for absence as a share of possible sessions, one bar per column of `bars`
    ({column: label}; columns with no figure are left out), largest reason at the top."""
    out = reasons.copy()
    out.insert(0, "reason_label", out["reason"].map(REASON_LABELS).fillna(out["reason"]))
    r = out.iloc[::-1]
    fig = go.Figure()
    for i, (col, label) in enumerate(bars.items()):
        if col in r and r[col].notna().any():
            fig.add_bar(name=label, y=r["reason_label"], x=r[col], orientation="h", marker_color=ui.SERIES[i])
    ui.style_figure(fig, height=460)
    fig.update_xaxes(title="% of possible sessions")
    ui.chart_block(fig, reading, out, file_stem, synthetic, note=note, key=key)
