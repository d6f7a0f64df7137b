"""Shared drawing helpers: a chart with its one-sentence reading, table and CSV download;
numbers in words; the synthetic-data banner. Pages call these and do no arithmetic on rates."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import streamlit as st

from auth import audit
from data_pipeline import config
from data_pipeline.codes import format_year
from queries import suppression
from queries.suppression import suppress_table  # noqa: F401  (re-exported for pages)

PAGES_DIR = Path(__file__).resolve().parents[1] / "pages"


def page_file(name: str) -> Path:
    """pages/<name>.py as an absolute path: navigation registers it so (dashboard.py) and a
    page link finds it so whatever the main script's folder (the tests' AppTest launcher)."""
    return PAGES_DIR / f"{name}.py"


# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}
# Each at 3:1 or better against white as a line or outline (WCAG 1.4.11): Okabe-Ito orange
# (2.1:1) is left for fills only.
SERIES = [OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["black"], OKABE_ITO["green"]]
# Schools must meet for 380 sessions (190 days) a year: the length used only when the
# warehouse holds no complete year to count the days of.
STATUTORY_SCHOOL_DAYS = 190
SYNTHETIC_LABEL = "Synthetic demo data — not real pupils"
# GOV.UK's text colours: text #0b0c0c (19.8:1 on white), secondary text #505a5f (7.5:1).
TEXT = "#0b0c0c"
SECONDARY_TEXT = "#505a5f"
FOCUS = "#ffdd00"
# The app's one stylesheet (static CSS, no data in it), drawn by the frame on every page:
# - captions in GOV.UK's secondary text colour (Streamlit's #828180 is 3.88:1 on white, under
#   WCAG's 4.5:1, and faded further by opacity);
# - a visible keyboard focus everywhere (WCAG 2.4.7, 2.4.13): a 3px near-black outline with a
#   yellow halo, GOV.UK's focus style (21:1 against white, 1.3:1 yellow against white does not
#   count: the black outline carries it);
# - no Plotly toolbar (eight Tab stops a chart, with icons only; charts are also drawn without
#   it: chart_block's config), whoever's code draws the chart; on a Vega-Lite chart only
#   Streamlit's "Download as PNG" and "Fullscreen" (its "Show data" repeats the Table tab, and
#   "Copy Vega-Lite spec" is for developers);
# - a date input's day, month and year boxes at least 24px square (WCAG 2.5.8, target size);
# - a collapsed sidebar out of the Tab order (it kept 16 Tab stops that showed nothing at 200%
#   zoom or 320 px);
# - headline cards whose labels and changes wrap instead of ending in an ellipsis, and columns
#   two to a row below 1000 px (at 200% zoom they were cut to 'Authorised abs…', 'on …') and
#   one to a row below 480 px (at 320 px, 400% zoom, '454,120' broke into '454,12' and '0');
# - .visually-hidden text for screen readers (a chart's name and reading).
APP_CSS = f"""<style>
[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] p {{
  color: {SECONDARY_TEXT} !important; opacity: 1 !important; }}
:focus-visible, a:focus-visible, button:focus-visible, input:focus-visible,
[role='tab']:focus-visible, [tabindex]:focus-visible, summary:focus-visible {{
  outline: 3px solid {TEXT} !important; outline-offset: 1px !important;
  box-shadow: 0 0 0 7px {FOCUS} !important; }}
.modebar-container, .modebar {{ display: none !important; }}
button[aria-label^='Show data'], button[aria-label^='Copy Vega-Lite spec'] {{ display: none !important; }}
[data-testid='stDateInput'] [role='spinbutton'] {{ display: inline-block; min-width: 24px;
  min-height: 24px; line-height: 24px; text-align: center; }}
[data-testid='stSidebar'][data-collapsed='true'],
[data-testid='stSidebar'][data-collapsed='true'] * {{ visibility: hidden !important; }}
[data-testid='stMetric'] *, [data-testid='stMetric'] {{ white-space: normal !important;
  text-overflow: clip !important; overflow: visible !important; flex-wrap: wrap; }}
@media (max-width: 1000px) {{
  [data-testid='stHorizontalBlock'] {{ flex-wrap: wrap !important; }}
  [data-testid='stHorizontalBlock'] > [data-testid='stColumn'] {{ min-width: calc(50% - 1rem) !important; }}
}}
@media (max-width: 480px) {{
  [data-testid='stHorizontalBlock'] > [data-testid='stColumn'] {{ min-width: 100% !important; }}
}}
.visually-hidden {{ position: absolute !important; width: 1px !important; height: 1px !important;
  margin: 0 !important; padding: 0 !important; overflow: hidden !important;
  clip: rect(0 0 0 0) !important; clip-path: inset(50%) !important; white-space: nowrap !important;
  border: 0 !important; }}
