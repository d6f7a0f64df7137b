"""The Benchmarking page's sections: the LA against its neighbours, region and England; every LA
ranked; the trend over the published years (with the series' breaks); a map of England."""

from __future__ import annotations

import html
import json

import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

import catalogue
import ui
from data_pipeline.reference import boundaries_path
from ui import breaks, maps

# LAIT's quartile bands: A is the best quarter of LAs whichever way is better.
QUARTILE_WORDS = {
    1: "quartile band A (best quarter)",
    2: "quartile band B",
    3: "quartile band C",
    4: "quartile band D (worst quarter)",
}


@st.cache_data(show_spinner=False)
def _boundaries() -> dict:
    return json.loads(boundaries_path("la").read_text())


def comparators(
    year_rows, la_label, label, unit, low_good, me, measure, ctx, year, labels, collection
) -> None:
    """The LA against its statistical and geographic neighbours, their average, the region and England, in one year."""
    st.header("Against neighbours, region and England")
    keep = year_rows[year_rows["area_type"] != "Other LA"].copy()
    order = {
        "LA": 0,
        "Statistical neighbours average": 1,
        "Region": 2,
        "England": 3,
        "Statistical neighbour": 4,
        "Geographic neighbour": 5,
    }
    keep["order"] = keep["area_type"].map(order)
    keep = keep.sort_values(["order", "value"])
    colours = {
        "LA": ui.OKABE_ITO["vermillion"],
        "Statistical neighbours average": ui.OKABE_ITO["blue"],
        "Region": ui.OKABE_ITO["green"],
        "England": ui.OKABE_ITO["black"],
        "Statistical neighbour": ui.OKABE_ITO["sky"],
        "Geographic neighbour": ui.OKABE_ITO["orange"],
    }
    fig = go.Figure()
    for kind in [
        "LA",
        "Statistical neighbours average",
        "Region",
        "England",
        "Statistical neighbour",
        "Geographic neighbour",
    ]:
        s = keep[keep["area_type"] == kind]
        if s.empty:
            continue
        fig.add_bar(
            y=s["la_name"].where(s["area_type"] != "LA", la_label),
            x=s["value"],
            orientation="h",
            name=kind,
            marker_color=colours[kind],
        )
    ui.style_figure(fig, height=max(420, 26 * len(keep)))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title=f"{label}, {unit}")
    sn = keep[keep["area_type"] == "Statistical neighbours average"]
    eng = keep[keep["area_type"] == "England"]
    sn_v = sn["value"].iloc[0] if not sn.empty else None
    eng_v = eng["value"].iloc[0] if not eng.empty else None

    def better(a, b):
        return a < b if low_good else a > b

    reading = f"{la_label}'s {label.lower()} is {ui.pct(me['value'], 2)}"
    if sn_v is not None:
        reading += (
            f", {ui.points(me['value'] - sn_v)} on its statistical neighbours' average "
            f"({ui.pct(sn_v, 2)}"
            + (
                ""
                if abs(me["value"] - sn_v) < 0.05
                else f"; {'better' if better(me['value'], sn_v) else 'worse'}"
            )
            + ")"
        )
    if eng_v is not None:
        reading += f" and {ui.points(me['value'] - eng_v)} on England ({ui.pct(eng_v, 2)})"
    reading += "."
    if measure == "persistent_absence_rate":
        reading += f" That is {ui.one_in(me['value'])}."
    elif measure == "overall_absence_rate":
        reading += f" That is {ui.days_a_year(me['value'], ctx.year_days)} per pupil."
    table = keep[["area_type", "la_code", "la_name", "value", "rank", "quartile", "source_file"]]
    ui.chart_block(
        fig,
        reading,
        table,
        f"benchmark_{measure}_{year}",
        ctx.synthetic,
        note=f"{label} {labels[year]} {ctx.phase_label} {collection}",
        key="comparators",
    )


