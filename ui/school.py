"""Drawing helpers for the schools, school, pupil and governors pages: the school selector,
pupil lists (pseudonymous, sparkline, download audited), the codes calendar, the governors'
plain-English summary and the printable A4 report. No SQL here; only wording and layout."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import catalogue
import ui
from data_pipeline.codes import REASON_LABELS
from queries.suppression import published, rename, withheld

SUPPRESSED = "c"

# The columns of each table the governors see, on their page and in their report.
GOVERNOR_COLUMNS = {
    "governor_term_summary": [
        "term_label",
        "enrolments",
        "attendance_rate",
        "overall_absence_rate",
        "unauthorised_absence_rate",
        "persistent_absence_rate",
        "pa_enrolments",
        "severe_absence_rate",
        "sa_enrolments",
        "days_lost",
    ],
    "school_year_groups": [
        "year_group",
        "enrolments",
        "overall_absence_rate",
        "persistent_absence_rate",
        "pa_enrolments",
        "severe_absence_rate",
        "sa_enrolments",
        "last_year_pa_rate",
        "days_lost",
    ],
    "school_cohorts": [
        "cohort",
        "enrolments",
        "overall_absence_rate",
        "persistent_absence_rate",
        "pa_enrolments",
        "last_year_pa_rate",
        "gap_to_rest_of_school",
        "la_pa_rate",
    ],
}


def governor_table(query: str, df: pd.DataFrame) -> pd.DataFrame:
    """The governors' columns of a suppressed result, as shown (an empty result as it is)."""
    return df if df.empty else df[[c for c in GOVERNOR_COLUMNS[query] if c in df.columns]]


# What the governors' page suppresses (queries.run_suppressed arguments): pupil counts, the
# rates built on them (numerator, denominator), and the rows that form one breakdown.
GOVERNOR_SUPPRESSION = {
    "governor_term_summary": dict(
        count_cols=["enrolments", "pa_enrolments", "sa_enrolments"],
        rate_cols={
            "persistent_absence_rate": ("pa_enrolments", "enrolments"),
            "severe_absence_rate": ("sa_enrolments", "enrolments"),
            "attendance_rate": ("enrolments",),
            "overall_absence_rate": ("enrolments",),
            "unauthorised_absence_rate": ("enrolments",),
            "days_lost": ("enrolments",),
        },
        group_cols=None,
    ),  # terms do not add up to anything
    "school_weekly": dict(count_cols=[], rate_cols=[], group_cols=None),  # whole-school rates
    "school_year_groups": dict(
        # the pupil groups' and terms' population (compulsory school age): one total for all
        population="compulsory",
        count_cols=["enrolments", "pa_enrolments", "sa_enrolments", "ly_enrolments", "ly_pa_enrolments"],
        rate_cols={
            "persistent_absence_rate": ("pa_enrolments", "enrolments"),
            "severe_absence_rate": ("sa_enrolments", "enrolments"),
            "last_year_pa_rate": ("ly_pa_enrolments", "ly_enrolments"),
            "overall_absence_rate": ("enrolments",),
            "days_lost": ("enrolments",),
        },
        group_cols=(),
    ),  # year groups add up to the school
    "school_cohorts": dict(
        count_cols=[
            "enrolments",
            "pa_enrolments",
            "ly_enrolments",
            "ly_pa_enrolments",
            "rest_enrolments",
            "rest_pa_enrolments",
        ],
        rate_cols={
            "persistent_absence_rate": ("pa_enrolments", "enrolments"),
            "last_year_pa_rate": ("ly_pa_enrolments", "ly_enrolments"),
            "gap_to_rest_of_school": ("pa_enrolments", "enrolments", "rest_pa_enrolments", "rest_enrolments"),
            "overall_absence_rate": ("enrolments",),
        },
        group_cols=["cohort_type"],
    ),  # each kind of group adds up to the school
}

# Codes calendar: one colour a category (Okabe-Ito; present is the quiet colour).
CATEGORY_COLOURS = {
    "present": ("Present", "#56B4E9"),
    "late (before close)": ("Late before the register closed (L)", "#F0E442"),
    "aea": ("Approved educational activity", "#009E73"),
    "authorised": ("Authorised absence", "#E69F00"),
    "unauthorised": ("Unauthorised absence", "#CC79A7"),
    "late (after close)": ("Late after the register closed (U)", "#D55E00"),
    "not_possible": ("Not a possible session", "#999999"),
}


# ------------------------------------------------------------------ selection
CHOSEN_SCHOOL = "_chosen_school"


