"""Chart styling in one place (ui.accessible, through ui.style_figure and ui.plotly_chart, and
ui.charts.CONFIG for the Vega-Lite charts): every text at 4.5:1 or better on white, bars
outlined, labels off the bars, no toolbar; changes in words as well as colour; the app's
stylesheet with a visible keyboard focus."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

import ui
from ui import charts


def _texts(fig) -> list[str]:
    """Every text colour a figure sets (layout, axes, legend, annotations, traces' labels)."""
    lay = fig.layout
    out = [lay.font.color, lay.legend.font.color]
    for ax in (lay.xaxis, lay.yaxis):
        out += [ax.tickfont.color, ax.title.font.color]
    out += [a.font.color for a in lay.annotations]
    out += [t.textfont.color for t in fig.data if getattr(t, "text", None) is not None]
    return out


def test_every_chart_text_is_readable_and_bars_are_outlined():
    fig = go.Figure()
    fig.add_bar(
        x=["a", "b"], y=[1, 2], marker_color=ui.OKABE_ITO["sky"], text=["1", "2"], textposition="inside"
    )
    fig.add_scatter(x=[0, 1], y=[1, 2], mode="markers+text", text=["x", "y"], textfont=dict(color="#999999"))
    fig.add_hline(y=1.5, annotation_text="median", annotation_font_color=ui.OKABE_ITO["vermillion"])
    ui.style_figure(fig, y_title="rate")
    colours = _texts(fig)
    assert colours and all(ui.contrast_on_white(c) >= 4.5 for c in colours), colours
    bar = fig.data[0]
    assert bar.marker.line.color == ui.TEXT and bar.marker.line.width >= 1
    assert bar.textposition == "outside"  # labels on white, not on a pale bar
    assert fig.layout.annotations[0].bgcolor  # a label over bars sits on its own white box


def test_series_lines_reach_three_to_one():
    assert all(ui.contrast_on_white(c) >= 3 for c in ui.SERIES)


def test_no_toolbar_and_a_hidden_name_for_every_chart():
    assert ui.PLOTLY_CONFIG["displayModeBar"] is False
    name = ui.chart_name("**Illness** is the <largest> reason.")
    assert "visually-hidden" in name and "Chart: Illness is the &lt;largest&gt; reason." in name


def test_changes_are_in_words():
    assert ui.change(-0.34, low_is_good=True) == dict(
        delta="down 0.3 points, better", delta_color="green", delta_arrow="down"
    )
    assert ui.change(0.4, low_is_good=True)["delta"] == "up 0.4 points, worse"
    assert ui.change(1.2)["delta"] == "up 1.2 points, better"
    assert ui.change(0.01)["delta"] == "unchanged"
    assert ui.change(None) == dict(delta=None)
    assert ui.change(-2.1, True, words=("higher", "lower"))["delta"] == "2.1 points lower"


def test_one_stylesheet_with_a_visible_focus():
    css = ui.APP_CSS
    assert ":focus-visible" in css and f"3px solid {ui.TEXT}" in css
    assert ".modebar" in css and "display: none" in css
    assert ui.contrast_on_white(ui.SECONDARY_TEXT) >= 4.5
    assert "Show data" in css and "Copy Vega-Lite spec" in css  # a Vega-Lite chart keeps 2 buttons


def test_vega_charts_text_readable_and_bars_outlined():
    c = charts.CONFIG
    colours = [
        c["axis"]["labelColor"],
        c["axis"]["titleColor"],
        c["legend"]["labelColor"],
        c["text"]["color"],
    ]
    assert all(ui.contrast_on_white(x) >= 4.5 for x in colours), colours
    assert c["bar"]["stroke"] == ui.TEXT and c["bar"]["strokeWidth"] >= 1
    assert c["legend"]["labelLimit"] == 0  # a comparator's whole name, never cut to "…"


def test_vega_bars_keep_each_series_colour_and_write_c_for_withheld():
    data = pd.DataFrame(
        {
            "group": ["Year 1", "Year 2", "Year 1", "Year 2"],
            "series": ["England", "England", "This school", "This school"],
            "rate": [10.0, 11.0, None, 12.5],
            "label": ["", "", "c", ""],
        }
    )
    colours = {"This school": ui.SERIES[0], "LA": ui.SERIES[1], "England": ui.SERIES[2]}
    spec = charts.bars(
        data, category="group", value="rate", series="series", colours=colours, value_title="%", label="label"
    )
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    # legend in colours' order, whatever the data's; each its own colour; the absent one left out
    assert colour == {"domain": ["This school", "England"], "range": [ui.SERIES[0], ui.SERIES[2]]}
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["Year 1", "Year 2"]
    text = spec["layer"][1]
    assert text["mark"]["type"] == "text" and text["encoding"]["text"] == {"field": "label"}
    written = [r for r in spec["data"]["values"] if r["label"]]
    assert written == [{"group": "Year 1", "series": "This school", "rate": None, "label": "c"}]


def test_vega_week_lines_break_at_a_missing_week_only():
    data = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-09-01", "2025-09-08", "2025-09-22", "2025-09-01", "2025-09-08"]),
            "week": [1, 2, 4, 1, 2],
            "series": ["this", "this", "this", "last", "last"],
            "rate": [5.0, 6.0, 7.0, 5.5, None],
        }
    )
    data["real"] = data["date"]
    styles = {
        "this": dict(colour=ui.SERIES[0], shape="circle"),
        "last": dict(colour=ui.SERIES[1], dash=[5, 4]),
    }
    spec = charts.week_lines(
        data,
        date="date",
        value="rate",
        series="series",
        week="week",
        real_date="real",
        styles=styles,
        date_title="w/c",
        value_title="%",
    )
    rows = pd.DataFrame(spec["data"]["values"])
    # days alone: a date and time with no zone is read by a browser as local time (a day early
    # in UTC during British Summer Time)
    assert sorted(set(rows["date"])) == ["2025-09-01", "2025-09-08", "2025-09-22"]
    this = rows[rows["series"] == "this"].sort_values("week")
    assert this["run"].tolist()[0] == this["run"].tolist()[1] != this["run"].tolist()[2]  # week 3 missing
    assert len(rows[rows["series"] == "last"]) == 1  # a missing value is not drawn
    line, hover, points = spec["layer"]
    assert line["encoding"]["detail"] == {"field": "run"}
    # a path's hover gives its first week: each week of a line without points has its own
    assert "tooltip" not in line["encoding"] and hover["encoding"]["tooltip"]
    assert hover["transform"][0]["filter"]["oneOf"] == ["last"] and hover["mark"]["opacity"] == 0
    assert points["transform"][0]["filter"]["oneOf"] == ["this"]  # points for the series given a shape
    assert line["encoding"]["strokeDash"]["scale"]["range"] == [[], [5, 4]]
    # room above the highest point and below the lowest: no marker sits on the plot's edge
    low, high = line["encoding"]["y"]["scale"]["domain"]
    assert low < rows["rate"].min() and high > rows["rate"].max()
