"""Vega-Lite charts for the pages people land on: the LA overview, a school's headline and
week by week, the governors' view, and the sections they share.

Why not Plotly there: Streamlit draws Plotly with a 4.7 MB script that a 2-core machine took
1.1 s to load and run before the first chart of a first open appeared (docs/PERFORMANCE.md);
Vega-Lite's is 0.8 MB. The style is ui.accessible's, in one place (CONFIG): text in GOV.UK's
text colour, bars outlined, legends in words with a line's dash and a point's shape beside its
colour; of Streamlit's chart buttons only its PNG download and full screen. A chart is a spec
with its data inline (small: a bar or point each), so what is drawn can be read back from it.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import streamlit as st

import catalogue
import ui

# the period shaded behind week-by-week lines: light enough that text on it keeps GOV.UK's
# text colour at over 15:1
BAND = "#f3f2f1"

CONFIG = {
    "font": "Source Sans Pro, sans-serif",
    "background": "white",
    "view": {"stroke": None},
    "axis": {
        "labelColor": ui.TEXT,
        "titleColor": ui.TEXT,
        "labelFontSize": 13,
        "titleFontSize": 13,
        "titleFontWeight": "normal",
        "domainColor": ui.SECONDARY_TEXT,
        "tickColor": ui.SECONDARY_TEXT,
        "gridColor": "#e8e8e8",
        "labelLimit": 320,
    },
    "legend": {
        "orient": "top",
        "direction": "vertical",
        "labelColor": ui.TEXT,
        "labelFontSize": 13,
        "labelLimit": 0,
        "title": None,
    },
    "bar": {"stroke": ui.TEXT, "strokeWidth": 1},
    "text": {"color": ui.TEXT, "fontSize": 13},
}
BAR = 16  # px a bar, so a chart's height follows its number of bars


def _records(df: pd.DataFrame) -> list[dict]:
    """Rows as JSON values: missing as null, dates as ISO days ("2025-09-01"). A day alone, not
    pandas' "2025-09-01T00:00:00": a browser reads a date and time with no zone as its own local
    time, and in British Summer Time that is 23:00 the day before in UTC, which the charts' utc
    time units would show."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return json.loads(out.to_json(orient="records"))


def bars(
    data: pd.DataFrame,
    *,
    category: str,
    value: str,
    series: str,
    colours: dict[str, str],
    value_title: str,
    label: str | None = None,
) -> dict:
    """Horizontal grouped bars: one group per `category` (in data's order, top down), one bar a
    `series` (in `colours`' order, each its colour). A missing value draws no bar; `label` (a
    column) writes its text at the bar's end, e.g. 'c' for a withheld figure."""
    cats = list(dict.fromkeys(data[category]))
    names = [s for s in colours if s in set(data[series])]
    cols = [category, series, value] + ([label] if label else [])
    y = {"field": category, "type": "nominal", "sort": cats, "title": None}
    enc = {
        "y": y,
        "yOffset": {"field": series, "sort": names},
        "x": {"field": value, "type": "quantitative", "title": value_title},
        "color": {
            "field": series,
            "type": "nominal",
            "sort": names,
            "scale": {"domain": names, "range": [colours[s] for s in names]},
        },
        "tooltip": [
            {"field": series, "title": "series"},
            {"field": category, "title": "group"},
            {"field": value, "type": "quantitative", "format": ".1f", "title": value_title},
        ],
    }
    layers = [{"mark": {"type": "bar"}, "encoding": enc}]
    if label:
        layers.append(
            {
                "transform": [{"filter": f"isValid(datum['{label}']) && datum['{label}'] !== ''"}],
                "mark": {"type": "text", "align": "left", "baseline": "middle", "dx": 4},
                "encoding": {
                    "y": y,
                    "yOffset": enc["yOffset"],
                    "x": {"datum": 0, "type": "quantitative"},
                    "text": {"field": label},
                },
            }
        )
    return {
        "width": "container",
        "height": max(120, BAR * len(cats) * len(names) + 8 * len(cats)),
        "data": {"values": _records(data[cols])},
        "layer": layers,
    }


def measure_bars(series: list[tuple[str, str, dict]]) -> dict:
    """Headline measures side by side, a group a measure: one bar a (name, colour, {measure id:
    value}) of `series`, in that order (a comparator given only some measures has only those)."""
    rows = [
        {"measure": catalogue.measure(mid).label, "series": name, "rate": value}
        for name, _, values in series
        for mid, value in values.items()
    ]
    return bars(
        pd.DataFrame(rows),
        category="measure",
        value="rate",
        series="series",
        colours={name: colour for name, colour, _ in series},
        value_title="% (of sessions; PA and SA: of pupils)",
    )