def url_choice(
    label: str, options: list, key: str, format_func=str, placeholder: str = "Choose", default=None
):
    """A selectbox whose choice lives in the URL as ?<key>=<raw value> (bookmarkable and linkable
    from other pages). Not bind="query-params", which would put the formatted label in the URL.
    `default` is chosen when the URL names nothing."""
    raw = st.query_params.get(key)
    by_text = {str(o): o for o in options}
    index = options.index(by_text[raw]) if raw in by_text else None
    if index is None and default in options:
        index = options.index(default)
    if raw is not None and raw not in by_text:
        del st.query_params[key]  # a stale or crafted value: ignore it
    if st.session_state.get(key) not in (None, *options):
        st.session_state.pop(key)
    choice = st.selectbox(
        label, options, index=index, key=key, format_func=format_func, placeholder=placeholder
    )
    if choice is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != str(choice):
        st.query_params[key] = str(choice)
    return choice


def school_selector(schools: pd.DataFrame, key: str = "urn") -> int | None:
    """The viewer's schools, chosen in the URL as ?urn=...; None if none chosen. A viewer
    with one school (a head, a governor) has it chosen already."""
    if schools.empty:
        return None
    names = dict(zip(schools["urn"].astype(int), schools["school_name"]))
    # a viewer with one school has it; otherwise the school last chosen on another page
    default = next(iter(names)) if len(names) == 1 else st.session_state.get(CHOSEN_SCHOOL)
    choice = url_choice(
        "School", list(names), key, lambda u: f"{names.get(int(u), u)} ({u})", "Choose a school", default
    )
    if choice is not None:
        st.session_state[CHOSEN_SCHOOL] = int(choice)
    return None if choice is None else int(choice)


def chosen_school() -> int | None:
    """The school chosen on this run's page (its selector's value) or last chosen on another:
    the pages about one school (School, Pupil, Meeting, Governors' view) carry it between them."""
    in_url = st.query_params.get("urn")
    if in_url is not None and in_url.isdigit():  # each page's selector checks it is the viewer's
        return int(in_url)
    current = st.session_state.get("urn")
    return int(current) if isinstance(current, (int, float)) else st.session_state.get(CHOSEN_SCHOOL)


def no_school_message(what: str = "this page") -> None:
    st.info(
        f"Choose a school in the selector above to see {what}. A link from the Schools page "
        "(or a bookmarked address ending `?urn=<URN>`) opens it directly."
    )


# ------------------------------------------------------------------ numbers
def hours(x) -> str:
    return "–" if x is None or ui._nan(x) else f"{x:,.0f} hours"


def shown(x, fmt=ui.pct) -> str:
    """A value that may be suppressed ('c') or missing."""
    if isinstance(x, str):
        return x
    return fmt(x)


# Plain-English column names for the governors' tables and report.
PLAIN_COLUMNS = catalogue.column_labels()


def plain(df: pd.DataFrame) -> pd.DataFrame:
    return rename(df, PLAIN_COLUMNS)  # withheld cells keep their place under the new names


def c_labels(df: pd.DataFrame, col: str) -> list[str]:
    """Bar labels: 'c' where df's value in `col` is withheld (the bar itself is not drawn)."""
    return [SUPPRESSED if hidden else "" for hidden in withheld(df)[col]]


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason)


# ------------------------------------------------------------------ pupil lists
def pupil_list(
    df: pd.DataFrame,
    intro: str,
    file_stem: str,
    scope,
    synthetic: bool,
    key: str,
    extra_config: dict | None = None,
    params: dict | None = None,
) -> None:
    """One list of pupils who need support: a sentence, the table (sparkline, link to the
    pupil's page) and an audited CSV download. Pseudonymous references only."""
    st.markdown(intro)
    if df.empty:
        st.success("No pupil meets this rule in the selected period.")
        return
    table = df.drop(columns=[c for c in ("ncyear", "pupil_id") if c in df.columns]).copy()
    table.insert(1, "pupil_page", "/pupil?urn=" + table["urn"].astype(str) + "&pupil=" + table["pupil_ref"])
    table = table.drop(columns=["urn"])
    config = {
        "pupil_ref": st.column_config.TextColumn("Pupil (pseudonym)", pinned=True),
        "pupil_page": st.column_config.LinkColumn("Pupil page", display_text="open"),
        "year_group": "Year group",
        "attendance_rate": st.column_config.NumberColumn("Attendance %", format="%.1f"),
        "overall_absence_rate": st.column_config.NumberColumn("Absence %", format="%.1f"),
        "days_lost": st.column_config.NumberColumn("Days missed", format="%.1f"),
        "weekly_attendance": st.column_config.LineChartColumn(
            # the year's weeks up to the period's end (pupil_list_head.sql), wider than the rates
            # beside it for a term: the header says which
            "Attendance each week, September to the period's end",
            y_min=0,
            y_max=100,
            width="medium",
            color=ui.OKABE_ITO["blue"],
        ),
        "main_reasons": st.column_config.TextColumn("Main reasons (sessions)", width="medium"),
        "cohort_flags": "Circumstances to consider",
        **(extra_config or {}),
    }
    st.dataframe(table, hide_index=True, column_config=config, key=f"{key}_table")
    out = table.drop(columns=["pupil_page"]).copy()
    out["weekly_attendance"] = out["weekly_attendance"].map(
        lambda v: " ".join(f"{x:.0f}" for x in v) if v is not None and len(v) else ""
    )
    ui.csv_download(
        out,
        synthetic,
        "Pupil-level: handle as personal data",
        file_stem,
        f"{key}_csv",
        label="Download this list as CSV",
        audited=dict(scope=scope, what=file_stem, params=params, rows=len(out)),
        pupil_rows=True,
    )