def ranked(n, las, me, la_label, label, unit, low_good, rank_words, measure, year, ctx, labels) -> None:
    """Every LA's figure in rank order, the LA and its neighbours marked, with the quartile bands."""
    st.header(f"All {n} LAs ranked")
    fig = go.Figure()
    bar_colours = [
        # every fill at 3:1 or better on white (a darker grey than Okabe-Ito's): 150 narrow bars
        # are drawn without outlines, which would turn them black
        ui.OKABE_ITO["vermillion"] if r else ui.OKABE_ITO["blue"] if s else "#808080"
        for r, s in zip(las["is_la"].astype(bool), las["is_stat_neighbour"].astype(bool))
    ]
    # not colour alone: the LA's bar is labelled, its statistical neighbours' bars hatched
    patterns = [
        "" if r else "/" if n else ""
        for r, n in zip(las["is_la"].astype(bool), las["is_stat_neighbour"].astype(bool))
    ]
    # each LA at its own place in rank order: LAs sharing a rank drawn at one x would pile up
    # into one bar several times the height of their figure
    place = list(range(1, len(las) + 1))
    me_place = place[las["is_la"].astype(bool).tolist().index(True)]  # the page stops without the LA
    fig.add_bar(
        x=place,
        y=las["value"],
        marker_color=bar_colours,
        marker_pattern=dict(shape=patterns, fgcolor="white", solidity=0.4),
        marker_line_width=0,
        name="LAs",
        customdata=las[["la_name", "rank"]],
        hovertemplate="%{customdata[0]}: %{y:.2f}% (rank %{customdata[1]})<extra></extra>",
    )
    q = las.iloc[0]
    for qv, name, pos in [
        (q["q25"], "lower quartile", "bottom left"),
        (q["q50"], "median", "top left"),
        (q["q75"], "upper quartile", "top right"),
    ]:
        fig.add_hline(
            y=qv,
            line_dash="dot",
            line_color=ui.OKABE_ITO["black"],
            annotation_text=f"{name} {qv:.2f}%",
            annotation_position=pos,
            # the label on a white box, not on the grey bars (1.3:1 there)
            annotation=dict(
                bgcolor="white", bordercolor=ui.SECONDARY_TEXT, borderwidth=1, font=dict(color=ui.TEXT)
            ),
        )
    fig.add_annotation(
        x=me_place,
        y=me["value"],
        text=la_label,
        showarrow=True,
        arrowhead=2,
        ay=-40,
        font=dict(color=ui.TEXT, size=14),
        bgcolor="white",
    )
    ui.style_figure(fig, height=420, y_title=f"{label}, {unit}")
    fig.update_xaxes(
        title=f"LAs in rank order ({'lowest' if low_good else 'highest'} first; tied LAs side by side)"
    )
    reading = (
        f"{la_label} ranks **{rank_words}**; the median LA is at {q['q50']:.2f}%. "
        f"{la_label}'s bar is labelled; its statistical neighbours' bars are hatched; dotted lines "
        "mark the quartiles."
    )
    ui.chart_block(
        fig,
        reading,
        las[
            [
                "rank",
                "quartile",
                "la_code",
                "la_name",
                "region_name",
                "value",
                "is_stat_neighbour",
                "is_geo_neighbour",
            ]
        ],
        f"ranking_{measure}_{year}",
        ctx.synthetic,
        note=f"{label} {labels[year]}",
        key="ranking",
    )


def trend(data, collection, la_label, label, unit, COLLECTIONS, measure, ctx) -> None:
    """The LA, its neighbours' average, the region and England over the published years, drawn in comparable stretches."""
    st.header("Trend over the published years")
    trend = data[data["area_type"].isin(["LA", "Statistical neighbours average", "Region", "England"])]
    fig = go.Figure()
    for kind, colour, dash, symbol in [
        ("LA", ui.SERIES[1], "solid", "circle"),
        ("Statistical neighbours average", ui.SERIES[0], "dash", "square"),
        ("Region", ui.SERIES[3], "dot", "triangle-up"),
        ("England", ui.SERIES[2], "solid", "diamond"),
    ]:
        s = breaks.with_gaps(
            trend[trend["area_type"] == kind][["time_period", "value", "la_name"]], collection
        )
        if s["value"].isna().all():
            continue
        name = la_label if kind == "LA" else (s["la_name"].dropna().iloc[0] if kind == "Region" else kind)
        # one trace per comparable stretch, so no line runs across a break
        for i, (_, part) in enumerate(s.groupby("segment")):
            fig.add_scatter(
                x=part["period_label"],
                y=part["value"],
                name=name,
                legendgroup=kind,
                showlegend=i == 0,
                mode="lines+markers",
                line=dict(color=colour, dash=dash, width=3),
                marker=dict(size=8, symbol=symbol),
            )
    years = sorted(trend["time_period"].unique())
    all_labels = breaks.with_gaps(trend[["time_period"]].drop_duplicates(), collection)["period_label"]
    ui.style_figure(fig, height=400, y_title=f"{label}, {unit}")
    fig.update_xaxes(
        type="category", title="academic year", categoryorder="array", categoryarray=list(all_labels)
    )
    breaks.mark(fig, range(years[0], years[-1] + 1), collection)
    span = breaks.trend_sentence_span(trend[trend["area_type"] == "LA"], collection)
    first, latest = span.iloc[0], span.iloc[-1]
    reading = (
        f"{COLLECTIONS[collection]} only: {la_label}'s {label.lower()} went from "
        f"{ui.pct(first['value'], 2)} in {first['period_label']} to {ui.pct(latest['value'], 2)} in "
        f"{latest['period_label']}"
        + (
            f" (the years since the last break in the series, {first['period_label']})."
            if len(span) < trend[trend["area_type"] == "LA"]["value"].notna().sum()
            else "."
        )
    )
    for year in breaks.notes(range(years[0], years[-1] + 1), collection):
        reading += f" {catalogue.collections()[collection].break_at(year).note}"
    trend = trend.assign(
        series_note=trend["time_period"].map(breaks.notes(range(years[0], years[-1] + 1), collection))
    )
    ui.chart_block(
        fig,
        reading,
        trend[["period_label", "area_type", "la_name", "value", "source_file", "series_note"]],
        f"trend_{measure}",
        ctx.synthetic,
        note=f"{label} {collection}",
        key="trend",
    )