def week_lines(
    data: pd.DataFrame,
    *,
    date: str,
    value: str,
    series: str,
    week: str,
    real_date: str,
    styles: dict[str, dict],
    date_title: str,
    value_title: str,
    band: tuple[dt.date, dt.date, str] | None = None,
) -> dict:
    """A line a series over `date`, broken where `week` (the school week) skips (a holiday): each
    unbroken run is its own path; the tooltip gives the week's own date (`real_date`). `styles` maps each series, in legend order, to its colour,
    dash ([] solid) and point shape (None: no points, and a line in the legend; points only:
    line False). `band` (first day, last day, label) shades the period the page's other figures
    cover, named in words at its top (not by its shade alone)."""
    names = [s for s in styles if s in set(data[series])]
    rows = data.dropna(subset=[value]).sort_values([series, week]).copy()
    rows["run"] = rows.groupby(series)[week].transform(lambda w: (w.diff() != 1).cumsum())
    scale = {"domain": names}
    legend = {"symbolStrokeWidth": 2}
    x = {
        "field": date,
        "type": "temporal",
        "timeUnit": "utcyearmonthdate",  # the day as sent (ISO dates are UTC), whatever the browser's zone
        "title": date_title,
        "axis": {"format": "%d %b"},
    }
    # headroom above the highest point and below the lowest, so that neither sits on the plot's
    # edge (a marker there is cut in half and reads as off the scale)
    y_scale = {"zero": False}
    if not rows.empty:
        lo, hi = float(rows[value].min()), float(rows[value].max())
        pad = max(hi - lo, abs(hi), 1.0) * 0.06
        y_scale.update(domain=[max(lo - pad, 0.0), hi + pad], nice=True)
    y = {"field": value, "type": "quantitative", "title": value_title, "scale": y_scale}
    colour = {
        "field": series,
        "type": "nominal",
        "sort": names,
        "scale": {**scale, "range": [styles[s]["colour"] for s in names]},
        "legend": legend,
    }
    tooltip = [
        {"field": series, "title": "series"},
        {"field": "week_commencing", "title": "week commencing"},
        {"field": value, "type": "quantitative", "format": ".1f", "title": value_title},
    ]
    lined = [s for s in names if styles[s].get("line", True)]
    pointed = [s for s in names if styles[s].get("shape")]
    layers = [
        {
            "transform": [{"filter": {"field": series, "oneOf": lined}}],
            "mark": {"type": "line"},
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "detail": {"field": "run"},
                "strokeDash": {
                    "field": series,
                    "sort": names,
                    "scale": {**scale, "range": [styles[s].get("dash", []) for s in names]},
                    "legend": legend,
                },
                "strokeWidth": {"field": "width", "type": "quantitative", "scale": None, "legend": None},
            },
        },
        {
            # A line's hover would give its path's first week wherever it is pointed at: each week
            # of a series without points carries its own tooltip on an unseen point instead.
            "transform": [{"filter": {"field": series, "oneOf": [s for s in lined if s not in pointed]}}],
            "mark": {"type": "point", "opacity": 0, "size": 120},
            "encoding": {"x": x, "y": y, "tooltip": tooltip},
        },
        {
            "transform": [{"filter": {"field": series, "oneOf": pointed}}],
            "mark": {
                "type": "point",
                "filled": True,
                "opacity": 1,
                "size": 70,
                "stroke": ui.TEXT,
                "strokeWidth": 0.5,
            },
            "encoding": {
                "x": x,
                "y": y,
                "color": colour,
                "shape": {
                    "field": series,
                    "sort": names,
                    "scale": {**scale, "range": [styles[s].get("shape") or "stroke" for s in names]},
                    "legend": legend,
                },
                "tooltip": tooltip,
            },
        },
    ]
    if band:
        start, end, label = band
        shade = {"values": [{"start": start.isoformat(), "end": end.isoformat(), "label": label}]}
        at = {"field": "start", "type": "temporal", "timeUnit": "utcyearmonthdate"}
        layers[:0] = [
            {
                "data": shade,
                "mark": {"type": "rect", "color": BAND, "opacity": 1},
                "encoding": {
                    "x": {**at, "title": date_title},
                    "x2": {"field": "end", "timeUnit": "utcyearmonthdate"},
                },
            },
            {
                "data": shade,
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "top",
                    "dx": 4,
                    "dy": 4,
                    "y": 0,
                    "color": ui.TEXT,
                },
                "encoding": {"x": at, "text": {"field": "label"}},
            },
        ]
    rows["width"] = rows[series].map(lambda s: styles[s].get("width", 2))
    rows["week_commencing"] = pd.to_datetime(rows[real_date]).dt.strftime("%d %b %Y")
    keep = [date, value, series, week, "run", "width", "week_commencing"]
    return {"width": "container", "height": 380, "data": {"values": _records(rows[keep])}, "layer": layers}


def draw(spec: dict, alt: str, key: str | None = None) -> None:
    """A spec drawn in the app's style (CONFIG), named for screen readers by `alt`; Streamlit's
    own theme is off (its axis text is 3.7:1 on white)."""
    st.vega_lite_chart({**spec, "config": CONFIG}, theme=None, key=key, alt=alt)