# ------------------------------------------------------------------ codes calendar
def codes_calendar(sessions: pd.DataFrame) -> go.Figure:
    """Heatmap: school weeks across, Monday AM to Friday PM down, coloured by category."""
    cats = list(CATEGORY_COLOURS)
    s = sessions.copy()
    s["row"] = s["date"].dt.strftime("%a") + " " + s["session"]
    s["cat_no"] = s["category"].map({c: i for i, c in enumerate(cats)})
    rows = [f"{d} {p}" for d in ("Mon", "Tue", "Wed", "Thu", "Fri") for p in ("AM", "PM")]
    weeks = sorted(s["week_start"].unique())
    z = s.pivot_table(index="row", columns="week_start", values="cat_no", aggfunc="first")
    z = z.reindex(index=rows, columns=weeks)
    text = (
        s.assign(
            t=s["date"].dt.strftime("%a %d %b %Y")
            + " "
            + s["session"]
            + ": "
            + s["code"]
            + " — "
            + s["description"]
        )
        .pivot_table(index="row", columns="week_start", values="t", aggfunc="first")
        .reindex(index=rows, columns=weeks)
    )
    # the code itself in each cell, not colour alone (Plotly picks dark or light text per cell)
    codes = (
        s.pivot_table(index="row", columns="week_start", values="code", aggfunc="first")
        .reindex(index=rows, columns=weeks)
        .fillna("")
    )
    n = len(cats)
    scale = []
    for i, c in enumerate(cats):
        colour = CATEGORY_COLOURS[c][1]
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    fig = go.Figure(
        go.Heatmap(
            z=z.values,
            x=[pd.Timestamp(w).strftime("%d %b") for w in weeks],
            y=rows,
            text=codes.values,
            texttemplate="%{text}",
            textfont=dict(size=10),
            customdata=text.values,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            xgap=1,
            ygap=1,
        )
    )
    for c in cats:  # legend entries (the heatmap itself has none)
        label, colour = CATEGORY_COLOURS[c]
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=label,
            marker=dict(color=colour, size=12, symbol="square"),
        )
    ui.style_figure(fig, height=420)
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title="week commencing", tickangle=-60)
    fig.update_layout(legend=dict(orientation="h", y=-0.35, yanchor="top"), plot_bgcolor="white")
    return fig


# ------------------------------------------------------------------ governors' summary
def _v(row, col):
    v = row.get(col)
    return None if v is None or isinstance(v, str) or ui._nan(v) else float(v)