</style>"""


def is_synthetic(meta: dict) -> bool:
    return str(meta.get("synthetic", "")).lower() == "true"


def synthetic_banner(meta: dict) -> None:
    if is_synthetic(meta):
        st.warning(
            f"**{SYNTHETIC_LABEL}.** Every school, pupil and figure for this LA is "
            "generated; England and other LAs are DfE's published figures.",
            icon=":material/science:",
        )


# ------------------------------------------------------------ numbers in words
def capitalised(text: str) -> str:
    """The first letter in capitals, the rest as written ('the same weeks of 2024/25')."""
    return text[:1].upper() + text[1:]


def pct(x, dp: int = 1) -> str:
    return "–" if x is None or _nan(x) else f"{x:.{dp}f}%"


def _nan(x) -> bool:
    try:
        return x is pd.NA or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def points(change, good_when: str = "down") -> str:
    """'down 1.2 points' / 'up 0.4 points' / 'unchanged'."""
    if change is None or _nan(change):
        return "no comparison available"
    if abs(change) < 0.05:
        return "unchanged"
    return f"{'up' if change > 0 else 'down'} {abs(change):.1f} points"


def change(ch, low_is_good: bool = False, unit: str = "points", dp: int = 1, words=None) -> dict:
    """st.metric's delta arguments for a change, in words as well as arrow and colour (colour
    alone carries nothing, WCAG 1.4.1): 'down 0.3 points, better'. With `words` (up, down):
    '2.1 points higher' instead, no verdict (a gap, not a change)."""
    if ch is None or _nan(ch):
        return dict(delta=None)
    if abs(ch) < 0.5 * 10**-dp:
        return dict(delta="unchanged", delta_color="off", delta_arrow="off")
    size = f"{abs(ch):,.{dp}f} {unit}"
    better = (ch < 0) == low_is_good
    if words is not None:
        text = f"{size} {words[0] if ch > 0 else words[1]}"
    else:
        text = f"{'up' if ch > 0 else 'down'} {size}, {'better' if better else 'worse'}"
    return dict(delta=text, delta_color="green" if better else "red", delta_arrow="up" if ch > 0 else "down")


def one_in(rate) -> str:
    """A percentage of pupils as 'about 1 pupil in 5'."""
    if rate is None or _nan(rate) or rate <= 0:
        return "no pupils"
    if rate >= 50:
        return f"about {round(rate / 10)} pupils in 10"
    return f"about 1 pupil in {max(2, round(100 / rate))}"


def school_year(calendar: pd.DataFrame, year: int | None) -> tuple[int, str]:
    """(school days in a year, where that number comes from), from the school calendar
    (school_calendar_parts): the days the LA's schools met in the academic year, if its
    calendar reaches July; else in the latest year that does; else the statutory 190."""
    days = calendar.groupby("academic_year").agg(days=("school_days", "sum"), last=("last_date", "max"))
    complete = days[pd.to_datetime(days["last"]).dt.month.isin([7, 8])]
    if year in complete.index:
        return int(
            complete.loc[year, "days"]
        ), f"the {int(complete.loc[year, 'days'])} days schools met in {format_year(year)}"
    if not complete.empty:
        y = int(complete.index.max())
        return (
            int(complete.loc[y, "days"]),
            f"the {int(complete.loc[y, 'days'])} days schools met in {format_year(y)}, the latest complete year",
        )
    return STATUTORY_SCHOOL_DAYS, f"the statutory {STATUTORY_SCHOOL_DAYS} days (no complete year loaded)"


def days_a_year(absence_rate, year_days: int) -> str:
    """Overall absence % as school days in a school year of `year_days` days."""
    if absence_rate is None or _nan(absence_rate):
        return ""
    return f"about {absence_rate * year_days / 100:.0f} school days a year"


def ordinal(n: int) -> str:
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def number(x) -> str:
    return "–" if x is None or _nan(x) else f"{x:,.0f}"


# ------------------------------------------------------------ chart + table + download
# A cell a spreadsheet would read as a formula (OWASP's CSV-injection rule): text typed into the
# dashboard or loaded from a return must never run when an export is opened.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value):
    """A text value made safe to open in a spreadsheet: a leading quote before a formula start."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def inert_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell (and column name) made inert; numbers are left as numbers."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(inert)
    out.columns = [inert(c) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_bytes(df: pd.DataFrame, synthetic: bool, note: str = "") -> bytes:
    buf = io.StringIO()
    if synthetic:
        buf.write(f"# {SYNTHETIC_LABEL}. {note}\n")
    elif note:
        buf.write(f"# {inert(note)}\n")
    inert_frame(df).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def download(
    label: str,
    make,
    *,
    file_name: str,
    key: str | None,
    mime: str = "text/csv",
    icon: str = ":material/download:",
    audited: dict | None = None,
) -> None:
    """A download made only when it is clicked: `make()` builds the file then, so nothing is sent
    to the browser before a click and no file exists to fetch without one. With `audited`
    (scope, what, params, rows) the export is written to the audit log as it is made."""
    page = audit.current_page()

    def data():
        body = make()
        if audited is not None:
            audit.record_export(**audited, page=page, file_name=file_name)
        return body

    st.download_button(label, data, file_name=file_name, mime=mime, key=key, icon=icon, on_click="ignore")


def csv_download(
    df: pd.DataFrame,
    synthetic: bool,
    note: str,
    file_stem: str,
    key: str | None,
    label: str = "Download CSV",
    audited: dict | None = None,
    pupil_rows: bool = False,
) -> None:
    """A table's CSV, made on the click. An aggregate table leaving the dashboard for any role
    but the LA's has its small numbers suppressed (docs/ACCESS.md), whatever the screen shows;
    pupil lists (pupil_rows) are the roles' own pupil-level data, audited instead."""

    scope = viewer_scope()  # now, in the script run: the download itself runs in another thread

    def make() -> bytes:
        out = suppression.published(df)  # withheld cells as 'c', the published convention
        if not pupil_rows and (scope is None or scope.suppress_exports):
            threshold = scope.suppression_threshold if scope is not None else config.SUPPRESSION_THRESHOLD
            out = suppress_table(df, threshold)
        return csv_bytes(out, synthetic, note)

    download(label, make, file_name=f"{file_stem}.csv", key=key, audited=audited)


def size_label(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


def viewer_scope():
    """The signed-in viewer's scope for this run (set by the frame), or None outside the frame
    (then downloads are suppressed as for the strictest role)."""
    ctx = st.session_state.get("_context")
    return getattr(ctx, "scope", None)


def table_view(df: pd.DataFrame):
    """What st.dataframe is given for `df`: the frame itself, or, when it has withheld cells
    (queries.suppression, numeric form), a Styler showing them as 'c'. The columns stay numbers,
    so Arrow sends them as numbers and they sort as numbers; only the text shown changes (counts
    without decimals, other numbers to one decimal place, a missing value blank)."""
    if not df.attrs.get("withheld") or df.empty:
        return df
    mask = suppression.withheld(df)
    whole = set(df.attrs.get("whole_numbers") or ())
    styler = df.style
    for col in df.columns:
        if pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]):
            integer = col in whole or pd.api.types.is_integer_dtype(df[col])
            styler = styler.format("{:.0f}" if integer else "{:.1f}", subset=[col], na_rep="")
    for col in mask.columns[mask.any()]:
        styler = styler.format(
            lambda _v: suppression.SUPPRESSED, subset=pd.IndexSlice[mask.index[mask[col]], [col]]
        )
    return styler


