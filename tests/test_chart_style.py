"""Chart styling in one place (ui.accessible, through ui.style_figure and ui.plotly_chart):
every text at 4.5:1 or better on white, bars outlined, labels off the bars, no toolbar; changes
in words as well as colour; the app's stylesheet with a visible keyboard focus."""

from __future__ import annotations

import plotly.graph_objects as go

import ui


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
