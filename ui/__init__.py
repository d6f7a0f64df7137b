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
SERIES = [OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["black"], OKABE_ITO["green"]]
# Schools must meet for 380 sessions (190 days) a year: the length used only when the
# warehouse holds no complete year to count the days of.
STATUTORY_SCHOOL_DAYS = 190
SYNTHETIC_LABEL = "Synthetic demo data — not real pupils"
# Streamlit draws captions in #828180 (3.88:1 on white, under WCAG's 4.5:1): every page's
# captions in GOV.UK's secondary text colour instead (7.5:1). Static CSS, no data in it.
READABLE_CSS = (
    "<style>[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] p "
    "{ color: #505a5f !important; opacity: 1 !important; }</style>"
)


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
    """A one-sentence reading, then Chart / Table / Download tabs (as DfE's dashboards)."""
    st.markdown(reading)
    tab_chart, tab_table, tab_dl = st.tabs(["Chart", "Table", "Download"])
    with tab_chart:
        if kind == "pydeck":
            st.pydeck_chart(fig, height=560, key=key and f"{key}_map")
        else:
            st.plotly_chart(fig, key=key and f"{key}_chart", config={"displaylogo": False})
    with tab_table:
        st.dataframe(table_view(table), hide_index=True)
    with tab_dl:
        csv_download(table, synthetic, note, file_stem, key and f"{key}_csv")


def style_figure(fig, height: int = 380, y_title: str | None = None):
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        font=dict(size=14),
    )
    if y_title is not None:
        fig.update_yaxes(title=y_title)
    return fig
