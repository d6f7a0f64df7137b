"""Page tier for the Schools, School, Pupil and Governors' pages on the demo LA: each renders
without an exception over a grid of filters; shown figures equal the warehouse's, computed
here independently; the governors' page shows no pupil identifier and runs no pupil query."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import dashboard_app
from streamlit.testing.v1 import AppTest

import queries

ROOT = Path(__file__).resolve().parents[1]
GRID = [  # (academic year, period, phase)
    (2025, "Year to date", "All phases"),
    (2025, "Term", "Secondary"),
    (2024, "Half term", "Primary"),
]
PSEUDONYM = re.compile(r"P-[0-9A-F]{8}")


def _app(db, monkeypatch, page: str, **params) -> AppTest:
    monkeypatch.setenv("ATTENDANCE_DB", str(db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    at = dashboard_app(180)
    for k, v in params.items():
        at.query_params[k] = str(v)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.title) == 1  # one h1 per page


def _school(db, phase: str = "Secondary") -> int:
    con = duckdb.connect(str(db), read_only=True)
    urn = con.execute("select min(urn) from schools where phase = ?", [phase]).fetchall()[0][0]
    con.close()
    return int(urn)


def _pick_school(at, urn: int):
    at.selectbox(key="urn").set_value(urn)
    at.run()
    _ok(at)


def _texts(at) -> list[str]:
    out = []
    for kind in (
        "markdown",
        "caption",
        "info",
        "success",
        "warning",
        "header",
        "subheader",
        "title",
        "metric",
    ):
        for el in getattr(at, kind):
            out.append(str(getattr(el, "value", "")) + " " + str(getattr(el, "label", "")))
    for df in at.dataframe:
        out.append(df.value.to_string())
    for sb in at.selectbox:
        out.extend(map(str, sb.options))
    return out


@pytest.mark.parametrize("year,period,phase", GRID)
def test_schools_page_renders(demo_db, monkeypatch, year, period, phase):
    at = _app(demo_db, monkeypatch, "pages/schools.py", year=year, period=period, phase=phase)
    _ok(at)
    for school_type in at.selectbox(key="school_type").options[:3]:
        at.selectbox(key="school_type").set_value(school_type)
        at.run()
        _ok(at)
    ward = at.selectbox(key="ward").options[1]
    at.selectbox(key="school_type").set_value("All")
    at.selectbox(key="ward").set_value(ward)
    at.run()
    _ok(at)


SCHOOL_TABS = (
    "Week by week",
    "Year and pupil groups",
    "Days and reasons",
    "Punctuality and part-time",
    "Pupils who may need support",
)


@pytest.mark.parametrize("year,period,phase", GRID)
def test_school_page_renders(demo_db, monkeypatch, year, period, phase):
    at = _app(demo_db, monkeypatch, "pages/school.py", year=year, period=period, phase=phase)
    _ok(at)
    assert any("Choose a school" in i.value for i in at.info)  # no selection: says what to do
    for school_phase in ("Primary", "Secondary"):
        _pick_school(at, _school(demo_db, school_phase))
        for tab in SCHOOL_TABS:
            at.open_tab(tab, "school_section")
            _ok(at)
        assert any(t.label.startswith("Persistent absence (") for t in at.tabs)  # the pupil lists


@pytest.mark.parametrize("year,period,phase", GRID[:2])
def test_pupil_page_renders(demo_db, monkeypatch, year, period, phase):
    at = _app(demo_db, monkeypatch, "pages/pupil.py", year=year, period=period, phase=phase)
    _ok(at)
    _pick_school(at, _school(demo_db))
    assert any("Choose a pupil" in i.value for i in at.info)
    for option in list(at.selectbox(key="pupil").options[:2]):
        at.selectbox(key="pupil").set_value(option.split(" ")[0])
        at.run()
        _ok(at)
        assert any(h.value.startswith(option.split(" ")[0]) for h in at.header)
        assert any(h.value == "Support recorded" for h in at.header)  # the evidence of support (ui.meeting)


@pytest.mark.parametrize("year,period,phase", GRID)
def test_governors_page_renders(demo_db, monkeypatch, year, period, phase):
    at = _app(demo_db, monkeypatch, "pages/governors.py", year=year, period=period, phase=phase)
    _ok(at)
    _pick_school(at, _school(demo_db, "Primary"))
    assert any(h.value == "What changed since last term" for h in at.header)


def _warehouse_school(db, urn: int) -> dict:
    """PA and attendance for 2025/26 year to date at one school, computed here from pupil_week."""
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        """
        select sum(w.possible) p, sum(w.present + w.aea) att, sum(w.authorised + w.unauthorised) a
        from pupil_week w join pupil_year y using (academic_year, urn, pupil_id)
        where w.academic_year = 2025 and y.compulsory_age and w.urn = ?
        group by w.pupil_id having sum(w.possible) > 0
        """,
        [urn],
    ).fetchall()
    con.close()
    pa = sum(1 for p, _, a in rows if a * 10 >= p)
    return {
        "pa": 100 * pa / len(rows),
        "pa_n": pa,
        "n": len(rows),
        "attendance": 100 * sum(r[1] for r in rows) / sum(r[0] for r in rows),
    }


def test_school_page_figures_match_the_warehouse(demo_db, monkeypatch):
    urn = _school(demo_db)
    at = _app(demo_db, monkeypatch, "pages/school.py", year=2025, period="Year to date", phase="All phases")
    _pick_school(at, urn)
    truth = _warehouse_school(demo_db, urn)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Persistent absence"] == f"{truth['pa']:.1f}%"
    assert metrics["Attendance"] == f"{truth['attendance']:.1f}%"
    assert any(f"{truth['pa_n']:,} of {truth['n']:,} pupils" in c.value for c in at.caption)
    # the PA list has one row per persistent absentee
    at.open_tab("Pupils who may need support", "school_section")
    assert any(t.label == f"Persistent absence ({truth['pa_n']})" for t in at.tabs)


def test_schools_table_matches_the_warehouse(demo_db, monkeypatch):
    urn = _school(demo_db)
    at = _app(demo_db, monkeypatch, "pages/schools.py", year=2025, period="Year to date", phase="All phases")
    table = at.dataframe[0].value.set_index("urn")
    truth = _warehouse_school(demo_db, urn)
    assert table.loc[urn, "persistent_absence_rate"] == pytest.approx(truth["pa"])
    assert table.loc[urn, "pa_enrolments"] == truth["pa_n"]


def _as_governor(monkeypatch) -> int:
    """Demo mode signed in as the demo governor (auth.session's own demo account)."""
    import auth.session

    gov = next(u for u in auth.session.demo_accounts() if u.role == "governor")
    monkeypatch.setattr(auth.session, "_demo_user", lambda: gov)
    return int(gov.urns[0])


def test_governors_page_shows_no_pupil_identifier(demo_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    urn = _as_governor(monkeypatch)
    ran = []
    real_run, real_sup = queries.run, queries.run_suppressed
    monkeypatch.setattr(queries, "run", lambda name, *a, **k: ran.append(name) or real_run(name, *a, **k))
    monkeypatch.setattr(
        queries, "run_suppressed", lambda name, *a, **k: ran.append(name) or real_sup(name, *a, **k)
    )
    at = _app(
        demo_db, monkeypatch, "pages/governors.py", year=2025, period="Year to date", phase="All phases"
    )
    assert at.session_state["_context"].scope.role == "governor"
    _pick_school(at, urn)
    assert any(h.value == "What changed since last term" for h in at.header)
    assert not [n for n in ran if n.startswith("pupil_")]
    text = "\n".join(_texts(at))
    assert not PSEUDONYM.search(text)
    assert "pupil_ref" not in text and "pupil_id" not in text
    # small numbers are suppressed on screen ('c' in the tables, as their text shows)
    assert any((_shown(df) == "c").any().any() for df in at.dataframe)


def _shown(element) -> pd.DataFrame:
    """A table's cells as shown: a Styler's display text where the page formats them, else its
    values."""
    from streamlit import dataframe_util

    shown = element.proto.arrow_data.styler.display_values
    return dataframe_util.convert_arrow_bytes_to_pandas_df(shown) if shown else element.value


def test_governors_tables_stay_numeric_and_log_no_arrow_error(demo_db, monkeypatch):
    """Suppressed cells are null in number columns, shown as 'c' by formatting: every table
    goes to Arrow as it is (Streamlit logs no failed serialisation, the ArrowInvalid tracebacks
    the Governors' view used to log), its number columns are numbers (they sort as numbers) and
    each withheld cell reads 'c'."""
    from streamlit import dataframe_util

    failed = []
    real_info = dataframe_util._LOGGER.info
    monkeypatch.setattr(
        dataframe_util._LOGGER,
        "info",
        lambda msg, *a, **k: (failed.append(msg) if "Arrow" in str(msg) else None) or real_info(msg, *a, **k),
    )
    _as_governor(monkeypatch)
    at = _app(
        demo_db, monkeypatch, "pages/governors.py", year=2025, period="Year to date", phase="All phases"
    )
    withheld = 0
    for el in at.dataframe:
        values, shown = el.value, _shown(el)
        for col in values.columns:
            if (shown[col] == "c").any():
                withheld += int((shown[col] == "c").sum())
                assert pd.api.types.is_numeric_dtype(values[col]), (col, values[col].tolist())
                assert values.loc[shown[col] == "c", col].isna().all()
    assert withheld > 0
    assert not failed, failed


def test_governor_is_not_offered_pupil_or_school_pages(demo_db, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_DB", str(demo_db))
    monkeypatch.setenv("ATTENDANCE_DEMO_MODE", "1")
    _as_governor(monkeypatch)
    at = dashboard_app(180)
    at.run()
    for page in ("pages/pupil.py", "pages/school.py", "pages/schools.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def _figures(at) -> list[dict]:
    import json

    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _values(v) -> list:
    """A trace's values from the figure's JSON (Plotly sends numeric arrays as typed base64)."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    return list(v)


def test_schools_table_by_concern_and_funnel_by_phase(demo_db, monkeypatch):
    """With all phases chosen the schools come most concerning first (persistent absence, high to
    low) and the funnel plot takes one phase (the largest) against that phase's LA rate, numbering
    only the schools outside the 99.8% limits; its table carries each school's control limits.
    All phases together is still on offer."""
    at = _app(demo_db, monkeypatch, "pages/schools.py", year=2025, period="Year to date", phase="All phases")
    table = at.dataframe[0].value
    pa = table["persistent_absence_rate"].dropna().tolist()
    assert pa == sorted(pa, reverse=True)
    largest = table["phase"].value_counts().index[0]
    assert at.radio(key="funnel_phase").value == largest
    funnel = next(df.value for df in at.dataframe if "lower_998" in df.value.columns)
    assert set(funnel["phase"]) == {largest}
    assert {"la_pa_rate", "lower_95", "upper_95", "lower_998", "upper_998"} <= set(funnel.columns)
    outside = funnel["position"].str.contains("99.8")
    assert (
        (funnel["persistent_absence_rate"] > funnel["upper_998"])
        | (funnel["persistent_absence_rate"] < funnel["lower_998"])
    ).tolist() == outside.tolist()
    schools = next(t for f in _figures(at) for t in f["data"] if t.get("name") == "Schools")
    assert sum(1 for t in _values(schools["text"]) if t) == int(outside.sum())
    at.radio(key="funnel_phase").set_value("All phases together").run()
    assert not at.exception
    funnel = next(df.value for df in at.dataframe if "lower_998" in df.value.columns)
    assert funnel["phase"].nunique() > 1


def _vega_charts(at) -> list[tuple[dict, pd.DataFrame]]:
    """Each Vega-Lite chart's spec and the rows it plots (Streamlit sends a spec's inline data
    apart from it, as Arrow)."""
    import json

    import pyarrow as pa

    out = []
    for el in at.get("vega_lite_chart"):
        sent = [d.data for d in el.proto.datasets] or [el.proto.data]
        rows = [pa.ipc.open_stream(d.data).read_all().to_pandas() for d in sent if d.data]
        out.append((json.loads(el.proto.spec), pd.concat(rows) if rows else pd.DataFrame()))
    return out


def test_week_by_week_is_on_dates_with_holidays_as_gaps(demo_db, monkeypatch):
    """The weekly trend's axis is dates (w/c), each year at its school week so years overlay, and
    a line breaks at a holiday (the weeks either side are separate paths) instead of running
    across."""
    import datetime as dt

    at = _app(
        demo_db, monkeypatch, "pages/la_overview.py", year=2025, period="Year to date", phase="All phases"
    )
    spec, rows = next(
        (spec, rows) for spec, rows in _vega_charts(at) if "2025/26" in set(rows.get("series_label", ()))
    )
    line = spec["layer"][0]
    assert line["mark"]["type"] == "line" and line["encoding"]["detail"]["field"] == "run"
    assert line["encoding"]["x"]["type"] == "temporal"
    this = rows[rows["series_label"] == "2025/26"].sort_values("week_of_year")
    dates = [dt.date.fromisoformat(str(x)[:10]) for x in this["date"]]
    assert dates == sorted(dates) and all(d.weekday() == 0 for d in dates)
    assert dates[0] == dt.date(2025, 9, 1)
    weeks = this["week_of_year"].astype(int).tolist()
    breaks = [i for i in range(1, len(weeks)) if weeks[i] - weeks[i - 1] > 1]
    assert breaks, "no holiday in the year"
    runs = this["run"].tolist()
    for i in range(1, len(weeks)):  # a new path exactly where a week is missing
        assert (runs[i] != runs[i - 1]) == (i in breaks)
    last = rows[rows["series_label"] == "2024/25"].sort_values("week_of_year")
    assert dt.date.fromisoformat(str(last["date"].iloc[0])[:10]) == dt.date(
        2025, 9, 1
    )  # overlaid on this year


def test_week_by_week_for_a_term_shades_it_and_reads_its_weeks(demo_db, monkeypatch):
    """For a term the lines still run over the year, but the term is shaded and named in words,
    and the reading's last and worst weeks are the term's (the page's other figures are the
    term's): not the year's latest week beside a term's rates."""
    import datetime as dt
    import re

    at = _app(demo_db, monkeypatch, "pages/la_overview.py", year=2025, period="Term", phase="All phases")
    spec, rows = next(
        (spec, rows) for spec, rows in _vega_charts(at) if "2025/26" in set(rows.get("series_label", ()))
    )
    shade, named = spec["layer"][0], spec["layer"][1]
    assert shade["mark"]["type"] == "rect" and named["mark"]["type"] == "text"
    band = shade["data"]["values"][0]
    label = band["label"]
    assert label.endswith("2025/26") and label.split()[0] in ("Autumn", "Spring", "Summer")
    first, last = dt.date.fromisoformat(band["start"]), dt.date.fromisoformat(band["end"])
    this = rows[rows["series_label"] == "2025/26"]
    year_weeks = [dt.date.fromisoformat(str(x)[:10]) for x in this["date"]]  # its own weeks
    assert min(year_weeks) < first or max(year_weeks) > last  # the year is drawn around the term
    reading = next(m.value for m in at.markdown if "(shaded)" in m.value)
    assert f"In the last week of {label} (shaded)" in reading and f"the worst week of {label}" in reading
    weeks = [
        dt.datetime.strptime(d, "%d %b %Y").date() for d in re.findall(r"w/c (\d\d \w{3} \d{4})", reading)
    ]
    assert len(weeks) == 2 and all(first <= w <= last for w in weeks)
    in_term = [w for w in year_weeks if first <= w <= last]
    assert weeks[0] == max(in_term)
    # England's one published week is named, as it may lie outside the term shaded
    assert any(str(x).startswith("England, w/c ") for x in set(rows["series_label"]))


def test_benchmarking_offers_the_year_not_a_term(demo_db, monkeypatch):
    """Benchmarking shows DfE's published figures, a year's by collection: chosen with the sidebar's
    Spring term, it offers the academic year and the phase but no period, and its header names the
    year and the source, not Spring's school weeks above whole-year figures."""
    at = _app(demo_db, monkeypatch, "pages/benchmarking.py", year=2025, period="Term", term="Spring")
    _ok(at)
    keys = {s.key for s in at.selectbox}
    assert {"year", "phase"} <= keys and not keys & {"period", "term", "half_term"}
    header = next(m.value for m in at.markdown if "data up to" in m.value)
    assert "2025/26: DfE's published figures" in header and "Spring" not in header
    # the next page takes the term again, as chosen
    at.switch_page("pages/la_overview.py").run()
    _ok(at)
    assert at.selectbox(key="period").value == "Term"
    assert "Spring 2025/26" in next(m.value for m in at.markdown if "data up to" in m.value)


def test_filters_a_page_cannot_use_are_not_offered(demo_db, monkeypatch):
    """The phase is offered where it changes the page (Schools), not on a school's own page (which
    uses the school's phase) nor on the accessibility statement, the meeting or Impact of support
    (no filter at all)."""
    at = _app(demo_db, monkeypatch, "pages/schools.py", year=2025, period="Year to date", phase="Secondary")
    assert at.selectbox(key="phase").value == "Secondary"
    at.switch_page("pages/school.py").run()
    _ok(at)
    assert not [s for s in at.selectbox if s.key == "phase"]
    assert [s for s in at.selectbox if s.key == "period"]
    at.switch_page("pages/accessibility.py").run()
    assert not at.exception
    assert not [s for s in at.selectbox if s.key in ("phase", "period", "year")]
    # the meeting reviews the term it chooses, Impact of support every action: neither takes the
    # sidebar's period, so neither offers it nor names it in the header
    for page in ("pages/meeting.py", "pages/support_impact.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert not [s for s in at.selectbox if s.key in ("phase", "period", "year")], page
        header = next(m.value for m in at.markdown if "data up to" in m.value)
        assert "year to date" not in header and "all phases" not in header, header
