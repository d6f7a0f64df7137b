"""Map helpers for pydeck pages: a sequential colour-blind-safe scale with class breaks, a
legend drawn in Streamlit, boundary files as GeoJSON, and a view that fits a bounding box.
Maps draw on a blank inline base map (`deck`): no tile server, everything from shipped boundaries."""

from __future__ import annotations

import json
import math
import urllib.parse
from functools import lru_cache

import pandas as pd
import pydeck as pdk
import streamlit as st

from data_pipeline.reference import boundaries_path

# Viridis in five steps, light (low) to dark (high): sequential, readable with the common
# colour-vision deficiencies and in greyscale.
VIRIDIS_5 = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"]
# "No pupils" and "fewer than the threshold" told apart at a glance (they were #d9d9d9 and
# #f4f4f4, 1.3:1): near white for nothing there, a mid grey (no hue, unlike every class colour)
# for figures withheld; 2.8:1 between them, both in the legend.
NO_DATA = "#f4f4f4"  # no pupils live here
SUPPRESSED = "#969696"  # fewer than the threshold: not shown


# A base map style with nothing in it but a white background, given inline (a data: URL;
# Streamlit takes a style only as a URL). Without one Streamlit's map asks Carto's tile server
# for its style (a third party, unreachable offline) and draws late.
BLANK_STYLE = "data:application/json," + urllib.parse.quote(
    json.dumps(
        {
            "version": 8,
            "sources": {},
            "layers": [{"id": "background", "type": "background", "paint": {"background-color": "#ffffff"}}],
        }
    )
)


def deck(layers: list, view, tooltip) -> pdk.Deck:
    """A map of the shipped boundaries alone, on a blank base map."""
    return pdk.Deck(
        layers=layers, map_style=BLANK_STYLE, map_provider=None, initial_view_state=view, tooltip=tooltip
    )


def hex_rgb(colour: str, alpha: int = 255) -> list[int]:
    c = colour.lstrip("#")
    return [int(c[i : i + 2], 16) for i in (0, 2, 4)] + [alpha]


def quantile_breaks(values, n: int = 5) -> list[float]:
    """n-1 inner break points at the data's quantiles, rounded to whole numbers and distinct."""
    v = pd.Series(values, dtype="float").dropna()
    if v.empty:
        return []
    raw = [v.quantile(i / n) for i in range(1, n)]
    out: list[float] = []
    for b in raw:
        b = float(round(b))
        if not out or b > out[-1]:
            out.append(b)
    return out


def classify(value, breaks: list[float]) -> int | None:
    """Class index 0..len(breaks) for a value (a value on a break goes up), None if missing."""
    if value is None or pd.isna(value):
        return None
    return sum(value >= b for b in breaks)


def class_labels(breaks: list[float], unit: str = "%") -> list[str]:
    if not breaks:
        return ["all areas"]
    labels = [f"under {breaks[0]:.0f}{unit}"]
    labels += [f"{a:.0f} to under {b:.0f}{unit}" for a, b in zip(breaks, breaks[1:])]
    labels.append(f"{breaks[-1]:.0f}{unit} or more")
    return labels


def palette_for(n_classes: int) -> list[str]:
    """n colours spread over the viridis ramp (light = low)."""
    if n_classes >= len(VIRIDIS_5):
        return VIRIDIS_5
    idx = [round(i * (len(VIRIDIS_5) - 1) / max(1, n_classes - 1)) for i in range(n_classes)]
    return [VIRIDIS_5[i] for i in idx]


def legend(
    title: str, items: list[tuple[str, str]], extra: list[tuple[str, str]] = (), note: str = ""
) -> None:
    """A colour key in Streamlit (HTML swatches), announced as a note to screen readers."""
    sw = (
        "<span style='white-space:nowrap'><span style='display:inline-block;width:22px;height:16px;"
        "background:{c};border:1px solid #444;margin:0 6px 0 14px;vertical-align:middle'></span>{t}</span>"
    )
    body = "".join(sw.format(c=c, t=t) for c, t in items)
    body += "".join(sw.format(c=c, t=t) for c, t in extra)
    bar = "".join(
        f"<span style='display:inline-block;flex:1;height:10px;background:{c}'></span>" for c, _ in items
    )
    st.markdown(
        f"<div role='note' aria-label='map legend: {title}' style='line-height:2'>"
        f"<b>{title}</b><br>{body}"
        f"<div style='display:flex;max-width:420px;margin:4px 0 0 14px;border:1px solid #444'>{bar}</div>"
        f"<div style='display:flex;justify-content:space-between;max-width:424px;margin-left:14px;"
        f"font-size:0.85em'><span>{items[0][1] if items else ''}</span>"
        f"<span>{items[-1][1] if items else ''}</span></div>"
        + (f"<div style='font-size:0.9em;margin-top:4px'>{note}</div>" if note else "")
        + "</div>",
        unsafe_allow_html=True,
    )


@st.cache_data(show_spinner=False)
def geojson(name: str) -> dict:
    """A shipped boundary file ('la', 'lsoa21_<code>', 'ward25_<code>') as a dict."""
    return json.loads(boundaries_path(name).read_text())


def has_boundaries(name: str) -> bool:
    try:
        boundaries_path(name)
        return True
    except FileNotFoundError:
        return False


@st.cache_data(show_spinner=False)
def union_outline(name: str) -> dict:
    """The outline of all the areas in a boundary file (e.g. an LA as the union of its LSOAs),
    as a FeatureCollection: it matches the small areas exactly, unlike the generalised LA file."""
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    merged = unary_union([shape(f["geometry"]).buffer(0) for f in geojson(name)["features"]])
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": mapping(merged)}],
    }


def la_outline(la_code: str) -> dict | None:
    """The LA's boundary: the union of its LSOAs when shipped, else the generalised LA file."""
    if has_boundaries(f"lsoa21_{la_code}"):
        return union_outline(f"lsoa21_{la_code}")
    feats = [f for f in geojson("la")["features"] if f["properties"].get("la_code") == la_code]
    return {"type": "FeatureCollection", "features": feats} if feats else None


def _coords(geom: dict):
    def walk(c):
        if isinstance(c[0], (int, float)):
            yield c
        else:
            for x in c:
                yield from walk(x)

    yield from walk(geom["coordinates"])


@lru_cache(maxsize=16)
def _bounds_cached(text: str) -> tuple[float, float, float, float]:
    fc = json.loads(text)
    xs, ys = [], []
    for f in fc["features"]:
        for x, y, *_ in _coords(f["geometry"]):
            xs.append(x)
            ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def bounds(fc: dict) -> tuple[float, float, float, float]:
    return _bounds_cached(json.dumps(fc))


def fit_view(b: tuple[float, float, float, float], width_px: int = 880, height_px: int = 540):
    """Centre and zoom (web Mercator, 512-px world at zoom 0 as deck.gl) that fit a (min lon, min lat, max lon, max lat) box."""
    import pydeck as pdk

    x0, y0, x1, y1 = b
    lat = (y0 + y1) / 2

    def merc(y):
        return math.log(math.tan(math.pi / 4 + math.radians(y) / 2))

    zx = math.log2(width_px * 360 / (512 * max(x1 - x0, 1e-6)))
    zy = math.log2(height_px * 2 * math.pi / (512 * max(merc(y1) - merc(y0), 1e-9)))
    return pdk.ViewState(latitude=lat, longitude=(x0 + x1) / 2, zoom=min(zx, zy) - 0.1)