def chart_block(
    fig,
    reading: str,
    table: pd.DataFrame,
    file_stem: str,
    synthetic: bool,
    note: str = "",
    key: str | None = None,
    kind: str = "plotly",
) -> None:
    """A one-sentence reading, then Chart / Table / Download tabs (as DfE's dashboards). The
    chart (kind: a Plotly figure, a Vega-Lite spec from ui.charts, or a pydeck map) is named for
    screen readers by its reading (the canvas or SVG itself says nothing useful) and drawn in
    the app's chart style."""
    st.markdown(reading)
    tab_chart, tab_table, tab_dl = st.tabs(["Chart", "Table", "Download"])
    with tab_chart:
        st.markdown(chart_name(reading, kind), unsafe_allow_html=True)
        if kind == "vega":
            from ui import charts

            charts.draw(fig, alt=VEGA_NAME, key=key and f"{key}_chart")
        elif kind == "pydeck":
            st.pydeck_chart(fig, height=560, key=key and f"{key}_map")
        else:
            plotly_chart(fig, key=key and f"{key}_chart")
    with tab_table:
        st.dataframe(table_view(table), hide_index=True)
    with tab_dl:
        csv_download(table, synthetic, note, file_stem, key and f"{key}_csv")


def section_tabs(sections: dict, key: str) -> None:
    """A long page's sections as tabs, only the open one drawn: each chart costs the browser
    about 0.15 s to draw, so a page of eight took over a second to settle. The open tab is kept
    in session state (key), so it stays open across reruns and schools."""
    labels = list(sections)
    for label, tab in zip(labels, st.tabs(labels, key=key, on_change="rerun")):
        if tab.open:
            with tab:
                sections[label]()