def term_summary(terms: pd.DataFrame) -> list[str]:
    """Plain-English sentences on the latest term against the one before (suppressed values
    are described as too small to report)."""
    if terms.empty:
        return ["There is no attendance recorded for this school in the selected year."]
    now = terms.iloc[-1]
    prev = terms.iloc[-2] if len(terms) > 1 else None
    out = []
    att, att0 = _v(now, "attendance_rate"), _v(prev, "attendance_rate") if prev is not None else None
    so_far = " so far" if bool(now.get("in_progress", False)) else ""
    if att is None:
        out.append(f"Too few pupils were on roll in {now['term_label']} to report figures.")
        return out
    s = f"Attendance in {now['term_label']}{so_far} was **{att:.1f}%**"
    if att0 is not None:
        s += f", {ui.points(att - att0)} on {prev['term_label']} ({att0:.1f}%)"
    out.append(s + ".")
    pa, pa0 = (
        _v(now, "persistent_absence_rate"),
        _v(prev, "persistent_absence_rate") if prev is not None else None,
    )
    if pa is None:
        out.append("Persistent absence is not reported: too few pupils to show without identifying them.")
    elif pa0 is not None:
        verb = "fell" if pa < pa0 - 0.05 else "rose" if pa > pa0 + 0.05 else "stayed"
        out.append(
            f"Persistent absence (missing 10% or more of sessions in the term) {verb} "
            + (f"at {pa:.0f}%" if verb == "stayed" else f"from {pa0:.0f}% to {pa:.0f}%")
            + f": {ui.one_in(pa)}."
        )
    else:
        out.append(f"Persistent absence was {pa:.0f}%: {ui.one_in(pa)}.")
    ua, ua0 = (
        _v(now, "unauthorised_absence_rate"),
        (_v(prev, "unauthorised_absence_rate") if prev is not None else None),
    )
    if ua is not None and ua0 is not None:
        out.append(
            f"Unauthorised absence was {ua:.1f}% of sessions, {ui.points(ua - ua0)} on {prev['term_label']} "
            f"({ua0:.1f}%)."
        )
    dl = _v(now, "days_lost")
    enr = _v(now, "enrolments")
    if dl is not None and enr:
        out.append(f"Pupils missed {dl:,.0f} school days in all, about {dl / enr:.1f} days each.")
    sa = now.get("sa_enrolments")
    if "sa_enrolments" in terms.columns and withheld(terms)["sa_enrolments"].iloc[-1]:
        out.append("Severe absence (half of sessions or more) affected fewer than a handful of pupils.")
    elif sa is not None and not ui._nan(sa):
        out.append(f"{int(sa)} pupils were severely absent (missing half of sessions or more).")
    return out


# ------------------------------------------------------------------ printing
PRINT_CSS = """
<style>
@media print {
  @page { size: A4 portrait; margin: 14mm; }
  header, footer, [data-testid="stSidebar"], [data-testid="stToolbar"], [data-testid="stHeader"],
  [data-testid="stDownloadButton"], [data-testid="stTabs"] [role="tablist"], .stButton,
  [data-testid="stExpander"] summary { display: none !important; }
  [data-testid="stAppViewContainer"], .main, .block-container { padding: 0 !important; margin: 0 !important; }
  h1 { font-size: 20pt !important; } h2 { font-size: 14pt !important; break-after: avoid; }
  .element-container, [data-testid="stVerticalBlock"] { break-inside: avoid; }
  /* charts whole and within the page's width; a chart's Table tab prints its table too */
  .stPlotlyChart, .js-plotly-plot, [data-testid="stDataFrame"] { break-inside: avoid; max-width: 100% !important; }
  [data-testid="stTabs"] [role="tabpanel"][hidden] { display: none !important; }
}
</style>
"""


def _table_html(df: pd.DataFrame) -> str:
    df = published(df)  # withheld cells as 'c'

    def cell(v):
        if isinstance(v, float) and not pd.isna(v):
            return f"{v:.1f}"
        return html.escape("" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def a4_report(
    title: str, subtitle: str, summary: list[str], tables: list[tuple[str, pd.DataFrame]], footnote: str
) -> bytes:
    """A one-page HTML report laid out for A4 (print it from the browser)."""
    import re

    def md(s):  # **bold** only
        return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(s))

    parts = [
        f"<h1>{html.escape(title)}</h1><p class='sub'>{html.escape(subtitle)}</p>",
        "<h2>What changed since last term</h2><ul>" + "".join(f"<li>{md(s)}</li>" for s in summary) + "</ul>",
    ]
    for heading, df in tables:
        parts.append(f"<h2>{html.escape(heading)}</h2>{_table_html(df)}")
    parts.append(f"<p class='foot'>{html.escape(footnote)}</p>")
    css = (
        "@page{size:A4 portrait;margin:14mm}body{font-family:Arial,Helvetica,sans-serif;"
        "font-size:9.5pt;color:#111;max-width:182mm;margin:auto}h1{font-size:17pt;margin:0}"
        "h2{font-size:11.5pt;margin:9px 0 3px;border-bottom:1px solid #0072B2}"
        ".sub{margin:2px 0 6px;color:#333}ul{margin:3px 0;padding-left:16px}"
        "table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:1px 4px;"
        "text-align:right}th:first-child,td:first-child{text-align:left}th{background:#eef4fa}"
        ".foot{font-size:8pt;color:#444;margin-top:8px}"
    )
    doc = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title><style>{css}</style></head><body>{''.join(parts)}</body></html>"
    )
    return doc.encode("utf-8")
