"""Sections that several pages share: each draws a chart, says in a sentence what it shows, and
gives the same figures as a table and a download (ui.chart_block). A page is a short list of
these, with its own queries and words."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

import ui
from data_pipeline.codes import REASON_LABELS
from queries import Period
from ui import charts


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
    compare_words: str | None = None,
    subject: str = "absence",
    other_years: bool = True,
    period: Period | None = None,
) -> None:
    """Overall absence week by week: one line per value of weekly['series'] named in `series`
    ({value: label}, the first the main one, drawn with markers), on dates, each series at its
    school week of the year so that years overlay, broken at holidays. The reading names the latest and the worst week of the main series and,
    with `compare`, that series' figure for the same week (named `compare_words`, else by its
    label). `other_years`: the series other than the main one are other years, drawn at the same
    school week (False: the same weeks, as a cohort against all other pupils). With `period` (the sidebar's, when
    it is less than the year to date) the lines still run over the whole year, for context, but
    the period is shaded and named, and the reading is of its weeks: the page's other figures
    are the period's, and a term's figures read beside a year's worst week would not compare
    like with like."""
    main = next(iter(series))
    this = weekly[weekly["series"] == main].dropna(subset=["overall_absence_rate"])
    if this.empty:
        st.info(empty)
        return
    # Dates on the axis: every series at its school week's date in the main series' year (week 1
    # is the week of 1 September), so years still overlay week for week; the real week is in
    # the tooltip. A week missing from a series (a holiday) breaks its line: no line runs across.
    first = this.iloc[0]
    anchor = pd.Timestamp(first["week_start"]) - pd.Timedelta(weeks=int(first["week_of_year"]) - 1)
    shown = weekly[weekly["series"].isin(series)].copy()
    shown["date"] = anchor + pd.to_timedelta((shown["week_of_year"] - 1) * 7, unit="D")
    shown["series_label"] = shown["series"].map(series)
    styles = {}
    for i, (value, label) in enumerate(series.items()):
        england = value.startswith("England")
        styles[label] = dict(
            colour=ui.SERIES[i % len(ui.SERIES)],
            width=3 if value == main else 2,
            dash=[5, 4] if value.startswith("LA") or value == "others" else [],
            shape="diamond" if england else "circle" if value == main else None,
            line=not england,
        )
    band = None
    if period is not None and period.kind != "year":
        starts = pd.to_datetime(this["week_start"])
        weeks = this[(starts >= pd.Timestamp(period.week_from)) & (starts <= pd.Timestamp(period.week_to))]
        if not weeks.empty:
            this = weeks
            band = (period.week_from, period.week_to + dt.timedelta(days=4), period.label)
    spec = charts.week_lines(
        shown,
        date="date",
        value="overall_absence_rate",
        series="series_label",
        week="week_of_year",
        real_date="week_start",
        styles=styles,
        date_title=f"week commencing, {series[main]}" if other_years else "week commencing",
        value_title="overall absence, % of sessions",
        band=band,
    )
    latest = this.iloc[-1]
    peak = this.loc[this["overall_absence_rate"].idxmax()]
    same_week = (
        weekly[(weekly["series"] == compare) & (weekly["week_of_year"] == latest["week_of_year"])]
        if compare
        else weekly.iloc[0:0]
    )
    within = f"{period.label} (shaded)" if band else ""
    reading = (
        (f"In the last week of {within}" if band else "In the latest week")
        + f" (w/c {latest['week_start']:%d %b %Y}) {subject} was "
        f"**{ui.pct(latest['overall_absence_rate'])}**"
        + (
            f", against {ui.pct(same_week.iloc[0]['overall_absence_rate'])} for "
            f"{compare_words or series[compare]} that week"
            if not same_week.empty and pd.notna(same_week.iloc[0]["overall_absence_rate"])
            else ""
        )
        + f"; the worst week{' of ' + period.label if band else ''} was "
        + f"w/c {peak['week_start']:%d %b %Y} at {ui.pct(peak['overall_absence_rate'])}."
        + (" The lines run over the whole year for context." if band else "")
        + (
            " Other years are drawn at the same school week; a gap in a line is a holiday."
            if len(series) > 1 and other_years
            else " A gap in a line is a holiday."
        )
    )
    ui.chart_block(spec, reading, weekly, file_stem, synthetic, note=note, key=key, kind="vega")


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
    shown = {col: label for col, label in bars.items() if col in out and out[col].notna().any()}
    long = out.melt(id_vars="reason_label", value_vars=list(shown), var_name="bar", value_name="share")
    long["bar"] = long["bar"].map(shown)
    spec = charts.bars(
        long,
        category="reason_label",
        value="share",
        series="bar",
        colours={label: ui.SERIES[i] for i, label in enumerate(bars.values())},
        value_title="% of possible sessions",
    )
    ui.chart_block(spec, reading, out, file_stem, synthetic, note=note, key=key, kind="vega")


def data_quality(quality: pd.DataFrame, as_of, *, file_stem: str, key: str, synthetic: bool) -> None:
    """Schools' registers as data: N codes left unresolved more than 5 school days, sessions with
    no mark for a pupil on roll, and how old each school's latest mark is, worst first."""
    st.caption(
        f"As at {as_of:%d %B %Y}, the latest date loaded. Unresolved N: marks of 'reason not yet "
        "provided' more than 5 of the school's school days old (schools must chase and replace N). "
        "Missing sessions: sessions this academic year between a pupil's first and last mark at the "
        "school on which the school marked other pupils but not them. The same figures as "
        "`python -m data_pipeline quality`."
    )
    if quality.empty:
        st.info("No school has registers loaded.")
        return
    worst = quality.iloc[0]
    problems = quality[(quality["unresolved_n"] > 0) | (quality["missing_sessions"] > 0)]
    reading = f"{len(problems)} of {len(quality)} schools have unresolved N codes or missing sessions" + (
        f"; the most at **{worst['school_name']}**: {ui.number(worst['unresolved_n'])} unresolved N, "
        f"{ui.number(worst['missing_sessions'])} missing sessions."
        if not problems.empty
        else "."
    )
    stale = quality[quality["days_since_last_mark"].fillna(0) > 7]
    if not stale.empty:
        reading += f" {len(stale)} school(s) sent no marks in the last week of the data."
    st.markdown(reading)
    st.dataframe(
        quality,
        hide_index=True,
        column_config={
            "urn": "URN",
            "school_name": "School",
            "phase": "Phase",
            "unresolved_n": st.column_config.NumberColumn("Unresolved N (over 5 school days)"),
            "missing_sessions": st.column_config.NumberColumn("Missing sessions"),
            "last_mark_date": st.column_config.DateColumn("Latest mark", format="DD MMM YYYY"),
            "days_since_last_mark": st.column_config.NumberColumn("Days since latest mark"),
        },
        key=f"{key}_table",
    )
    ui.csv_download(quality, synthetic, f"data quality as at {as_of}", file_stem, f"{key}_csv")