def england_map(las, la_code, label, labels, year, direction, la_label, me, measure, ctx) -> None:
    """A map of England's LAs shaded by quartile band, the LA and its neighbours outlined."""
    st.header("Map of England's LAs")
    geo = _boundaries()
    vals = dict(zip(las["la_code"], las["value"]))
    quart = dict(zip(las["la_code"], las["quartile"]))
    nbrs = set(
        las.loc[las["is_stat_neighbour"].astype(bool) | las["is_geo_neighbour"].astype(bool), "la_code"]
    )
    # Quartile colours, light (best) to dark (worst): a single-hue sequential scale, safe in greyscale.
    QCOL = {1: [239, 243, 255], 2: [189, 215, 231], 3: [107, 174, 214], 4: [33, 113, 181]}
    # not published: a mid grey with no hue, not a light grey beside band A's near-white blue
    NOT_PUBLISHED = [150, 150, 150]
    features = []
    for f in geo["features"]:
        code = f["properties"]["la_code"]
        v = vals.get(code)
        props = dict(
            f["properties"],
            value="not published" if v is None else f"{v:.2f}%",
            fill=QCOL.get(quart.get(code), NOT_PUBLISHED) + [230],
            line=[213, 94, 0] if code == la_code else [0, 0, 0] if code in nbrs else [150, 150, 150],
            width=900 if code == la_code else 500 if code in nbrs else 60,
        )
        features.append({"type": "Feature", "geometry": f["geometry"], "properties": props})
    layer = pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        stroked=True,
        filled=True,
        get_fill_color="properties.fill",
        get_line_color="properties.line",
        get_line_width="properties.width",
        line_width_min_pixels=0.5,
        pickable=True,
    )
    deck = maps.deck(
        [layer],
        pdk.ViewState(latitude=52.8, longitude=-1.6, zoom=5.3),
        tooltip={"text": "{la_name}: {value}"},
    )
    legend = " ".join(
        f"<span style='display:inline-block;width:14px;height:14px;background:rgb({c[0]},{c[1]},{c[2]});"
        f"border:1px solid #555;margin:0 4px 0 10px;vertical-align:middle'></span>{QUARTILE_WORDS[k]}"
        for k, c in QCOL.items()
    )
    reading = (
        f"{label} by LA in {labels[year]}, shaded by quartile ({direction}: lighter is better). "
        f"{la_label} ({QUARTILE_WORDS[int(me['quartile'])]}) has the thickest outline; its statistical "
        "and geographic neighbours a thick outline. LAs whose figure is not published are shaded as in "
        "the legend; the Table tab lists every LA's figure and band."
    )
    ui.chart_block(
        deck,
        reading,
        las[["la_code", "la_name", "value", "quartile"]],
        f"map_{measure}_{year}",
        ctx.synthetic,
        note=f"{label} {labels[year]}",
        key="map",
        kind="pydeck",
    )
    st.markdown(
        f"<div role='note' aria-label='map legend'>{legend}"
        "<span style='display:inline-block;width:14px;height:14px;background:rgb(150,150,150);"
        "border:1px solid #555;margin:0 4px 0 10px;vertical-align:middle'></span>not published"
        f"<span style='margin-left:14px'>thickest outline: <b>{html.escape(la_label)}</b>; thick outline: "
        "<b>neighbours</b></span></div>",
        unsafe_allow_html=True,
    )