PLOTLY_CONFIG = {"displayModeBar": False, "displaylogo": False}


def plotly_chart(fig, key: str | None = None) -> None:
    """A Plotly figure with the app's chart style and no toolbar."""
    st.plotly_chart(accessible(fig), key=key, config=PLOTLY_CONFIG)


def chart_name(reading: str, kind: str = "plotly") -> str:
    """A visually hidden line before a chart: what it is and its one-sentence reading, for
    screen readers (markdown's ** dropped; HTML escaped)."""
    import html as _html

    what = "Map" if kind == "pydeck" else "Chart"
    text = _html.escape(reading.replace("**", ""))
    return f"<p class='visually-hidden'>{what}: {text} The Table tab holds the same figures.</p>"


# A Vega-Lite chart's own name, after the hidden line with its reading (chart_name): short, as
# Streamlit also prefixes each of the chart's buttons with it.
VEGA_NAME = "Chart of the figures in the sentence above; the Table tab holds them all."


def _luminance(colour: str) -> float | None:
    c = colour.strip().lower()
    if c.startswith("#") and len(c) in (4, 7):
        h = c[1:] if len(c) == 7 else "".join(ch * 2 for ch in c[1:])
        rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    elif c.startswith("rgb"):
        parts = c[c.index("(") + 1 : c.index(")")].split(",")[:3]
        rgb = [float(v) / 255 for v in parts]
    else:
        return None
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_on_white(colour: str) -> float | None:
    """WCAG contrast ratio of a hex or rgb() colour against white (None if not parsed)."""
    lum = _luminance(colour)
    return None if lum is None else 1.05 / (lum + 0.05)


def _readable(colour) -> bool:
    ratio = contrast_on_white(colour) if isinstance(colour, str) else None
    return ratio is not None and ratio >= 4.5


def accessible(fig):
    """The app's chart style, in one place; applied to every chart drawn (plotly_chart) and by
    style_figure. Text in GOV.UK's text colour (axis titles and ticks, legend, annotations,
    labels: at least 4.5:1 on white; Streamlit's theme draws them in #808495, 3.7:1); a text
    colour under 4.5:1 set by a chart is replaced; bars and filled areas outlined in the text
    colour, so a pale fill is still seen against white (WCAG 1.4.11)."""
    fig.update_layout(
        font=dict(color=TEXT),
        legend=dict(font=dict(color=TEXT)),
        title=dict(font=dict(color=TEXT)),
        hoverlabel=dict(font=dict(color=TEXT), bgcolor="white"),
    )
    axis = dict(
        tickfont=dict(color=TEXT),
        title=dict(font=dict(color=TEXT)),
        linecolor=SECONDARY_TEXT,
        showline=True,
    )
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    for ann in fig.layout.annotations or ():
        if not _readable(ann.font.color):
            ann.font.color = TEXT
        if ann.bgcolor is None:
            ann.bgcolor = "rgba(255,255,255,0.9)"
    for trace in fig.data:
        kind = trace.type
        if kind == "bar" and trace.marker.line.width is None:  # a chart may set its own (0: dense bars)
            trace.marker.line.color = TEXT
            trace.marker.line.width = 1
        if kind in ("bar", "scatter") and getattr(trace, "text", None) is not None:
            if not _readable(trace.textfont.color):
                trace.textfont.color = TEXT
        if kind == "bar" and trace.textposition in ("inside", "auto"):
            trace.textposition = "outside"  # labels off the bars, on white
        if kind == "scatter" and trace.fill not in (None, "none"):
            trace.line.color = trace.line.color or TEXT
            trace.line.width = max(trace.line.width or 0, 1.5)
    return fig


def style_figure(fig, height: int = 380, y_title: str | None = None):
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        font=dict(size=14),
    )
    if y_title is not None:
        fig.update_yaxes(title=y_title)
    return accessible(fig)
